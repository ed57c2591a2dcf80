"""allauth serves its pages on every portal and on the root site."""

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import DEMO_HOST, ROOT_HOST, SHARED_EMAIL

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", [ROOT_HOST, DEMO_HOST])
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/reset/", "/accounts/confirm-email/"])
def test_auth_pages_answer_on_root_and_portal(client: Client, host: str, path: str) -> None:
    assert client.get(path, headers={"host": host}).status_code == 200


def test_logout_ends_the_portal_session(client: Client, demo_password: str) -> None:
    client.post("/accounts/login/", {"login": SHARED_EMAIL, "password": demo_password}, headers={"host": DEMO_HOST})
    client.post("/accounts/logout/", headers={"host": DEMO_HOST})

    assert client.get("/", headers={"host": DEMO_HOST}).status_code == 302


def test_password_reset_mail_links_to_the_portal_it_was_asked_on(client: Client) -> None:
    client.post("/accounts/password/reset/", {"email": SHARED_EMAIL}, headers={"host": DEMO_HOST})

    assert len(mail.outbox) == 1
    assert "http://demo.localhost/accounts/password/reset/key/" in mail.outbox[0].body
