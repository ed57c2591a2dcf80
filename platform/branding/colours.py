"""Brand colours that keep WCAG 2.2 AA contrast whatever the provider picks.

A provider picks one colour. The portal never uses it blindly: every colour a page draws with is derived from it
here and checked against the surfaces it sits on, in the light and the dark scheme. Text pairs reach 4.5:1 and
focus rings 3:1 (WCAG 1.4.3 and 1.4.11 / 2.4.13); `tests/branding/test_colours.py` checks a spread of colours."""

from dataclasses import dataclass

WHITE = "#ffffff"
BLACK = "#000000"
INK = "#1b1f24"
AA_NORMAL_TEXT = 4.5
AA_NON_TEXT = 3.0

# The neutral surfaces of portico.css, per scheme: keep in step with its `--surface*` and `--canvas` tokens.
LIGHT_SURFACES = ("#ffffff", "#f6f7f9", "#eef0f3")
DARK_SURFACES = ("#16181d", "#0f1115", "#1f232a")
DARK_INK = "#e8eaed"
# The tinted surfaces (danger, success, warning, info, internal notes): links and focus rings sit on them too.
LIGHT_TINTS = ("#fdecea", "#e3f5ea", "#fdf0dc", "#e8f0fe", "#fff6df")
DARK_TINTS = ("#3a1714", "#0f2a1c", "#33220d", "#13213b", "#2c2410")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(r: float, g: float, b: float) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(max(0, min(255, round(v))) for v in (r, g, b)))


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    r, g, b = _rgb(colour)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def mix(colour: str, other: str, amount: float) -> str:
    """`colour` moved `amount` (0…1) of the way toward `other`, in sRGB."""
    (r, g, b), (r2, g2, b2) = _rgb(colour), _rgb(other)
    return _hex(r + (r2 - r) * amount, g + (g2 - g) * amount, b + (b2 - b) * amount)


def readable(colour: str, backgrounds: tuple[str, ...], ratio: float = AA_NORMAL_TEXT) -> str:
    """The colour itself when it reaches `ratio` against every background, else the nearest shade (toward black
    on light backgrounds, toward white on dark ones) that does. Contrast grows monotonically along the way and
    ends at black or white, which reach 21:1 / ≥ 15:1 on our surfaces, so the loop always ends."""
    target = BLACK if luminance(backgrounds[0]) > 0.18 else WHITE
    for step in range(101):
        shade = mix(colour, target, step / 100)
        if all(contrast(shade, bg) >= ratio for bg in backgrounds):
            return shade
    return target


def text_on(background: str) -> str:
    """White or ink, whichever reads better on the background."""
    return WHITE if contrast(background, WHITE) >= contrast(background, INK) else INK


def ink_on_white(colour: str) -> str:
    """The colour itself when it is readable as text on white, else the closest darker shade that is."""
    return readable(colour, (WHITE,))


@dataclass(frozen=True)
class Palette:
    """Every brand-derived colour of one scheme, named as the CSS custom properties they become."""

    brand: str  # the provider's colour, for decoration only (a stripe, a logo tile)
    accent: str  # fills: primary buttons, the current navigation item's marker, pills
    on_accent: str  # text and icons on `accent`
    accent_ink: str  # links and accent text on every neutral surface
    accent_soft: str  # a tinted surface (the current navigation item, selected rows)
    on_accent_soft: str  # accent text on `accent_soft`
    focus: str  # the focus ring, on every neutral surface and on `accent_soft`

    def css(self) -> str:
        return "".join(f"  --{name.replace('_', '-')}: {value};\n" for name, value in self.__dict__.items())


def palette(brand: str, *, dark: bool = False) -> Palette:
    surfaces = (DARK_SURFACES + DARK_TINTS) if dark else (LIGHT_SURFACES + LIGHT_TINTS)
    on_accent = text_on(brand)
    # A mid colour can fall short with both white and ink (about 4.1:1 at worst): move the fill away from its text.
    accent = readable(brand, (on_accent,))
    accent_ink = readable(brand, surfaces)
    accent_soft = mix(surfaces[0], brand, 0.22 if dark else 0.12)
    on_accent_soft = readable(accent_ink, (accent_soft,))
    focus = readable(accent_ink, (*surfaces, accent_soft), AA_NON_TEXT)
    return Palette(brand, accent, on_accent, accent_ink, accent_soft, on_accent_soft, focus)


def theme_css(brand: str) -> str:
    """The portal's brand as a stylesheet: light palette, and the dark one under `prefers-color-scheme`."""
    return (
        f":root {{\n{palette(brand).css()}}}\n"
        f"@media (prefers-color-scheme: dark) {{\n:root {{\n{palette(brand, dark=True).css()}}}\n}}\n"
    )
