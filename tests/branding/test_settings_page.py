"""The branding settings page: "Settings" with its tabs, each field labelled above with its help tied to it, the
current logo and the way to remove it, and a preview script served as a file (the CSP allows no inline script)."""

import io
import re
from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django_tenants.utils import tenant_context
from PIL import Image

from accounts.models import User
from tenants.models import Tenant
from tests.conftest import DEMO_HOST, SHARED_EMAIL

pytestmark = pytest.mark.django_db
URL = "/settings/branding/"


@pytest.fixture
def owner_client(demo: Tenant) -> Iterator[Client]:
    client = Client(headers={"host": DEMO_HOST})
    with tenant_context(demo):
        client.force_login(User.objects.get(email=SHARED_EMAIL))
        yield client


def test_the_page_is_settings_with_branding_as_the_current_tab(owner_client: Client) -> None:
    page = owner_client.get(URL).content.decode()

    assert re.search(r"<h1>\s*Settings\s*</h1>", page)
    tabs = page.split('<nav class="tabs"')[1].split("</nav>")[0]
    assert '<a href="/settings/branding/" aria-current="page">Branding</a>' in tabs
    assert '<a href="/settings/security/">Security</a>' in tabs


def test_each_field_has_its_label_above_and_its_help_tied_to_it(owner_client: Client) -> None:
    page = owner_client.get(URL).content.decode()

    for name in ("display_name", "brand_color", "logo"):
        label, field = page.find(f'<label for="id_{name}"'), page.find(f'id="id_{name}"')
        assert 0 < label < field, name
        assert re.search(rf'<input[^>]*aria-describedby="id_{name}_helptext"[^>]*id="id_{name}"', page), name
        assert f'<p class="field-help" id="id_{name}_helptext">' in page, name
    assert 'placeholder="Northwind Consulting"' in page  # what an empty portal name falls back to
    assert "clear_logo" not in page  # nothing to remove yet


def test_with_a_logo_the_page_shows_it_and_offers_to_remove_it(owner_client: Client, demo: Tenant) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "#aa3300").save(buffer, "PNG")
    demo.logo.save("logo.png", ContentFile(buffer.getvalue()), save=True)

    page = owner_client.get(URL).content.decode()

    assert re.search(r'<img class="logo-preview" src="/branding/logo" alt="Current logo">', page)
    checkbox, label = page.find('id="id_clear_logo"'), page.find('<label for="id_clear_logo">Remove the current logo')
    assert 0 < checkbox < label  # a checkbox's label sits beside it, after
    assert 'aria-describedby="id_clear_logo_helptext"' in page


def test_the_live_preview_is_a_static_script_and_no_style_is_inline(owner_client: Client) -> None:
    page = owner_client.get(URL).content.decode()

    assert re.search(r'<script src="/static/branding/brand-preview\.js" defer></script>', page)
    assert "data-brand-preview" in page
    assert 'data-colour-input="id_brand_color"' in page
    assert "<script>" not in page
    assert ' style="' not in page
