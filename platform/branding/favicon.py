"""A favicon for every portal, drawn from its brand: a rounded square in the brand colour with the initial of the
portal's name, in the text colour that reads best on it (`branding.colours.text_on`). The root site gets
Portico's own. The same design comes as SVG (modern browsers), as a multi-size ICO (`/favicon.ico`, which
browsers ask for on their own) and as a 180 px PNG for home screens (`apple-touch-icon`).

Each drawing depends only on (colour, initial), so it is rendered once per process for each pair (lru_cache);
`version()` names that pair in URLs (`?v=`), so a rebranded portal gets a new URL and browsers may keep each
version for a year."""

import hashlib
import io
import re
import unicodedata
from functools import lru_cache
from html import escape

from PIL import Image, ImageDraw, ImageFont

from branding.colours import text_on
from tenants.models import DEFAULT_BRAND_COLOUR

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
ICO_SIZES = (16, 32, 48)
TOUCH_SIZE = 180
FONT_STACK = "system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"


def brand_colour(colour: object) -> str:
    """`#rrggbb`, or Portico's colour when the value is anything else (it goes into SVG and CSS as is)."""
    value = str(colour or "")
    return value.lower() if COLOUR.fullmatch(value) else DEFAULT_BRAND_COLOUR


def initial(name: object) -> str:
    """The first letter or digit of the name, upper-cased ("acme" → "A", "3M" → "3", "élan" → "É"); empty
    when the name has none (the icon is then the plain square)."""
    for char in unicodedata.normalize("NFC", str(name or "")):
        if char.isalnum():
            upper = char.upper()
            return upper if len(upper) == 1 else char  # "ß".upper() is "SS": keep one character
    return ""


def version(colour: object, name: object) -> str:
    """What the icon looks like, as a short token for cache-busting URLs (`?v=`)."""
    key = f"{brand_colour(colour)}|{initial(name)}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


@lru_cache(maxsize=512)
def svg(colour: str, letter: str) -> str:
    """The icon as SVG text. `colour` must come through `brand_colour` and `letter` through `initial`; the
    letter is escaped all the same."""
    foreground = text_on(colour)
    text = (
        f'<text x="32" y="32" dy=".35em" text-anchor="middle" font-family="{FONT_STACK}" font-size="38" '
        f'font-weight="700" fill="{foreground}">{escape(letter)}</text>'
        if letter
        else ""
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">'
        f'<rect width="64" height="64" rx="14" fill="{colour}"/>{text}</svg>\n'
    )


def _drawable(letter: str) -> str:
    """The letter as the bundled font can draw it: itself, else its base letter ("É" → "E"), else nothing
    (the font has Latin letters and digits only, and a box for a missing glyph would look broken)."""
    font = ImageFont.load_default(size=64)
    missing = bytes(font.getmask("\ue000"))  # a private-use code point: the font's "no glyph" box
    for candidate in (letter, unicodedata.normalize("NFD", letter)[:1]):
        if candidate and bytes(font.getmask(candidate)) != missing:
            return candidate
    return ""


def _image(colour: str, letter: str, size: int, *, rounded: bool) -> Image.Image:
    """The icon drawn four times larger and scaled down, so edges and the letter are smooth at small sizes."""
    scale = 4
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, side - 1, side - 1), radius=round(side * 14 / 64), fill=colour)
    else:
        draw.rectangle((0, 0, side - 1, side - 1), fill=colour)
    drawable = _drawable(letter)
    if drawable:
        foreground = text_on(colour)
        font = ImageFont.load_default(size=round(side * 0.6))
        # The bundled font has no bold: a stroke of its own colour thickens the letter.
        draw.text(
            (side / 2, side / 2), drawable, font=font, fill=foreground, anchor="mm",
            stroke_width=max(1, side // 40), stroke_fill=foreground,
        )  # fmt: skip
    return image.resize((size, size), Image.Resampling.LANCZOS)


@lru_cache(maxsize=512)
def ico(colour: str, letter: str) -> bytes:
    """The icon as a Windows icon file holding 16, 32 and 48 px images, each drawn at its own size."""
    images = [_image(colour, letter, size, rounded=True) for size in ICO_SIZES]
    buffer = io.BytesIO()
    images[-1].save(buffer, "ICO", sizes=[(size, size) for size in ICO_SIZES], append_images=images[:-1])
    return buffer.getvalue()


@lru_cache(maxsize=512)
def touch_png(colour: str, letter: str) -> bytes:
    """The 180 px home-screen icon: a full square (the device rounds the corners itself), no transparency."""
    buffer = io.BytesIO()
    _image(colour, letter, TOUCH_SIZE, rounded=False).convert("RGB").save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
