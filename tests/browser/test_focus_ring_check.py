"""The keyboard journey's focus-indicator check (tests.browser.keyboard), on computed styles written by hand: it
must pass a real ring and refuse a thin, missing or faint one, so a green keyboard journey means something."""

from typing import Any

import pytest

from tests.browser.keyboard import check_focus, contrast_ratio, flatten, parse_colour, shadow_rings

pytestmark = [pytest.mark.browser]
WHITE, CANVAS = "rgb(255, 255, 255)", "rgb(246, 247, 249)"


def style(**overrides: Any) -> dict[str, Any]:
    base = {
        "element": "a",
        "outlineStyle": "solid",
        "outlineWidth": 2.0,
        "outlineColor": "rgb(11, 31, 58)",
        "outlineInside": False,
        "boxShadow": "none",
        "outside": [{"colour": WHITE, "on": "main"}],
        "inside": [{"colour": "rgba(0, 0, 0, 0)", "on": "a"}, {"colour": WHITE, "on": "main"}],
    }
    return base | overrides


def test_wcag_contrast_of_known_pairs() -> None:
    assert contrast_ratio(parse_colour("rgb(0, 0, 0)"), parse_colour(WHITE)) == pytest.approx(21.0)
    assert contrast_ratio(parse_colour("rgb(118, 118, 118)"), parse_colour(WHITE)) == pytest.approx(4.54, abs=0.01)
    assert parse_colour("color(srgb 1 0 0 / 0.5)") == (255.0, 0.0, 0.0, 0.5)
    # A half-transparent black over white shows mid grey.
    assert flatten(["rgba(0, 0, 0, 0.5)", WHITE])[:3] == (127.5, 127.5, 127.5)


@pytest.mark.parametrize(
    ("overrides", "ok"),
    [
        ({}, True),  # a dark 2 px outline on white
        ({"outlineWidth": 1.0}, False),  # too thin
        ({"outlineStyle": "none"}, False),  # no indicator at all
        ({"outlineColor": "rgb(245, 217, 10)"}, False),  # a light brand colour on white: about 1.4:1
        ({"outlineColor": "rgba(11, 31, 58, 0.2)"}, False),  # faint: composited over the background first
        ({"outside": [{"colour": "rgb(11, 31, 58)", "on": "header"}]}, False),  # dark ring on a dark header
        # A ring of box-shadows: white 2 px inside, brand 2 px outside it (the outline is off).
        (
            {
                "outlineStyle": "none",
                "boxShadow": "rgb(255, 255, 255) 0px 0px 0px 2px, rgb(11, 31, 58) 0px 0px 0px 4px",
            },
            True,
        ),
        # The same ring, 1 px wide each: too thin.
        (
            {
                "outlineStyle": "none",
                "boxShadow": "rgb(255, 255, 255) 0px 0px 0px 1px, rgb(11, 31, 58) 0px 0px 0px 2px",
            },
            False,
        ),
        ({"outlineStyle": "none", "boxShadow": "rgba(0, 0, 0, 0.3) 0px 4px 12px 0px"}, False),  # a drop shadow
    ],
)
def test_focus_indicator_check(overrides: dict[str, Any], ok: bool) -> None:
    result = check_focus(style(**overrides))
    assert result.ok is ok, result.detail


def test_stacked_shadows_count_only_what_shows() -> None:
    rings = shadow_rings("rgb(255, 255, 255) 0px 0px 0px 2px, rgb(0, 0, 0) 0px 0px 0px 5px")
    assert [(ring.width, ring.colour[:3]) for ring in rings] == [(2.0, (255.0, 255.0, 255.0)), (3.0, (0.0, 0.0, 0.0))]
    assert flatten([CANVAS])[:3] == (246.0, 247.0, 249.0)
