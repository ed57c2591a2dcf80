"""Two-factor authentication through allauth's pages on a portal: TOTP enrolment, sign-in with a code and with
a recovery code, and the portal's policy forcing enrolment."""

import time
from typing import Any

import pytest
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.db import connection
from django.test import Client

from accounts.models import User
from tenants.models import MfaPolicy, Tenant
from tenants.routing import ROUTER

pytestmark = pytest.mark.django_db
HOST = {"host": "demo.localhost"}
PASSWORD = "northwind-demo-2026"


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client: Client, email: str) -> Any:
    return client.post("/accounts/login/", {"login": email, "password": PASSWORD}, headers=HOST)


def activation_form(client: Client) -> Any:
    """allauth asks for the password again before a second factor is added."""
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    return client.get("/accounts/2fa/totp/activate/").context["form"]


def enrol_totp(email: str) -> str:
    """Sign in with the password, activate TOTP through allauth's page; returns the secret."""
    client = Client(headers=HOST)
    sign_in(client, email)
    form = activation_form(client)
    activated = client.post("/accounts/2fa/totp/activate/", {"code": current_code(form.secret)})
    assert activated.status_code == 302, activated.content
    cache.clear()  # allauth refuses a code twice; the next sign-in uses the same 30-second window
    return str(form.secret)


def set_policy(demo: Tenant, policy: str) -> None:
    Tenant.objects.filter(pk=demo.pk).update(mfa_policy=policy)
    ROUTER.clear()


def test_totp_enrolment_then_sign_in_with_a_code(in_demo: Any, clean_cache: None) -> None:
    secret = enrol_totp("adam.admin@northwind.example")
    user = User.objects.get(email="adam.admin@northwind.example")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    client = Client(headers=HOST)
    first_step = sign_in(client, "adam.admin@northwind.example")
    assert first_step["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/").status_code == 302  # not signed in with the password alone

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    done = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})

    assert done.status_code == 302
    assert client.get("/").status_code == 200


def test_sign_in_with_a_recovery_code_works_once(in_demo: Any, clean_cache: None) -> None:
    enrol_totp("adam.admin@northwind.example")
    user = User.objects.get(email="adam.admin@northwind.example")
    codes = RecoveryCodes(Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES))
    code = codes.get_unused_codes()[0]

    client = Client(headers=HOST)
    sign_in(client, "adam.admin@northwind.example")
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200

    again = Client(headers=HOST)
    sign_in(again, "adam.admin@northwind.example")
    assert again.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200
    assert again.get("/").status_code == 302


def test_a_staff_policy_forces_staff_to_enrol_but_not_contacts(in_demo: Tenant, clean_cache: None) -> None:
    set_policy(in_demo, MfaPolicy.STAFF)
    staff, contact = Client(headers=HOST), Client(headers=HOST)
    sign_in(staff, "mia.member@northwind.example")
    sign_in(contact, "victor.viewer@contoso.example")

    forced = staff.get("/")
    assert forced.status_code == 302
    assert forced["Location"] == "/accounts/2fa/"
    assert staff.get("/clients/").status_code == 302
    assert contact.get("/").status_code == 200

    secret = activation_form(staff).secret
    staff.post("/accounts/2fa/totp/activate/", {"code": current_code(secret)})

    assert staff.get("/").status_code == 200


def test_an_everyone_policy_forces_contacts_too(in_demo: Tenant, clean_cache: None) -> None:
    set_policy(in_demo, MfaPolicy.EVERYONE)
    contact = Client(headers=HOST)
    sign_in(contact, "victor.viewer@contoso.example")

    assert contact.get("/")["Location"] == "/accounts/2fa/"


def test_under_a_policy_the_last_second_factor_cannot_be_removed(in_demo: Tenant, clean_cache: None) -> None:
    enrol_totp("adam.admin@northwind.example")
    authenticator = Authenticator.objects.get(user__email="adam.admin@northwind.example", type=Authenticator.Type.TOTP)

    for policy, removable in ((MfaPolicy.STAFF, False), (MfaPolicy.OPTIONAL, True)):
        set_policy(in_demo, policy)
        # The adapter reads the policy from the connection's tenant.
        connection.set_tenant(Tenant.objects.get(pk=in_demo.pk))  # type: ignore[attr-defined]
        assert get_mfa_adapter().can_delete_authenticator(authenticator) is removable


def test_managers_set_the_policy_on_the_security_page(in_demo: Tenant, clean_cache: None) -> None:
    member = Client(headers=HOST)
    sign_in(member, "mia.member@northwind.example")
    assert member.get("/settings/security/").status_code == 404
    owner = Client(headers=HOST)
    sign_in(owner, "olivia.owner@northwind.example")

    saved = owner.post(
        "/settings/security/",
        {"mfa_policy": "staff", "unscanned_files": "flag", "time_zone": "America/New_York", "digest_hour": "7"},
    )
    assert saved.status_code == 302
    tenant = Tenant.objects.get(pk=in_demo.pk)
    assert (tenant.mfa_policy, tenant.unscanned_files, tenant.time_zone, tenant.digest_hour) == (
        "staff", "flag", "America/New_York", 7,
    )  # fmt: skip
    refused = owner.post(
        "/settings/security/", {"mfa_policy": "staff", "time_zone": "Mars/Olympus", "digest_hour": "7"}
    )
    assert "time_zone" in refused.context["form"].errors
