"""The client pages after the review (issue 13): invitations start from the least privileged role, destructive
actions ask first, every page of an organisation renders for who may open it, and search finds clients and people
only within what each person may open."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access import search
from portal.access.models import Role, StaffMembership, StaffRole
from portal.access.policy import actor_for
from portal.clients.models import ClientOrg, Contact
from portal.organisations.forms import least_privileged

pytestmark = pytest.mark.django_db


def contoso() -> ClientOrg:
    return ClientOrg.objects.get(name="Contoso Retail")


def user(email: str) -> User:
    return User.objects.get(email=email)


@pytest.fixture
def owner(as_user: Callable[[Any], Client]) -> Client:
    return as_user(StaffMembership.objects.get(role=StaffRole.OWNER).user)


def selected_role(page: str) -> str:
    """The role the invitation form's select starts on, by name (the browser's choice: the `selected` one)."""
    select = re.search(r'<select name="role"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    [chosen] = re.findall(r"<option [^>]*selected[^>]*>([^<]*)</option>", select.group(1))
    return chosen


# --- the invitation's default role ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["olivia.owner@northwind.example", "carla.admin@contoso.example"])
def test_the_invitation_form_starts_from_the_least_privileged_role(as_user: Callable[[Any], Client], who: str) -> None:
    page = as_user(user(who)).get(reverse("clients:invite", kwargs={"org_id": contoso().pk})).content.decode()

    assert selected_role(page) == "Viewer"  # not "Client admin", the first and strongest


def test_a_custom_role_with_fewer_capabilities_is_the_default_but_one_granting_nothing_is_not(owner: Client) -> None:
    Role.objects.create(name="Nothing at all", slug="nothing", custom_capabilities=[])
    Role.objects.create(name="Overview only", slug="overview-only", custom_capabilities=["organisation.view"])
    url = reverse("clients:invite", kwargs={"org_id": contoso().pk})

    assert selected_role(owner.get(url).content.decode()) == "Overview only"
    fallback = least_privileged(Role.objects.filter(slug__in=["nothing", "client-admin"]))
    assert fallback is not None
    assert fallback.slug == "client-admin"


def test_an_invitation_sent_without_touching_the_role_grants_the_least(owner: Client) -> None:
    page = owner.get(reverse("clients:invite", kwargs={"org_id": contoso().pk}))
    role = page.context["form"]["role"].value()

    owner.post(
        reverse("clients:invite", kwargs={"org_id": contoso().pk}), {"email": "new@contoso.example", "role": role}
    )

    assert Role.objects.get(pk=role).slug == "viewer"


# --- destructive actions ask first ------------------------------------------------------------------------------


def test_deactivating_a_contact_asks_first_then_ends_their_access(owner: Client) -> None:
    victor = Contact.objects.get(user__email="victor.viewer@contoso.example")
    url = reverse("clients:contact_deactivate", kwargs={"org_id": victor.client_org_id, "contact_id": victor.pk})
    people = owner.get(reverse("clients:contacts", kwargs={"org_id": victor.client_org_id})).content.decode()
    assert f'action="{url}"' in people
    assert "data-confirm=" in people

    asked = owner.post(url)
    victor.user.refresh_from_db()
    assert asked.status_code == 200
    assert victor.user.is_active
    assert "End this person" in asked.content.decode()

    done = owner.post(url, {"confirmed": "1"})
    victor.user.refresh_from_db()
    assert done["Location"] == reverse("clients:contacts", kwargs={"org_id": victor.client_org_id})
    assert not victor.user.is_active


def test_the_archive_button_is_a_confirmation_dialog_for_managers_only(
    owner: Client, as_user: Callable[[Any], Client]
) -> None:
    detail = reverse("clients:detail", kwargs={"org_id": contoso().pk})
    archive = reverse("clients:archive", kwargs={"org_id": contoso().pk})

    page = owner.get(detail).content.decode()
    assert f'<form method="post" action="{archive}" class="inline-form" data-confirm=' in page
    assert "<dialog" in page
    assert archive not in as_user(user("mia.member@northwind.example")).get(detail).content.decode()


def test_a_contact_cannot_deactivate_another_organisations_people(as_user: Callable[[Any], Client]) -> None:
    carla = Contact.objects.get(user__email="carla.admin@contoso.example")
    hana = Contact.objects.get(user__email="hana.admin@fabrikam.example")
    own_org_other_id = reverse(
        "clients:contact_deactivate", kwargs={"org_id": carla.client_org_id, "contact_id": hana.pk}
    )

    assert as_user(carla.user).post(own_org_other_id, {"confirmed": "1"}).status_code == 404
    hana.user.refresh_from_db()
    assert hana.user.is_active


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_organisation_pages_render_with_their_tabs(owner: Client, as_user: Callable[[Any], Client]) -> None:
    org = contoso()
    tabs = ["clients:detail", "clients:contacts", "clients:activity"]
    for name in tabs:
        page = owner.get(reverse(name, kwargs={"org_id": org.pk}))
        assert page.status_code == 200, name
        html = page.content.decode()
        assert html.count("<h1") == 1, name
        assert 'class="tabs"' in html, name
        assert reverse("documents:list", kwargs={"org_id": org.pk}) in html, name
        assert f'<a href="{reverse(name, kwargs={"org_id": org.pk})}" aria-current="page">' in html, name
    victor = as_user(user("victor.viewer@contoso.example"))  # a viewer: no colleagues tab
    overview = victor.get(reverse("clients:detail", kwargs={"org_id": org.pk})).content.decode()
    assert reverse("clients:contacts", kwargs={"org_id": org.pk}) not in overview
    assert victor.get(reverse("clients:activity", kwargs={"org_id": org.pk})).status_code == 200
    hana = as_user(user("hana.admin@fabrikam.example"))
    assert hana.get(reverse("clients:activity", kwargs={"org_id": org.pk})).status_code == 404


def test_the_client_list_offers_the_first_client_when_there_is_none(
    as_user: Callable[[Any], Client], owner: Client
) -> None:
    ClientOrg.objects.update(archived_at="2026-01-01T00:00Z")

    page = owner.get(reverse("clients:list")).content.decode()

    assert "Add your first client" in page
    assert reverse("clients:create") in page
    archived = owner.get(reverse("clients:list") + "?archived=1").content.decode()
    assert "Contoso Retail" in archived
    assert 'data-label="Archived"' in archived


# --- search ----------------------------------------------------------------------------------------------------------


def found(email: str, query: str) -> dict[str, list[str]]:
    return {group.key: [hit.title for hit in group.hits] for group in search.search(actor_for(user(email)), query)}


def test_a_contact_finds_their_own_organisation_and_never_another(in_demo: Any) -> None:
    assert found("carla.admin@contoso.example", "contoso").get("clients") == ["Contoso Retail"]
    assert "clients" not in found("carla.admin@contoso.example", "fabrikam")
    assert "clients" not in found("carla.admin@contoso.example", "litware")


def test_a_contact_finds_only_their_colleagues_and_only_with_contacts_view(in_demo: Any) -> None:
    assert found("carla.admin@contoso.example", "victor").get("people") == ["Victor Viewer"]
    for other in ("hana", "fabrikam.example", "lena", "fred"):
        assert "people" not in found("carla.admin@contoso.example", other), other
    assert "people" not in found("victor.viewer@contoso.example", "paula")  # a viewer does not list colleagues
    everyone = found("carla.admin@contoso.example", "example")["people"]
    assert set(everyone) == {str(c.user) for c in Contact.objects.filter(client_org=contoso())}


def test_staff_find_the_clients_and_people_they_reach(in_demo: Any) -> None:
    assert found("mia.member@northwind.example", "fabrikam") == {}  # Mia reaches Contoso only
    assert found("mia.member@northwind.example", "carla")["people"] == ["Carla Admin"]
    assert found("olivia.owner@northwind.example", "fabrikam")["clients"] == ["Fabrikam Health"]
    assert found("olivia.owner@northwind.example", "hana")["people"] == ["Hana Admin"]


def test_the_search_page_lists_people_with_a_link_they_may_open(as_user: Callable[[Any], Client]) -> None:
    carla = as_user(user("carla.admin@contoso.example"))
    victor = Contact.objects.get(user__email="victor.viewer@contoso.example")

    page = carla.get(reverse("dashboard:search"), {"q": "victor"}).content.decode()

    link = reverse("clients:contact", kwargs={"org_id": victor.client_org_id, "contact_id": victor.pk})
    assert link in page
    assert carla.get(link).status_code == 200
