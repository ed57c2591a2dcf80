"""The access pages in the design system: roles named and described (never by code), the role form's capabilities
as a described checkbox group, the security settings titled and tabbed with branding, and every destructive
action (revoke, deactivate, end a session, end the others) behind a confirmation that a bare POST cannot skip."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve, reverse

from accounts.models import UserSession
from portal.access.capabilities import REGISTRY
from portal.access.confirm import is_destructive
from portal.access.models import Invitation, StaffMembership, StaffRole
from portal.access.policy import SYSTEM
from portal.access.services import invitation_create
from tests.accounts.markup import Element, page

pytestmark = pytest.mark.django_db
HOST = {"host": "demo.localhost"}
PASSWORD = "northwind-demo-2026"
CONFIRMED = {"confirmed": "1"}


@pytest.fixture
def owner(as_user: Callable[[Any], Client]) -> Client:
    return as_user(StaffMembership.objects.get(role=StaffRole.OWNER).user)


def html_of(client: Client, url: str) -> Element:
    response = client.get(url)
    assert response.status_code == 200, url
    return page(response.content)


def browser(user_agent: str) -> Client:
    client = Client(headers={**HOST, "user-agent": user_agent})
    signed_in = client.post("/accounts/login/", {"login": "victor.viewer@contoso.example", "password": PASSWORD})
    assert signed_in.status_code == 302
    return client


def is_signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


# Roles ------------------------------------------------------------------------------------------------------------


def test_every_capability_has_a_name_and_a_description() -> None:
    for code, capability in REGISTRY.items():
        assert str(capability.label).strip(), code
        assert str(capability.description).strip(), code


def test_the_roles_page_names_and_describes_what_each_role_grants(owner: Client) -> None:
    response = owner.get(reverse("access:roles"))
    html = page(response.content)

    text = html.find("main").text
    for code, capability in REGISTRY.items():
        assert code not in response.content.decode()  # never the raw code
        assert str(capability.label) in text
        assert str(capability.description) in text
    viewer = next(card for card in html.find_all("section", cls="role-card") if card.find("h2").text == "Viewer")
    granted = [item.find("strong").text for item in viewer.find("ul", cls="capability-list").find_all("li")]
    viewers = [capability for capability in REGISTRY.values() if "viewer" in capability.default_roles]
    assert granted == [str(capability.label) for capability in viewers]
    assert str(REGISTRY["documents.view"].description) in viewer.text


def test_the_role_form_offers_capabilities_as_a_described_checkbox_group(owner: Client) -> None:
    html = html_of(owner, reverse("access:role_create"))

    group = html.find("fieldset", cls="choices")
    legend = group.find("legend")
    assert legend.text.startswith("What people with this role may do")
    assert group.children.index(legend) < group.children.index(group.find("div", cls="choice-list"))  # legend above
    boxes = group.find_all("input", type_="checkbox")
    assert [box.attrs["value"] for box in boxes] == list(REGISTRY)
    for box in boxes:
        description = html.by_id(box.attrs["aria-describedby"])
        assert description.text == str(REGISTRY[box.attrs["value"]].description)


# Security settings ------------------------------------------------------------------------------------------------


def test_the_security_settings_are_titled_security_and_tabbed_with_branding(owner: Client) -> None:
    response = owner.get(reverse("access:security"))
    html = page(response.content)

    assert b"Security and notifications" not in response.content
    assert html.find("title").text.startswith("Security ·")
    tabs = html.find("nav", cls="tabs").find_all("a")
    assert [(tab.text, tab.attrs["href"]) for tab in tabs] == [
        ("Branding", reverse("branding:settings")), ("Security", reverse("access:security")),
    ]  # fmt: skip
    assert tabs[1].attrs.get("aria-current") == "page"
    assert html.find("section", cls="card").find("h2").text == "Security"


# Destructive actions ----------------------------------------------------------------------------------------------

DESTRUCTIVE = ["access:revoke", "access:staff_deactivate", "access:end_session", "access:end_other_sessions"]


@pytest.mark.parametrize("name", DESTRUCTIVE)
def test_the_destructive_views_are_marked(name: str) -> None:
    from tests.portal.access.test_isolation import id_views

    params = dict(id_views()).get(name, [])
    url = reverse(name, kwargs={param: 1 for param in params})

    assert is_destructive(resolve(url).func)


def test_resending_an_invitation_is_not_destructive() -> None:
    assert not is_destructive(resolve(reverse("access:resend", kwargs={"invitation_id": 1})).func)


@pytest.fixture
def pending(in_demo: Any) -> Invitation:
    return invitation_create(actor=SYSTEM, email="new.hire@northwind.example", staff_role=StaffRole.MEMBER)


def test_revoking_without_confirmation_changes_nothing(owner: Client, pending: Invitation) -> None:
    response = owner.post(reverse("access:revoke", kwargs={"invitation_id": pending.pk}))

    assert response.status_code == 200  # the page that asks
    assert page(response.content).find("input", name="confirmed").attrs["value"] == "1"
    pending.refresh_from_db()
    assert pending.revoked_at is None


def test_revoking_once_confirmed_revokes(owner: Client, pending: Invitation) -> None:
    response = owner.post(reverse("access:revoke", kwargs={"invitation_id": pending.pk}), CONFIRMED)

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.revoked_at is not None


def test_the_team_page_revokes_through_a_confirmation_dialog(owner: Client, pending: Invitation) -> None:
    html = html_of(owner, reverse("access:team"))
    revoke = reverse("access:revoke", kwargs={"invitation_id": pending.pk})

    button_form = html.find("form", action=revoke, cls="inline-form")
    dialog = html.by_id(button_form.attrs["data-confirm"])
    assert dialog.tag == "dialog"
    assert dialog.find("form", action=revoke).find("input", name="confirmed").attrs["value"] == "1"
    resend = html.find("form", action=reverse("access:resend", kwargs={"invitation_id": pending.pk}))
    assert not resend.attrs.get("data-confirm")  # resending asks nothing


def test_deactivating_without_confirmation_changes_nothing(owner: Client) -> None:
    mia = StaffMembership.objects.get(user__email="mia.member@northwind.example")

    asked = owner.post(reverse("access:staff_deactivate", kwargs={"membership_id": mia.pk}))
    old_form = owner.post(reverse("access:staff_member", kwargs={"membership_id": mia.pk}), {"action": "deactivate"})

    assert asked.status_code == 200
    assert old_form.status_code == 200  # the role form, refused: no role chosen
    mia.user.refresh_from_db()
    assert mia.user.is_active


def test_deactivating_once_confirmed_ends_access(owner: Client) -> None:
    mia = StaffMembership.objects.get(user__email="mia.member@northwind.example")

    response = owner.post(reverse("access:staff_deactivate", kwargs={"membership_id": mia.pk}), CONFIRMED)

    assert response["Location"] == reverse("access:team")
    mia.user.refresh_from_db()
    assert not mia.user.is_active


def test_the_staff_page_deactivates_through_a_confirmation_dialog(owner: Client) -> None:
    mia = StaffMembership.objects.get(user__email="mia.member@northwind.example")
    action = reverse("access:staff_deactivate", kwargs={"membership_id": mia.pk})

    html = html_of(owner, reverse("access:staff_member", kwargs={"membership_id": mia.pk}))

    dialog = html.by_id(html.find("form", action=action, cls="inline-form").attrs["data-confirm"])
    assert dialog.find("input", name="confirmed").attrs["value"] == "1"
    role = html.find("select", name="role")
    assert html.find("label", for_=role.attrs["id"])


def test_ending_a_session_without_confirmation_changes_nothing(in_demo: Any) -> None:
    laptop, phone = browser("Laptop browser"), browser("Phone browser")
    sessions = laptop.get(reverse("access:profile")).context["sessions"]
    [session] = [s for s in sessions if s.user_agent == "Phone browser"]
    ending = reverse("access:end_session", kwargs={"session_id": session.public_id})

    assert laptop.post(ending).status_code == 200
    assert laptop.post(reverse("access:end_other_sessions")).status_code == 200
    assert is_signed_in(phone)

    laptop.post(ending, CONFIRMED)
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)


def test_ending_the_other_sessions_once_confirmed(in_demo: Any) -> None:
    laptop, phone = browser("Laptop browser"), browser("Phone browser")

    laptop.post(reverse("access:end_other_sessions"), CONFIRMED)

    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert UserSession.objects.filter(user__email="victor.viewer@contoso.example").count() == 1


def test_the_profile_marks_this_device_and_ends_the_others_through_dialogs(in_demo: Any) -> None:
    laptop, _phone = browser("Laptop browser"), browser("Phone browser")

    html = html_of(laptop, reverse("access:profile"))

    rows = html.find("table").find("tbody").find_all("tr")
    this = next(row for row in rows if "Laptop browser" in row.text)
    other = next(row for row in rows if "Phone browser" in row.text)
    assert "This device" in this.text
    assert not this.find_all("dialog")
    assert other.find("dialog").find("input", name="confirmed")
    end_others = html.find("form", action=reverse("access:end_other_sessions"), cls="inline-form")
    assert html.by_id(end_others.attrs["data-confirm"]).tag == "dialog"
