"""Every link the portal e-mails uses the configured SITE_SCHEME and SITE_PORT, never the Host the request
came with (a client can send any port; a proxy may forward its internal one)."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.models import Tenant
from tests.conftest import DEMO_HOST, ROOT_HOST, SHARED_EMAIL

pytestmark = pytest.mark.django_db
CONFIGURED = override_settings(SITE_SCHEME="https", SITE_PORT="8443")


def links_in(body: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", body)


@CONFIGURED
def test_the_password_reset_link_uses_the_configured_port_not_the_requests(client: Client) -> None:
    client.post(reverse("account_reset_password"), {"email": SHARED_EMAIL}, headers={"host": f"{DEMO_HOST}:9999"})

    [message] = mail.outbox
    [link] = [link for link in links_in(str(message.body)) if "/password/reset/key/" in link]
    assert link.startswith(f"https://{DEMO_HOST}:8443/accounts/password/reset/key/")
    assert ":9999" not in str(message.body)
    assert all(":9999" not in str(content) for content, _type in getattr(message, "alternatives", []))


@CONFIGURED
def test_the_reset_mail_for_an_unknown_address_uses_the_configured_port(client: Client) -> None:
    client.post(
        reverse("account_reset_password"), {"email": "nobody@nowhere.example"}, headers={"host": f"{DEMO_HOST}:9999"}
    )

    [message] = mail.outbox
    assert links_in(str(message.body))
    assert all(link.startswith(f"https://{DEMO_HOST}:8443/") for link in links_in(str(message.body)))


@CONFIGURED
def test_the_reset_link_on_the_root_site_uses_the_configured_port(client: Client) -> None:
    client.post(
        reverse("account_reset_password"), {"email": "nobody@nowhere.example"}, headers={"host": "localhost:9999"}
    )

    assert all(
        link.startswith(f"https://{ROOT_HOST}:8443/") for message in mail.outbox for link in links_in(str(message.body))
    )


@CONFIGURED
def test_the_confirmation_link_for_a_new_address_uses_the_configured_port(demo: Tenant) -> None:
    with tenant_context(demo):
        client = Client(headers={"host": f"{DEMO_HOST}:9999"})
        client.force_login(User.objects.get(email="victor.viewer@contoso.example"))
        client.post(reverse("account_email"), {"action_add": "", "email": "victor.second@contoso.example"})

    [message] = [message for message in mail.outbox if message.to == ["victor.second@contoso.example"]]
    [link] = [link for link in links_in(str(message.body)) if "/confirm-email/" in link]
    assert link.startswith(f"https://{DEMO_HOST}:8443/accounts/confirm-email/")
