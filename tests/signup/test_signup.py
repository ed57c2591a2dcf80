"""Self-serve signup on the root site, the hand-off into the new portal, and "find my portal"."""

import io
import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django_tenants.utils import schema_context
from PIL import Image

from accounts.models import User
from signup.services import find_portal_send
from tenants.models import Tenant

pytestmark = pytest.mark.django_db
ROOT = {"host": "localhost"}
VALID = {
    "company_name": "Contoso Partners",
    "subdomain": "Contoso",
    "owner_name": "Carla Owner",
    "email": "Carla@Contoso.test",
    "password": "a-long-and-unusual-passphrase",
    "brand_color": "#0b6e4f",
}


def test_signup_lands_the_owner_signed_in_in_the_new_portal(client: Client) -> None:
    response = client.post("/signup/", VALID, headers=ROOT)

    assert response.status_code == 302
    match = re.fullmatch(r"http://contoso\.localhost/accounts/handoff/([\w-]+)/", response["Location"])
    assert match, response["Location"]
    tenant = Tenant.objects.get(slug="contoso")
    assert (tenant.name, tenant.brand_color, tenant.subscription.status) == ("Contoso Partners", "#0b6e4f", "trialing")

    landed = client.get(f"/accounts/handoff/{match[1]}/", headers={"host": "contoso.localhost"}, follow=True)
    assert landed.redirect_chain == [("/", 302)]

    assert landed.status_code == 200
    assert landed.resolver_match.view_name == "dashboard:home"
    assert b"Welcome, Carla" in landed.content
    assert b"Get your portal ready" in landed.content
    assert b"Brand your portal" in landed.content


def test_signup_sends_a_verification_link_to_the_new_portal(client: Client) -> None:
    client.post("/signup/", VALID, headers=ROOT)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    body, subject = str(message.body), str(message.subject)
    assert message.to == ["carla@contoso.test"]
    link = re.search(r"http://contoso\.localhost/accounts/confirm-email/[\w:-]+/", body)
    assert link, body
    assert "Contoso Partners" in subject + body

    confirmed = client.post(link[0].removeprefix("http://contoso.localhost"), headers={"host": "contoso.localhost"})

    assert confirmed.status_code == 302
    with schema_context("contoso"):
        assert EmailAddress.objects.get(user=User.objects.get()).verified


def test_the_handoff_link_works_once(client: Client) -> None:
    token_url = client.post("/signup/", VALID, headers=ROOT)["Location"].removeprefix("http://contoso.localhost")
    first = client.get(token_url, headers={"host": "contoso.localhost"})
    assert first.status_code == 302
    assert first["Location"] == "/"
    client.post("/accounts/logout/", headers={"host": "contoso.localhost"})

    again = client.get(token_url, headers={"host": "contoso.localhost"})

    assert again.status_code == 400
    assert b"cannot be used" in again.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("company_name", "", "This field is required."),
        ("subdomain", "ab", "at least 3 characters"),
        ("subdomain", "www", "is reserved"),
        ("subdomain", "demo", "already taken"),
        ("subdomain", "bad_name", "Use only letters"),
        ("email", "not-an-address", "Enter a valid email address."),
        ("password", "password", "too common"),
        ("password", "12345678901", "entirely numeric"),
        ("brand_color", "blue", "#RRGGBB"),
    ],
)
def test_each_bad_input_gets_its_own_form_error(client: Client, field: str, value: str, message: str) -> None:
    response = client.post("/signup/", {**VALID, field: value}, headers=ROOT)

    assert response.status_code == 400
    errors: dict[str, Any] = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert not Tenant.objects.filter(slug="contoso").exists()


def test_find_my_portal_answers_the_same_whether_or_not_the_address_exists(
    client: Client, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    sent: list[str] = []
    monkeypatch.setattr("signup.views.find_portal_send_task.delay", sent.append)

    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/find-my-portal/", {"email": "olivia.owner@northwind.example"}, headers=ROOT)
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post("/find-my-portal/", {"email": "nobody@nowhere.test"}, headers=ROOT)

    def normalise(body: bytes, email: str) -> bytes:
        body = body.replace(email.encode(), b"EMAIL")
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)

    assert known.status_code == unknown.status_code == 200
    assert normalise(known.content, "olivia.owner@northwind.example") == normalise(
        unknown.content, "nobody@nowhere.test"
    )
    assert sent == ["olivia.owner@northwind.example", "nobody@nowhere.test"]


def test_find_my_portal_mails_every_portal_of_the_address_and_nothing_to_strangers() -> None:
    assert find_portal_send(email="Olivia.Owner@northwind.example") == 2
    assert find_portal_send(email="nobody@nowhere.test") == 0

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    assert "Northwind Consulting: http://demo.localhost/" in str(message.body)
    assert "Fabrikam Advisors: http://other.localhost/" in str(message.body)
    assert message.alternatives


def test_signups_are_rate_limited_per_address(client: Client, settings: Any, clean_cache: None) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.SIGNUP_RATE = "2/h"
    for _ in range(2):
        client.post("/signup/", {**VALID, "subdomain": "ab"}, headers=ROOT)

    limited = client.post("/signup/", VALID, headers=ROOT)

    assert limited.status_code == 400
    assert b"Too many signups" in limited.content
    assert not Tenant.objects.filter(slug="contoso").exists()


def test_a_logo_given_at_signup_brands_the_new_portal(client: Client) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "#0b6e4f").save(buffer, "PNG")
    logo = SimpleUploadedFile("contoso.png", buffer.getvalue(), content_type="image/png")

    response = client.post("/signup/", {**VALID, "logo": logo}, headers=ROOT)

    assert response.status_code == 302
    assert Tenant.objects.get(slug="contoso").logo.name.startswith("contoso/branding/logo-")


def test_an_address_joins_find_my_portal_only_once_confirmed(client: Client) -> None:
    client.post("/signup/", VALID, headers=ROOT)
    assert find_portal_send(email="carla@contoso.test") == 0  # typed into a form: proves nothing

    link = re.search(r"http://contoso\.localhost(/accounts/confirm-email/[\w:-]+/)", str(mail.outbox[0].body))
    assert link
    client.post(link[1], headers={"host": "contoso.localhost"})

    assert find_portal_send(email="carla@contoso.test") == 1


def test_a_mail_failure_after_provisioning_still_lands_the_owner_in_the_portal(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def smtp_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("allauth.account.models.EmailAddress.send_confirmation", smtp_down)

    response = client.post("/signup/", VALID, headers=ROOT)

    assert response.status_code == 302
    assert "/accounts/handoff/" in response["Location"]
