"""A portal's name, colour and logo: set by owners and admins, shown in pages, the theme and e-mails."""

import io
import re
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from PIL import Image

from branding.colours import AA_NORMAL_TEXT, WHITE, contrast, ink_on_white, text_on
from tenants.models import Tenant
from tests.conftest import DEMO_HOST, SHARED_EMAIL

pytestmark = pytest.mark.django_db
HOST = {"host": DEMO_HOST}


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), "#aa3300").save(buffer, "PNG")
    return SimpleUploadedFile("whatever.name", buffer.getvalue(), content_type="image/png")


def sign_in(client: Client, email: str, password: str) -> None:
    client.post("/accounts/login/", {"login": email, "password": password}, headers=HOST)


def test_an_owner_sets_name_colour_and_logo_and_the_portal_shows_them(
    client: Client, demo: Tenant, demo_password: str, django_capture_on_commit_callbacks: Any
) -> None:
    sign_in(client, SHARED_EMAIL, demo_password)

    with django_capture_on_commit_callbacks(execute=True):  # the routing change is published after commit
        saved = client.post(
            "/settings/branding/",
            {"display_name": "Northwind Client Space", "brand_color": "#AA3300", "logo": png()},
            headers=HOST,
        )

    assert saved.status_code == 302
    tenant = Tenant.objects.get(pk=demo.pk)
    assert (tenant.display_name, tenant.brand_color) == ("Northwind Client Space", "#aa3300")
    assert re.fullmatch(r"demo/branding/logo-[0-9a-f]{8}\.png", tenant.logo.name)
    home = client.get("/", headers=HOST)
    assert b"Northwind Client Space" in home.content
    assert b'href="/branding/theme.css?v=aa3300"' in home.content
    theme = client.get("/branding/theme.css", headers=HOST)
    assert b"--brand: #aa3300;" in theme.content
    logo = client.get("/branding/logo", headers=HOST)
    assert logo["Content-Type"] == "image/png"
    assert b"".join(logo.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(
    client: Client, demo: Tenant, demo_password: str
) -> None:
    sign_in(client, SHARED_EMAIL, demo_password)
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")

    response = client.post("/settings/branding/", {"brand_color": "#112233", "logo": fake}, headers=HOST)

    assert response.status_code == 200
    assert "must be a PNG, JPEG or WebP image" in " ".join(response.context["form"].errors["logo"])
    assert not Tenant.objects.get(pk=demo.pk).logo


def test_staff_members_cannot_reach_the_branding_settings(client: Client, demo_password: str) -> None:
    sign_in(client, "mia.member@northwind.example", demo_password)

    assert client.get("/settings/branding/", headers=HOST).status_code == 404
    assert b"/settings/branding/" not in client.get("/", headers=HOST).content


def test_password_reset_mail_carries_the_portal_name_and_colour(client: Client) -> None:
    client.post("/accounts/password/reset/", {"email": SHARED_EMAIL}, headers=HOST)

    message = mail.outbox[0]
    assert isinstance(message, EmailMultiAlternatives)
    html = str(message.alternatives[0][0])
    assert "Northwind Consulting" in message.body
    assert "Northwind Consulting" in html
    assert "#1f4e79" in html


@pytest.mark.parametrize("colour", ["#ffff00", "#1f4e79", "#00ff00", "#777777", "#000000", "#ffffff"])
def test_theme_colours_keep_aa_contrast_whatever_the_brand(colour: str) -> None:
    assert contrast(colour, text_on(colour)) >= 3  # large, bold header text
    assert contrast(ink_on_white(colour), WHITE) >= AA_NORMAL_TEXT


def test_a_decompression_bomb_is_refused_with_a_form_error(client: Client, demo: Tenant, demo_password: str) -> None:
    """A tiny PNG that declares 30000 x 30000 pixels: refused from its header, never decoded."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )
    sign_in(client, SHARED_EMAIL, demo_password)

    response = client.post(
        "/settings/branding/",
        {"brand_color": "#112233", "logo": SimpleUploadedFile("bomb.png", bomb, content_type="image/png")},
        headers=HOST,
    )

    assert response.status_code == 200
    assert "at most 4096 pixels" in " ".join(response.context["form"].errors["logo"])


def test_a_logo_wider_than_the_limit_is_refused(client: Client, demo: Tenant, demo_password: str) -> None:
    buffer = io.BytesIO()
    Image.new("1", (5000, 1)).save(buffer, "PNG")
    sign_in(client, SHARED_EMAIL, demo_password)

    response = client.post(
        "/settings/branding/",
        {"brand_color": "#112233", "logo": SimpleUploadedFile("wide.png", buffer.getvalue(), content_type="image/png")},
        headers=HOST,
    )

    assert "at most 4096 pixels" in " ".join(response.context["form"].errors["logo"])
