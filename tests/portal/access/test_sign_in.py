"""Signing in: deactivation ends access at once, people see and end their sessions, new devices are e-mailed,
failed attempts are rate-limited."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession
from portal.access.models import StaffMembership, StaffRole
from portal.access.policy import actor_for
from portal.access.services import person_deactivate
from portal.clients.models import Contact

pytestmark = pytest.mark.django_db
HOST = {"host": "demo.localhost"}
PASSWORD = "northwind-demo-2026"
CONFIRMED = {"confirmed": "1"}  # what the confirmation dialog of a destructive action sends


def browser(user_agent: str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0") -> Client:
    return Client(headers={**HOST, "user-agent": user_agent})


def sign_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_a_deactivated_persons_live_session_is_refused_on_its_next_request(in_demo: Any) -> None:
    paula = browser()
    sign_in(paula, "paula.lead@contoso.example")
    assert paula.get("/").status_code == 200
    carla = Contact.objects.get(user__email="carla.admin@contoso.example").user

    person_deactivate(actor=actor_for(carla), user=Contact.objects.get(user__email="paula.lead@contoso.example").user)

    refused = paula.get("/")
    assert refused.status_code == 302
    assert refused["Location"].startswith("/accounts/login/")
    again = browser()
    assert sign_in(again, "paula.lead@contoso.example")["Location"] == "/accounts/inactive/"
    assert again.get("/").status_code == 302


def test_deactivating_through_the_staff_page_ends_access(in_demo: Any) -> None:
    victim = browser()
    sign_in(victim, "mia.member@northwind.example")
    owner = browser()
    sign_in(owner, "olivia.owner@northwind.example")
    mia = StaffMembership.objects.get(user__email="mia.member@northwind.example")

    owner.post(reverse("access:staff_deactivate", kwargs={"membership_id": mia.pk}), CONFIRMED)

    assert victim.get("/").status_code == 302
    assert not UserSession.objects.filter(user=mia.user).exists()


def test_an_admin_cannot_deactivate_an_owner(in_demo: Any) -> None:
    admin = browser()
    sign_in(admin, "adam.admin@northwind.example")
    owner = StaffMembership.objects.get(role=StaffRole.OWNER)

    response = admin.post(reverse("access:staff_deactivate", kwargs={"membership_id": owner.pk}), CONFIRMED)

    assert response.status_code == 404
    owner.user.refresh_from_db()
    assert owner.user.is_active


def test_people_see_their_sessions_and_end_the_others(in_demo: Any) -> None:
    laptop, phone = browser("Laptop browser"), browser("Phone browser")
    sign_in(laptop, "victor.viewer@contoso.example")
    sign_in(phone, "victor.viewer@contoso.example")

    page = laptop.get(reverse("access:profile"))
    assert b"Laptop browser" in page.content
    assert b"Phone browser" in page.content

    laptop.post(reverse("access:end_other_sessions"), CONFIRMED)

    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 200


def test_ending_one_session_by_id_only_works_on_ones_own(in_demo: Any) -> None:
    victor, carla = browser("Victor's"), browser("Carla's")
    sign_in(victor, "victor.viewer@contoso.example")
    sign_in(carla, "carla.admin@contoso.example")
    carlas_session = UserSession.objects.get(user__email="carla.admin@contoso.example")

    ending = reverse("access:end_session", kwargs={"session_id": carlas_session.public_id})
    assert victor.post(ending, CONFIRMED).status_code == 404
    assert carla.get("/").status_code == 200


def test_a_sign_in_from_a_new_device_is_e_mailed(in_demo: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(browser("First browser"), "frank.finance@contoso.example")
        sign_in(browser("First browser"), "frank.finance@contoso.example")
    assert [m for m in mail.outbox if "New sign-in" in str(m.subject)] == []

    with django_capture_on_commit_callbacks(execute=True):
        sign_in(browser("Unknown browser on a new laptop"), "frank.finance@contoso.example")

    [message] = [m for m in mail.outbox if "New sign-in" in str(m.subject)]
    assert message.to == ["frank.finance@contoso.example"]
    assert "Unknown browser on a new laptop" in str(message.body)
    assert "Northwind Consulting" in str(message.subject)


def test_failed_sign_ins_are_rate_limited(in_demo: Any, settings: Any, clean_cache: None) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,3/5m/key"}
    client = browser()
    for _ in range(3):
        assert sign_in(client, "carla.admin@contoso.example", "wrong-password").status_code == 200

    blocked = sign_in(client, "carla.admin@contoso.example")  # even the right password

    assert b"Too many failed login attempts" in blocked.content
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("host", ["localhost", "demo.localhost"])
def test_sign_in_pages_are_branded_for_their_site(host: str, in_demo: Any) -> None:
    page = Client().get("/accounts/login/", headers={"host": host})

    expected = b"Northwind Consulting" if host != "localhost" else b"Portico"
    assert expected in page.content
    assert b"sign up" not in page.content.lower()


def test_everyone_has_a_profile_page(as_user: Callable[[Any], Client]) -> None:
    for email in ("victor.viewer@contoso.example", "mia.member@northwind.example"):
        user = (
            Contact.objects.filter(user__email=email).first() or StaffMembership.objects.get(user__email=email)
        ).user
        client = as_user(user)
        assert client.post(reverse("access:profile"), {"full_name": "Renamed Person"}).status_code == 302
        user.refresh_from_db()
        assert user.full_name == "Renamed Person"


def test_expired_sessions_are_not_listed(in_demo: Any) -> None:
    from django.utils import timezone

    old, current = browser("Old browser"), browser("Current browser")
    sign_in(old, "victor.viewer@contoso.example")
    sign_in(current, "victor.viewer@contoso.example")
    old_key = old.cookies["sessionid"].value
    UserSession.objects.filter(session_key=old_key).update(expire_date=timezone.now())

    page = current.get(reverse("access:profile"))

    assert b"Current browser" in page.content
    assert b"Old browser" not in page.content
