"""The living style guide (`/_styleguide/` on portal hosts): every component in every state, in development only."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from branding.styleguide import BUTTON_VARIANTS, PILL_TONES, TOKENS, sample_times
from branding.templatetags.ui import relative
from portal.access.http import PUBLIC, guards_of
from tenants.models import Tenant
from tests.config.test_production_settings import manage
from tests.conftest import DEMO_HOST, ROOT_HOST, SHARED_EMAIL
from tests.portal.access.test_guards import OUTSIDE_PORTAL, views_of

pytestmark = pytest.mark.django_db
URL = "/_styleguide/"

# What each component leaves in the page (class names and attributes of templates/cotton/ and portico.css).
MARKERS = {
    "page header with crumbs and actions": ['class="page-header"', 'class="breadcrumbs"', 'class="actions"'],
    "tabs": ['class="tabs"', 'aria-current="page"'],
    "buttons": [*(f"btn btn-{variant}" for variant in BUTTON_VARIANTS), "btn-sm", "btn-icon", "btn-link", " disabled"],
    "fields": ["<select", "<textarea", 'type="checkbox"', 'type="radio"', 'type="file"', 'type="email"',
               'class="field-help"', 'class="field-errors"', 'aria-invalid="true"', '<fieldset class="field choices'],
    "error summary": ['class="error-summary"', "data-error-summary", "An organisation with this name already exists."],
    "form": ['class="form-actions"', "Send invitation"],
    "cards": ['class="card', 'class="card-header"', 'class="card-footer"', 'class="feed"'],
    "table": ['class="table-wrap"', 'class="table"', 'data-label="Document"', 'class="row-actions"'],
    "pagination": ['class="pagination"', 'rel="prev"', 'rel="next"', "11\N{EN DASH}20 of 47"],
    "pills": [*(f"pill pill-{tone}" for tone in PILL_TONES), "plain"],
    "badges and counts": ['class="badge"', 'class="count"'],
    "empty state": ['class="empty"', "No documents yet", "Upload a document"],
    "confirm dialog": ['<dialog class="dialog"', 'name="confirmed" value="1"', "Delete this document?"],
    "messages": [f"message message-{level}" for level in ("success", "info", "warning", "error")],
    "avatars and people": ["avatar tone-", "avatar-lg", 'class="person"'],
    "needs": ['class="needs"', 'class="need"', "unread comments"],
    "comments": ['class="comment"', 'class="comment internal"', 'class="internal-label"', 'class="mention"'],
    "colour tokens": [f'class="sg-{token}"' for token in TOKENS],
}  # fmt: skip


@pytest.fixture
def owner(demo: Tenant) -> Iterator[User]:
    with tenant_context(demo):
        yield User.objects.get(email=SHARED_EMAIL)


def portal_client(user: User | None = None) -> Client:
    client = Client(headers={"host": DEMO_HOST})
    if user is not None:
        client.force_login(user)
    return client


def test_in_debug_the_style_guide_shows_every_component_in_the_portals_brand(demo: Tenant, settings: Any) -> None:
    settings.DEBUG = True

    response = portal_client().get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    missing = {name: [m for m in markers if m not in page] for name, markers in MARKERS.items()}
    assert {name: found for name, found in missing.items() if found} == {}
    assert f'href="/branding/theme.css?v={demo.brand_color[1:]}"' in page  # the portal's own brand
    assert page.count("<h1") == 1
    assert ' style="' not in page  # nothing the CSP would refuse
    assert "<script>" not in page


def test_the_style_guide_shows_each_wording_of_relative_times(demo: Tenant, settings: Any) -> None:
    settings.DEBUG = True

    page = portal_client().get(URL).content.decode()

    now = timezone.now()
    expected = [relative(when) for _, when in sample_times(now)]
    assert expected[:5] == ["just now", "12 min ago", "3 hours ago", "yesterday", "4 days ago"]
    assert expected[6] == "in 3 days"
    assert str(now.year - 1) in expected[5] or str((now - timedelta(days=400)).year) in expected[5]
    for wording in expected:
        assert f">{wording}</time>" in page, wording


def test_signed_in_staff_see_the_style_guide_inside_the_app_shell(owner: User, settings: Any) -> None:
    settings.DEBUG = True

    page = portal_client(owner).get(URL).content.decode()

    assert 'class="sidebar"' in page
    assert 'class="error-summary"' in page


def test_the_style_guide_can_be_switched_on_without_debug(demo: Tenant, settings: Any) -> None:
    settings.DEBUG = False
    settings.STYLEGUIDE_ENABLED = True

    assert portal_client().get(URL).status_code == 200


def test_outside_development_the_style_guide_is_not_found_for_anyone(owner: User, settings: Any) -> None:
    settings.DEBUG = False
    settings.STYLEGUIDE_ENABLED = False

    assert portal_client().get(URL).status_code == 404
    assert portal_client(owner).get(URL).status_code == 404


def test_the_root_site_has_no_style_guide(settings: Any) -> None:
    settings.DEBUG = True

    assert Client(headers={"host": ROOT_HOST}).get(URL).status_code == 404


def test_the_style_guide_writes_nothing(owner: User, settings: Any) -> None:
    settings.DEBUG = True
    client = portal_client(owner)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200

    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_the_style_guide_wears_the_public_guard_and_is_declared_outside_the_portal() -> None:
    patterns = get_resolver("config.urls_tenant").url_patterns
    [view] = [view for _, name, _, view in views_of(patterns) if name == "styleguide"]

    assert guards_of(view) == (PUBLIC,)
    assert view.__module__ in OUTSIDE_PORTAL


def test_production_settings_keep_the_style_guide_off_whatever_the_environment_says() -> None:
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.STYLEGUIDE_ENABLED)",
        SECRET_KEY="x" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
        DATABASE_URL="postgres://u@db/portico",
        REDIS_URL="redis://r:6379/0",
        EMAIL_URL="smtp+tls://mailer:pw@smtp.example.com:587",
        DEBUG="true",
        STYLEGUIDE_ENABLED="true",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False False"
