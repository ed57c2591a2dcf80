"""Sessions that can always be ended: a session's key is rotated at sign-in, at the second-factor step and on a
password change, and "your sessions", "end other sessions" and deactivation must follow it every time."""

import time
from importlib import import_module
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.models import StaffMembership

pytestmark = pytest.mark.django_db
HOST = {"host": "demo.localhost"}
PASSWORD = "northwind-demo-2026"
CONFIRMED = {"confirmed": "1"}  # what the confirmation dialog of a destructive action sends
NEW_PASSWORD = "a-fresh-passphrase-2027"
VICTOR = "victor.viewer@contoso.example"


def browser(user_agent: str) -> Client:
    return Client(headers={**HOST, "user-agent": user_agent})


def sign_in(client: Client, email: str, password: str = PASSWORD) -> Any:
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302, response.content
    return response


def signed_in(client: Client) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
        return False
    assert response.status_code == 200
    return True


def change_password(client: Client) -> None:
    changed = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302, changed.content


def stored_sessions_of(user: User) -> list[str]:
    """Keys of every stored session signed in as `user`, whatever the session engine stores them in."""
    model = import_module(settings.SESSION_ENGINE).SessionStore.get_model_class()
    return [
        session.session_key
        for session in model.objects.all()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]


def test_ending_the_other_sessions_ends_one_whose_key_a_password_change_rotated(in_demo: Any) -> None:
    a, b, c = browser("Browser A"), browser("Browser B"), browser("Browser C")
    sign_in(a, VICTOR)
    sign_in(b, VICTOR)

    change_password(a)
    assert signed_in(a)
    assert not signed_in(b)  # Django signs the other sessions out on a password change

    sign_in(c, VICTOR, NEW_PASSWORD)
    ended = c.post(reverse("access:end_other_sessions"), CONFIRMED)
    assert ended.status_code == 302

    assert not signed_in(a)
    assert signed_in(c)


def test_the_sessions_page_lists_every_live_session_after_a_password_change(in_demo: Any) -> None:
    a, b, c = browser("Browser A"), browser("Browser B"), browser("Browser C")
    sign_in(a, VICTOR)
    sign_in(b, VICTOR)
    change_password(a)
    sign_in(c, VICTOR, NEW_PASSWORD)

    page = c.get(reverse("access:profile")).content.decode()

    assert "Browser A" in page
    assert "Browser C" in page
    assert "Browser B" not in page  # signed out by the password change
    assert a.cookies["sessionid"].value not in page  # a session is named without its key


def test_ending_one_session_follows_a_rotated_key(in_demo: Any) -> None:
    a, c = browser("Browser A"), browser("Browser C")
    sign_in(a, VICTOR)
    change_password(a)
    sign_in(c, VICTOR, NEW_PASSWORD)
    [session] = [s for s in c.get(reverse("access:profile")).context["sessions"] if s.user_agent == "Browser A"]

    c.post(reverse("access:end_session", kwargs={"session_id": session.public_id}), CONFIRMED)

    assert not signed_in(a)
    assert signed_in(c)


def test_one_cannot_end_the_current_session_by_its_id(in_demo: Any) -> None:
    a = browser("Browser A")
    sign_in(a, VICTOR)
    key = a.cookies[settings.SESSION_COOKIE_NAME].value
    [session] = [s for s in a.get(reverse("access:profile")).context["sessions"] if s.session_key == key]

    ending = reverse("access:end_session", kwargs={"session_id": session.public_id})
    assert a.post(ending, CONFIRMED).status_code == 404
    assert signed_in(a)


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def enrol_totp(email: str) -> str:
    client = browser("Enrolment browser")
    sign_in(client, email)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    form = client.get("/accounts/2fa/totp/activate/").context["form"]
    assert client.post("/accounts/2fa/totp/activate/", {"code": current_code(form.secret)}).status_code == 302
    client.post(reverse("account_logout"))
    return str(form.secret)


def sign_in_with_totp(client: Client, email: str, secret: str, password: str = PASSWORD) -> None:
    cache.clear()  # allauth refuses a code used once; every sign-in here falls in the same 30-second window
    assert sign_in(client, email, password)["Location"] == "/accounts/2fa/authenticate/"
    assert client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)}).status_code == 302


def test_ending_the_other_sessions_after_a_password_change_with_a_second_factor(
    in_demo: Any, clean_cache: None
) -> None:
    secret = enrol_totp("adam.admin@northwind.example")
    a, b, c = browser("Browser A"), browser("Browser B"), browser("Browser C")
    sign_in_with_totp(a, "adam.admin@northwind.example", secret)
    sign_in_with_totp(b, "adam.admin@northwind.example", secret)

    change_password(a)
    assert signed_in(a)
    assert not signed_in(b)

    sign_in_with_totp(c, "adam.admin@northwind.example", secret, NEW_PASSWORD)
    c.post(reverse("access:end_other_sessions"), CONFIRMED)

    assert not signed_in(a)
    assert signed_in(c)


def test_ending_the_other_sessions_ends_one_signed_in_with_a_second_factor(in_demo: Any, clean_cache: None) -> None:
    secret = enrol_totp("adam.admin@northwind.example")
    a, c = browser("Browser A"), browser("Browser C")
    sign_in_with_totp(a, "adam.admin@northwind.example", secret)
    sign_in_with_totp(c, "adam.admin@northwind.example", secret)
    assert signed_in(a)

    page = c.get(reverse("access:profile")).content
    assert b"Browser A" in page
    assert b"Browser C" in page
    c.post(reverse("access:end_other_sessions"), CONFIRMED)

    assert not signed_in(a)
    assert signed_in(c)


def test_deactivation_ends_every_session_including_rotated_ones(in_demo: Any) -> None:
    mia = User.objects.get(email="mia.member@northwind.example")
    a, b, owner = browser("Browser A"), browser("Browser B"), browser("Owner's browser")
    sign_in(a, mia.email)
    sign_in(b, mia.email)
    change_password(a)
    sign_in(owner, "olivia.owner@northwind.example")
    membership = StaffMembership.objects.get(user=mia)

    owner.post(reverse("access:staff_deactivate", kwargs={"membership_id": membership.pk}), CONFIRMED)

    assert stored_sessions_of(mia) == []
    User.objects.filter(pk=mia.pk).update(is_active=True)  # even were the account enabled again
    assert not signed_in(a)
    assert not signed_in(b)
