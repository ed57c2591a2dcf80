"""Host → schema routing, the unknown-host page, and cookies that never cross portals."""

from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.test import Client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

from tests.conftest import DEMO_HOST, OTHER_HOST, ROOT_HOST, SHARED_EMAIL

pytestmark = pytest.mark.django_db


def sign_in(client: Client, host: str, email: str, password: str) -> "_MonkeyPatchedWSGIResponse":
    return client.post("/accounts/login/", {"login": email, "password": password}, headers={"host": host})


def test_root_host_is_served_by_the_public_urlconf(client: Client) -> None:
    response = client.get("/", headers={"host": ROOT_HOST})

    assert response.status_code == 200
    assert response.wsgi_request.urlconf == "config.urls_public"
    assert response.resolver_match.view_name == "website:landing"
    assert b"One secure space" in response.content


def test_root_host_with_a_port_is_still_the_public_site(client: Client) -> None:
    response = client.get("/", headers={"host": f"{ROOT_HOST}:8000"})

    assert response.resolver_match.view_name == "website:landing"


def test_demo_host_is_served_by_the_tenant_urlconf_in_the_demo_schema(client: Client, demo_password: str) -> None:
    anonymous = client.get("/", headers={"host": DEMO_HOST})
    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/login/?next=/"

    sign_in(client, DEMO_HOST, SHARED_EMAIL, demo_password)
    response = client.get("/", headers={"host": DEMO_HOST})

    assert response.status_code == 200
    assert response.wsgi_request.urlconf == "config.urls_tenant"
    assert response.wsgi_request.tenant.schema_name == "demo"  # type: ignore[attr-defined]
    assert response.resolver_match.view_name == "dashboard:home"
    assert b"Northwind Consulting" in response.content
    assert b"Olivia Owner" in response.content  # the user row of the demo schema, not of another one


def test_connection_is_back_on_public_after_a_tenant_request(client: Client) -> None:
    client.get("/accounts/login/", headers={"host": DEMO_HOST})

    assert connection.schema_name == "public"  # type: ignore[attr-defined]


def test_unknown_host_gets_a_404_that_names_no_tenant(client: Client) -> None:
    response = client.get("/", headers={"host": "ghost.localhost"})

    assert response.status_code == 404
    body = response.content.decode().lower()
    for revealing in ("ghost", "demo", "other", "tenant", "schema", "northwind", "localhost"):
        assert revealing not in body


def test_session_and_csrf_cookies_are_host_only(client: Client, demo_password: str) -> None:
    login_page = client.get("/accounts/login/", headers={"host": DEMO_HOST})
    signed_in = sign_in(client, DEMO_HOST, SHARED_EMAIL, demo_password)

    assert signed_in.status_code == 302
    assert login_page.cookies["csrftoken"]["domain"] == ""
    assert signed_in.cookies["sessionid"]["domain"] == ""
    assert "domain=" not in str(signed_in.cookies["sessionid"]).lower()
    assert "domain=" not in str(login_page.cookies["csrftoken"]).lower()


def test_a_session_made_on_one_portal_is_not_accepted_on_another(client: Client, demo_password: str) -> None:
    sign_in(client, DEMO_HOST, SHARED_EMAIL, demo_password)
    assert client.get("/", headers={"host": DEMO_HOST}).status_code == 200

    # The same browser cookie, the same e-mail address with an account there too: still signed out.
    on_other = client.get("/", headers={"host": OTHER_HOST})

    assert on_other.status_code == 302
    assert on_other["Location"].startswith("/accounts/login/")


def test_signup_through_allauth_is_closed_on_portals_and_root(client: Client) -> None:
    for host in (ROOT_HOST, DEMO_HOST):
        response = client.post(
            "/accounts/signup/",
            {"email": "newcomer@example.test", "password1": "a-long-password-1", "password2": "a-long-password-1"},
            headers={"host": host},
        )
        assert b"Sign Up Closed" in response.content or b"closed" in response.content.lower()


def test_disallowed_host_is_refused_with_400(client: Client) -> None:
    response = client.get("/", headers={"host": "evil.example.com"})

    assert response.status_code == 400
