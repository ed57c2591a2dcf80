"""What documents add to the shared places: "new documents since your last visit" on the home page, and the top
bar's search; both scoped like the documents pages (a contact never hears of, or finds, what they may not open)."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User, UserSession
from portal.access import search
from portal.access.models import Role
from portal.access.policy import Actor, actor_for
from portal.clients.models import ClientOrg, Contact
from portal.documents.models import Document, Folder
from portal.documents.providers import find_documents, new_documents, previous_visit
from portal.documents.services import documents_upload

pytestmark = pytest.mark.django_db
SignIn = Callable[[Any], Client]
MIA = "mia.member@northwind.example"
VICTOR = "victor.viewer@contoso.example"
OLIVIA = "olivia.owner@northwind.example"


def person(email: str) -> Actor:
    return actor_for(User.objects.get(email=email))


def publish(org_name: str, title: str, *, internal: bool = False, by: str = MIA) -> Document:
    folder, _created = Folder.objects.get_or_create(
        client_org=ClientOrg.objects.get(name=org_name), name="Internal" if internal else "Shared",
        defaults={"internal": internal},
    )  # fmt: skip
    [document] = documents_upload(
        actor=person(by), folder=folder, uploads=[SimpleUploadedFile(f"{title}.txt", b"some words")]
    )
    return document


def session(email: str, started: datetime) -> UserSession:
    return UserSession.objects.create(
        session_key=f"test{email}{started.timestamp()}"[:40], session_data="", user=User.objects.get(email=email),
        expire_date=timezone.now() + timedelta(days=1), created_at=started,
    )  # fmt: skip


@pytest.fixture
def documents(in_demo: Any) -> dict[str, Document]:
    """Published now by Mia (Contoso's account manager) and Adam (an admin), and one from last week."""
    made = {
        "shared": publish("Contoso Retail", "Quarterly report"),
        "internal": publish("Contoso Retail", "Margin review", internal=True),
        "fabrikam": publish("Fabrikam Health", "Fabrikam quarterly", by="adam.admin@northwind.example"),
        "old": publish("Contoso Retail", "Old quarterly note"),
    }
    Document.objects.filter(pk=made["old"].pk).update(created_at=timezone.now() - timedelta(days=7))
    return made


# --- the previous visit -----------------------------------------------------------------------------------------


def test_the_previous_visit_is_the_start_of_the_sign_in_before_the_latest(in_demo: Any) -> None:
    now = timezone.now()
    session(VICTOR, now - timedelta(days=9))
    before = session(VICTOR, now - timedelta(days=3))
    session(VICTOR, now - timedelta(minutes=5))  # this visit

    assert previous_visit(person(VICTOR)) == before.created_at


def test_without_an_earlier_session_the_session_lifetime_stands_in(in_demo: Any) -> None:
    session(VICTOR, timezone.now() - timedelta(minutes=5))  # this visit only: the others were signed out

    since = previous_visit(person(VICTOR))

    assert since is not None
    assert abs((timezone.now() - since).total_seconds() - settings.SESSION_COOKIE_AGE) < 60
    assert previous_visit(Actor()) is None


# --- new documents since the last visit -----------------------------------------------------------------------


def test_a_contact_hears_of_their_organisations_new_shared_documents_only(documents: dict[str, Document]) -> None:
    session(VICTOR, timezone.now() - timedelta(days=3))
    session(VICTOR, timezone.now())

    [need] = new_documents(person(VICTOR))

    assert need.count == 1
    assert str(need.title) == "new document since your last visit"
    assert need.detail == "Quarterly report"
    assert need.url == reverse("documents:list", kwargs={"org_id": documents["shared"].folder.client_org_id})


def test_staff_hear_per_client_of_what_others_published_internal_folders_included(
    documents: dict[str, Document],
) -> None:
    for email in (OLIVIA, MIA):
        session(email, timezone.now() - timedelta(days=3))
        session(email, timezone.now())

    olivia = new_documents(person(OLIVIA))
    mia = new_documents(person(MIA))

    assert [(need.count, need.detail) for need in olivia] == [
        (2, "Margin review, Quarterly report"),  # the newest first
        (1, "Fabrikam quarterly"),
    ]
    assert "Contoso Retail" in str(olivia[0].title)
    assert mia == []  # she published the Contoso ones, and does not reach Fabrikam


def test_the_home_page_shows_the_new_documents_with_a_link_to_them(
    documents: dict[str, Document], as_user: SignIn
) -> None:
    session(VICTOR, timezone.now() - timedelta(days=3))
    victor = as_user(User.objects.get(email=VICTOR))

    page = victor.get(reverse("dashboard:home")).content.decode()

    documents_page = reverse("documents:list", kwargs={"org_id": documents["shared"].folder.client_org_id})
    assert f'<a class="need" href="{documents_page}">' in page
    assert '<strong>1</strong> <span class="need-title">new document since your last visit</span>' in page
    assert "Margin review" not in page
    assert "Fabrikam quarterly" not in page


# --- search -------------------------------------------------------------------------------------------------------


def titles(email: str, query: str) -> set[str]:
    return {hit.title for hit in find_documents(person(email), query, 10)}


def test_a_contact_finds_only_their_organisations_shared_documents(documents: dict[str, Document]) -> None:
    assert titles(VICTOR, "quarterly") == {"Quarterly report", "Old quarterly note"}
    assert titles(VICTOR, "margin") == set()
    assert titles("hana.admin@fabrikam.example", "quarterly") == {"Fabrikam quarterly"}


def test_staff_find_internal_documents_of_the_clients_they_reach_only(documents: dict[str, Document]) -> None:
    assert titles(MIA, "quarterly") == {"Quarterly report", "Old quarterly note"}
    assert titles(MIA, "margin") == {"Margin review"}
    assert titles(OLIVIA, "quarterly") >= {"Quarterly report", "Old quarterly note", "Fabrikam quarterly"}


def test_a_contact_without_the_documents_capability_finds_nothing(documents: dict[str, Document]) -> None:
    victor = Contact.objects.get(user__email=VICTOR)
    victor.role = Role.objects.create(name="Org only", slug="org-only", custom_capabilities=["organisation.view"])
    victor.save()

    assert titles(VICTOR, "quarterly") == set()


def test_part_of_a_word_finds_a_title_and_hits_say_where_the_document_is(documents: dict[str, Document]) -> None:
    [hit] = find_documents(person(MIA), "marg", 10)

    assert hit.url == reverse("documents:detail", kwargs={"document_id": documents["internal"].pk})
    assert hit.detail == "Contoso Retail · Internal · Other · internal"


def test_the_search_page_lists_the_documents_group(documents: dict[str, Document], as_user: SignIn) -> None:
    page = as_user(User.objects.get(email=VICTOR)).get(reverse("dashboard:search"), {"q": "quarterly"})

    [group] = [group for group in page.context["groups"] if group.key == "documents"]
    assert {hit.title for hit in group.hits} == {"Quarterly report", "Old quarterly note"}
    assert "Fabrikam quarterly" not in page.content.decode()
    assert search.PROVIDERS["documents"][2] is find_documents
