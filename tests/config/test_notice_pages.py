"""The pages that stand in for a site: the unknown-host page (rendered without a request) and the lifecycle
notices, both on the entrance layout."""

from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django_tenants.utils import tenant_context

from accounts.models import User
from tenants.models import Tenant
from tests.conftest import DEMO_HOST, SHARED_EMAIL

pytestmark = pytest.mark.django_db


def test_the_unknown_host_page_renders_without_any_context_and_brings_its_stylesheet() -> None:
    page = render_to_string("errors/unknown_host.html")

    assert '<link rel="stylesheet" href="/static/branding/portico.css">' in page
    assert '<main id="main" class="entrance-card">' in page
    assert "<h1>Not found</h1>" in page
    assert "<a " not in page  # it names and links nothing


def test_an_unknown_host_gets_that_page(client: Client) -> None:
    response = client.get("/", headers={"host": "nowhere.localhost"})

    assert response.status_code == 404
    assert b"portico.css" in response.content


@pytest.mark.parametrize("status", ["suspended", "canceled"])
def test_a_signed_in_person_sees_the_notice_in_the_entrance_layout_with_a_way_out(
    demo: Tenant, set_status: Callable[[Tenant, str], None], status: str
) -> None:
    client = Client(headers={"host": DEMO_HOST})
    with tenant_context(demo):
        client.force_login(User.objects.get(email=SHARED_EMAIL))
    set_status(demo, status)

    response = client.get("/")

    page = response.content.decode()
    assert response.status_code == 403
    assert '<main id="main" tabindex="-1" class="entrance-card">' in page
    assert 'class="sidebar"' not in page  # the shell's links would only lead back here
    assert 'action="/accounts/logout/"' in page
    assert 'href="mailto:support@portico.example"' in page  # the owner's next step
    assert page.count("<h1") == 1


def test_an_anonymous_visitor_of_a_suspended_portal_is_offered_the_owner_s_sign_in(
    client: Client, demo: Tenant, set_status: Callable[[Tenant, str], None]
) -> None:
    set_status(demo, "suspended")

    page: Any = client.get("/", headers={"host": DEMO_HOST})

    assert page.status_code == 403
    assert b"This portal is unavailable for now" in page.content
    assert b'href="/accounts/login/"' in page.content
    assert b"Northwind Consulting" in page.content  # the portal's name, under its brand tile
