"""The brand palette keeps WCAG 2.2 AA contrast whatever colour a provider picks, in both schemes, and the neutral
tokens of portico.css keep it too."""

import re
from pathlib import Path

import pytest

from branding.colours import (
    AA_NON_TEXT,
    AA_NORMAL_TEXT,
    DARK_SURFACES,
    DARK_TINTS,
    LIGHT_SURFACES,
    LIGHT_TINTS,
    contrast,
    palette,
    readable,
    theme_css,
)

PORTICO_BRAND = "#1f4e79"
STYLESHEET = Path(__file__).resolve().parents[2] / "platform/branding/static/branding/portico.css"

# Dark, light and mid colours, saturated and grey, including the worst case for white-or-ink text (mid grey-blue
# around luminance 0.2) and the extremes.
SPREAD = [
    "#000000", "#ffffff", "#0b1f3a", "#1f4e79", "#f5d90a", "#ffeb3b", "#808080", "#777777", "#6b8e9b",
    "#ff0000", "#00ff00", "#0000ff", "#ff7f50", "#e91e63", "#4caf50", "#9c27b0", "#00bcd4", "#795548",
    "#3f51b5", "#c0c0c0", "#2e2e2e", "#f0f0f0", "#5b7f95", "#7a6e5a", "#1a1a2e", "#fafad2", "#008080",
]  # fmt: skip
EVERY_HUE = [f"#{r:02x}{g:02x}{b:02x}" for r in range(0, 256, 51) for g in range(0, 256, 51) for b in range(0, 256, 51)]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("brand", SPREAD + EVERY_HUE)
def test_every_text_pair_reaches_4_5_and_every_focus_pair_3(brand: str, dark: bool) -> None:
    colours = palette(brand, dark=dark)
    surfaces = (DARK_SURFACES + DARK_TINTS) if dark else (LIGHT_SURFACES + LIGHT_TINTS)

    text_pairs = [(colours.on_accent, colours.accent), (colours.on_accent_soft, colours.accent_soft)]
    text_pairs += [(colours.accent_ink, surface) for surface in surfaces]
    focus_pairs = [(colours.focus, background) for background in (*surfaces, colours.accent_soft)]

    for text, background in text_pairs:
        assert contrast(text, background) >= AA_NORMAL_TEXT, (brand, text, background)
    for ring, background in focus_pairs:
        assert contrast(ring, background) >= AA_NON_TEXT, (brand, ring, background)


def test_a_readable_brand_colour_is_used_as_it_is() -> None:
    assert palette("#1f4e79").accent == "#1f4e79"
    assert palette("#1f4e79").accent_ink == "#1f4e79"


def test_a_too_light_brand_colour_is_darkened_for_text_but_keeps_its_hue() -> None:
    ink = palette("#f5d90a").accent_ink

    assert ink != "#f5d90a"
    red, green, blue = (int(ink[i : i + 2], 16) for i in (1, 3, 5))
    assert red > blue  # still a yellow, only darker
    assert green > blue


def test_readable_moves_toward_the_far_end_of_the_backgrounds() -> None:
    assert contrast(readable("#777777", ("#ffffff",)), "#ffffff") >= AA_NORMAL_TEXT
    assert contrast(readable("#777777", ("#0f1115",)), "#0f1115") >= AA_NORMAL_TEXT


def test_the_theme_sets_both_schemes() -> None:
    css = theme_css("#0b1f3a")

    assert css.count("--focus:") == 2
    assert "@media (prefers-color-scheme: dark)" in css


def _tokens(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-f]{6})", block))


def _schemes() -> list[dict[str, str]]:
    css = STYLESHEET.read_text()
    light = css[css.index(":root {") : css.index("@media (prefers-color-scheme: dark)")]
    dark = css[css.index("@media (prefers-color-scheme: dark)") : css.index("/* ---------- base")]
    return [_tokens(light), _tokens(dark)]


@pytest.mark.parametrize("scheme", [0, 1], ids=["light", "dark"])
def test_the_neutral_tokens_of_the_stylesheet_keep_aa_contrast(scheme: int) -> None:
    tokens = _schemes()[scheme]
    backgrounds = ["surface", "canvas", "surface-2"]
    pairs = [(text, bg) for text in ("text", "text-muted") for bg in backgrounds]
    pairs += [(tone, f"{tone}-soft") for tone in ("danger", "success", "warning", "info", "internal")]
    pairs += [("danger", "surface"), ("on-danger", "danger"), ("text", "danger-soft"), ("text", "internal-soft")]

    for text, background in pairs:
        assert contrast(tokens[text], tokens[background]) >= AA_NORMAL_TEXT, (text, background)
    for surface in backgrounds:  # form controls' borders are user-interface components (1.4.11)
        assert contrast(tokens["border-strong"], tokens[surface]) >= AA_NON_TEXT, surface


def test_the_stylesheet_surfaces_are_those_the_palette_is_computed_against() -> None:
    light, dark = _schemes()

    assert (light["surface"], light["canvas"], light["surface-2"]) == LIGHT_SURFACES
    assert (dark["surface"], dark["canvas"], dark["surface-2"]) == DARK_SURFACES
    tints = ("danger-soft", "success-soft", "warning-soft", "info-soft", "internal-soft")
    assert tuple(light[tint] for tint in tints) == LIGHT_TINTS
    assert tuple(dark[tint] for tint in tints) == DARK_TINTS


def test_the_stylesheet_defaults_are_portico_s_own_palette() -> None:
    """The root site loads no theme.css: its brand tokens are the palette of Portico's colour."""
    for tokens, dark in zip(_schemes(), (False, True), strict=True):
        expected = palette(PORTICO_BRAND, dark=dark)
        assert {name: tokens[name] for name in ("accent", "on-accent", "accent-ink", "accent-soft", "focus")} == {
            "accent": expected.accent,
            "on-accent": expected.on_accent,
            "accent-ink": expected.accent_ink,
            "accent-soft": expected.accent_soft,
            "focus": expected.focus,
        }
