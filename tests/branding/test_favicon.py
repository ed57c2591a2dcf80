"""Every portal has its own favicon, drawn from its brand (colour, initial of its name); the root site has
Portico's; `/favicon.ico` answers on both, in every lifecycle state, and never 404s."""

import io
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import get_resolver
from PIL import IcoImagePlugin, Image

from branding import favicon
from branding.colours import INK, WHITE, text_on
from portal.access.http import guards_of
from tenants.models import DEFAULT_BRAND_COLOUR, Tenant
from tenants.routing import ROUTER
from tests.conftest import DEMO_HOST, OTHER_HOST, ROOT_HOST
from tests.portal.access.test_guards import OUTSIDE_PORTAL, views_of

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
ICONS = ["/favicon.ico", "/branding/favicon.svg", "/branding/apple-touch-icon.png"]


def get(host: str, url: str, **headers: str) -> Any:
    return Client(headers={"host": host, **headers}).get(url)


def rebrand(tenant: Tenant, *, colour: str, name: str) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(brand_color=colour, display_name=name)
    ROUTER.clear()


def drawn(svg_text: str) -> tuple[str, str, str]:
    """(square colour, letter, letter colour) of an icon's SVG, read as XML (so it must be well formed)."""
    root = ElementTree.fromstring(svg_text)  # noqa: S314  # our own output
    rect, text = root.find(f"{SVG}rect"), root.find(f"{SVG}text")
    assert rect is not None
    if text is None:
        return rect.get("fill", ""), "", ""
    return rect.get("fill", ""), text.text or "", text.get("fill", "")


def pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def pixels(image: Image.Image) -> list[tuple[int, ...]]:
    width, height = image.size
    return [pixel(image, (x, y)) for x in range(width) for y in range(height)]


def ico_images(data: bytes) -> dict[int, Image.Image]:
    """Each image of an icon file, by its width."""
    with Image.open(io.BytesIO(data)) as ico:
        assert isinstance(ico, IcoImagePlugin.IcoImageFile)
        return {size[0]: ico.ico.getimage(size).convert("RGBA") for size in ico.ico.sizes()}


@pytest.mark.parametrize("host", [DEMO_HOST, ROOT_HOST])
@pytest.mark.parametrize("url", ICONS)
def test_every_icon_answers_on_portals_and_the_root_site(demo: Tenant, host: str, url: str) -> None:
    response = get(host, url)

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert get(host, url, **{"If-None-Match": response["ETag"]}).status_code == 304
    assert Client(headers={"host": host}).head(url).status_code == 200


def test_a_portal_icon_is_its_brand_colour_with_its_initial_in_the_contrasting_colour(demo: Tenant) -> None:
    rebrand(demo, colour="#ffcc00", name="acme advisors")

    response = get(DEMO_HOST, "/branding/favicon.svg")

    assert response["Content-Type"] == "image/svg+xml"
    assert drawn(response.content.decode()) == ("#ffcc00", "A", INK)
    assert text_on("#ffcc00") == INK
    rebrand(demo, colour="#112233", name="Zeta")
    assert drawn(get(DEMO_HOST, "/branding/favicon.svg").content.decode()) == ("#112233", "Z", WHITE)


def test_the_root_site_has_portico_s_icon_and_each_portal_its_own(demo: Tenant, other: Tenant) -> None:
    rebrand(demo, colour="#aa3300", name="Northwind Consulting")

    assert drawn(get(ROOT_HOST, "/branding/favicon.svg").content.decode()) == (DEFAULT_BRAND_COLOUR, "P", WHITE)
    assert drawn(get(DEMO_HOST, "/branding/favicon.svg").content.decode())[:2] == ("#aa3300", "N")
    assert drawn(get(OTHER_HOST, "/branding/favicon.svg").content.decode())[:2] == (other.brand_color, "F")


