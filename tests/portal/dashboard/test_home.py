"""The home page below "what needs you": the recent activity the person may see (a contact, their organisation's
news; staff, that of the clients they reach), each with a relative time and a link while its target exists."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access import attention
from portal.access.policy import actor_for
from portal.clients.models import ClientOrg
from portal.dashboard.feed import SIZE, recent_activity
from portal.documents.models import Folder
from portal.documents.services import document_delete, documents_upload

pytestmark = pytest.mark.django_db
SignIn = Callable[[Any], Client]


def org_ids(email: str) -> set[int | None]:
    return {item.event.client_org_id for item in recent_activity(actor_for(User.objects.get(email=email)))}


def test_a_contact_sees_only_their_organisations_news_and_no_internal_events(in_demo: Any) -> None:
    contoso = ClientOrg.objects.get(name="Contoso Retail")
    items = recent_activity(actor_for(User.objects.get(email="victor.viewer@contoso.example")))

    assert items
    assert {item.event.client_org_id for item in items} == {contoso.pk}
    assert not any(item.event.internal for item in items)
    assert all(item.client == "" for item in items)  # one organisation: no need to say which


def test_a_staff_member_sees_the_clients_they_reach_and_a_manager_sees_them_all(in_demo: Any) -> None:
    contoso = ClientOrg.objects.get(name="Contoso Retail")

    assert org_ids("mia.member@northwind.example") == {contoso.pk}
    assert len(org_ids("olivia.owner@northwind.example")) > 1
    assert None not in org_ids("olivia.owner@northwind.example")  # the portal's own business is the audit log's


def test_at_most_ten_of_the_latest_newest_first(in_demo: Any) -> None:
    items = recent_activity(actor_for(User.objects.get(email="olivia.owner@northwind.example")))
    times = [item.event.created_at for item in items]

    assert len(items) == SIZE == 10
    assert times == sorted(times, reverse=True)


def test_items_link_to_their_target_while_it_exists(in_demo: Any) -> None:
    mia = actor_for(User.objects.get(email="mia.member@northwind.example"))
    folder = Folder.objects.create(client_org=ClientOrg.objects.get(name="Contoso Retail"), name="Reports")
    [document] = documents_upload(actor=mia, folder=folder, uploads=[SimpleUploadedFile("Plan.txt", b"the plan")])
    page = reverse("documents:detail", kwargs={"document_id": document.pk})

    [published] = [item for item in recent_activity(mia) if item.event.verb == "document.published"][:1]
    assert published.url == page
    document_id = document.pk
    document_delete(actor=mia, document=document)

    items = [item for item in recent_activity(mia) if item.event.target_id == document_id]
    assert {item.event.verb for item in items} == {"document.published", "document.deleted"}
    assert all(item.url is None for item in items)


def test_the_home_page_lists_the_activity_with_relative_times(in_demo: Any, as_user: SignIn) -> None:
    victor = as_user(User.objects.get(email="victor.viewer@contoso.example"))

    html = victor.get(reverse("dashboard:home")).content.decode()
    section = html[html.index("<h2>Recent activity</h2>") :]

    assert len(re.findall(r'<time datetime="[^"]+" title="[^"]+">', section)) == len(
        recent_activity(actor_for(User.objects.get(email="victor.viewer@contoso.example")))
    )
    assert "Fabrikam" not in section
    assert reverse("activity:audit_log") not in section  # staff only


def test_a_new_provider_adds_its_items_to_what_needs_you_without_touching_the_home_page(
    in_demo: Any, as_user: SignIn
) -> None:
    """How a later feature (engagements: decisions waiting) joins the home page: it registers a provider."""

    def decisions(actor: Any) -> list[attention.Need]:
        return [attention.Need("decisions", "decisions waiting for you", "Scope of phase 2", "/", "scale", 2)]

    attention.register("test.decisions", decisions)
    try:
        html = as_user(User.objects.get(email="victor.viewer@contoso.example")).get(reverse("dashboard:home"))
    finally:
        del attention.PROVIDERS["test.decisions"]

    assert '<strong>2</strong> <span class="need-title">decisions waiting for you</span>' in html.content.decode()