def test_favicon_ico_is_a_real_icon_of_the_same_design(demo: Tenant) -> None:
    rebrand(demo, colour="#aa3300", name="Northwind Consulting")

    response = get(DEMO_HOST, "/favicon.ico")

    assert response["Content-Type"] == "image/x-icon"
    images = ico_images(response.content)
    assert set(images) == {16, 32, 48}
    for size, image in images.items():
        assert pixel(image, (size // 2, 1))[:3] == (0xAA, 0x33, 0x00), size  # the square, at the top edge
        assert pixel(image, (0, 0))[3] < 128, size  # rounded corners: transparent
    assert (255, 255, 255) in {pixel[:3] for pixel in pixels(images[48])}  # the initial, white on this dark colour


def test_the_touch_icon_is_an_opaque_180_pixel_png() -> None:
    response = get(ROOT_HOST, "/branding/apple-touch-icon.png")

    assert response["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (180, 180), "RGB")
        assert image.getpixel((0, 0)) == (0x1F, 0x4E, 0x79)


def test_the_versioned_url_is_cached_for_a_year_and_the_bare_one_for_a_day(demo: Tenant) -> None:
    page = get(DEMO_HOST, "/accounts/login/")
    version = page.context["favicon_version"]
    assert version == favicon.version(demo.brand_color, demo.portal_name)

    for url in ICONS:
        assert get(DEMO_HOST, f"{url}?v={version}")["Cache-Control"] == "public, max-age=31536000, immutable"
        assert get(DEMO_HOST, url)["Cache-Control"] == "public, max-age=86400"
        assert get(DEMO_HOST, f"{url}?v=stale")["Cache-Control"] == "public, max-age=86400"


def test_a_rebrand_changes_the_version_and_the_etag(demo: Tenant) -> None:
    before = get(DEMO_HOST, "/favicon.ico")["ETag"]
    version = get(DEMO_HOST, "/accounts/login/").context["favicon_version"]

    rebrand(demo, colour="#0b6e4f", name="Other Name")

    assert get(DEMO_HOST, "/favicon.ico")["ETag"] != before
    assert get(DEMO_HOST, "/accounts/login/").context["favicon_version"] != version
    assert get(DEMO_HOST, "/favicon.ico", **{"If-None-Match": before}).status_code == 200
    assert get(ROOT_HOST, "/accounts/login/").context["favicon_version"] == favicon.version(None, "Portico")


@pytest.mark.parametrize("status", ["read_only", "suspended", "canceled"])
def test_icons_answer_whatever_the_portal_s_state(
    demo: Tenant, set_status: Callable[[Tenant, str], None], status: str
) -> None:
    set_status(demo, status)

    for url in ICONS:
        response = get(DEMO_HOST, url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("image/"), url


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Northwind", "N"), ("  élan vital", "É"), ("3M Partners", "3"), ("<b>&amp;", "B"), ("ßeta", "ß"),
     ("Ωmega", "Ω"), ("日本", "日"), ("—", ""), ("", "")],
)  # fmt: skip
def test_the_initial_is_the_first_letter_or_digit(name: str, expected: str) -> None:
    assert favicon.initial(name) == expected


@pytest.mark.parametrize("letter", ["<", "&", '"', "É", "Ω", ""])
def test_the_svg_is_well_formed_whatever_the_letter_and_escapes_it(letter: str) -> None:
    text = favicon.svg("#1f4e79", letter)

    assert drawn(text)[:2] == ("#1f4e79", letter)
    assert "<<" not in text
    assert "&<" not in text


@pytest.mark.parametrize("letter", ["É", "Ω", "日", ""])
def test_raster_icons_draw_letters_the_bundled_font_lacks_as_a_plain_square(letter: str) -> None:
    """É is drawn as E; letters with no glyph leave the square plain rather than a "missing glyph" box."""
    images = ico_images(favicon.ico("#1f4e79", letter))
    whitest = max(max(pixel[:3]) for pixel in pixels(images[48]) if pixel[3] == 255)
    if letter == "É":
        assert whitest == 255
    else:
        assert whitest < 0x79 + 16  # the brand colour (#1f4e79), give or take the smoothing at the edges


def test_a_colour_that_is_not_a_colour_never_reaches_the_svg() -> None:
    assert favicon.brand_colour('#fff" onload="x') == DEFAULT_BRAND_COLOUR
    assert favicon.brand_colour("#AA3300") == "#aa3300"


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_public"])
def test_the_icons_are_public_assets_declared_like_the_theme_and_logo(urlconf: str) -> None:
    """Like `branding_assets:theme` and `:logo`: views of `branding.views` (a known module outside the portal
    in the guard walk, tests/portal/access/test_guards.py) that wear no portal guard, since anyone may load them."""
    found = {name: view for _, name, _, view in views_of(get_resolver(urlconf).url_patterns)}
    for name in ("favicon:ico", "favicon:svg", "favicon:touch"):
        assert found[name].__module__ == "branding.views", name
        assert guards_of(found[name]) == (), name
    assert "branding.views" in OUTSIDE_PORTAL
