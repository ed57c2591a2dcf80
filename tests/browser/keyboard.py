"""Keyboard-only driving and the focus-indicator check of the keyboard journey (issue 13, WCAG 2.4.7 / 2.4.13).

`Keyboard.tab_to(...)` presses Tab (or Shift+Tab when the target comes earlier in the document) until the focused
element is the one wanted, at most `MAX_TABS` times; at every focus stop it checks, from computed styles, that the
focused element shows an outline or a box-shadow ring at least 2 px wide whose colour has at least 3:1 contrast
against the nearest opaque background behind it. The colours are read in the browser; the contrast is computed
here, in Python, from WCAG's definition (not with the application's own function, which is under test).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page

MAX_TABS = 40
MIN_WIDTH_PX = 2.0
MIN_CONTRAST = 3.0

RGBA = tuple[float, float, float, float]

# Everything the check needs about the focused element, read from computed styles. The backdrop of an outline
# or ring drawn outside the element is its parent's background; an outline drawn inside (a negative offset at
# least as deep as its width) or an inset shadow sits on the element's own background. Walking up, every
# background colour is kept until the first opaque one (the document's canvas, white, when none is).
FOCUS_STYLE = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const describe = (node) => {
    let name = node.tagName.toLowerCase();
    if (node.id) name += `#${node.id}`;
    const label = (node.getAttribute("aria-label") || node.textContent || node.getAttribute("name") || "")
      .trim().replace(/\\s+/g, " ").slice(0, 40);
    const href = node.getAttribute("href");
    return `${name}${href ? `[href=${href}]` : ""}${label ? ` "${label}"` : ""}`;
  };
  const backdrops = (start) => {
    const layers = [];
    for (let node = start; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      layers.push({colour, on: describe(node)});
      const alpha = colour.startsWith("rgba") ? parseFloat(colour.split(",")[3]) : 1;
      if (alpha >= 1) return layers;
    }
    return layers;
  };
  const outlineWidth = parseFloat(style.outlineWidth) || 0;
  const offset = parseFloat(style.outlineOffset) || 0;
  return {
    element: describe(el),
    outlineStyle: style.outlineStyle,
    outlineWidth,
    outlineColor: style.outlineColor,
    outlineInside: offset <= -outlineWidth,
    boxShadow: style.boxShadow,
    outside: backdrops(el.parentElement),
    inside: backdrops(el),
  };
}
"""


# A focus style that fades in (a transition on outline or box-shadow) is read once it has finished.
TRANSITIONS_DONE = """
() => document.getAnimations().every((a) => a.playState !== "running"
  || !a.effect || a.effect.getComputedTiming().iterations === Infinity)
"""


# WCAG 2.x contrast ------------------------------------------------------------------------------------------------


def parse_colour(value: str) -> RGBA:
    """A computed CSS colour (`rgb(…)`, `rgba(…)`, `color(srgb …)`) as 0-255 channels and an alpha."""
    text = value.strip()
    match = re.fullmatch(r"rgba?\(([^)]*)\)", text)
    if match:
        parts = [part for part in re.split(r"[\s,/]+", match.group(1)) if part]
        r, g, b = (float(part) for part in parts[:3])
        alpha = float(parts[3].rstrip("%")) / (100 if parts[3].endswith("%") else 1) if len(parts) > 3 else 1.0
        return r, g, b, alpha
    match = re.fullmatch(r"color\(srgb\s+([^)]*)\)", text)
    if match:
        parts = [part for part in re.split(r"[\s/]+", match.group(1)) if part]
        r, g, b = (float(part) * 255 for part in parts[:3])
        return r, g, b, float(parts[3]) if len(parts) > 3 else 1.0
    if text == "transparent":
        return 0.0, 0.0, 0.0, 0.0
    raise ValueError(f"unexpected computed colour {value!r}")


def over(top: RGBA, bottom: RGBA) -> RGBA:
    """`top` composited over an opaque `bottom`."""
    alpha = top[3]
    return (
        top[0] * alpha + bottom[0] * (1 - alpha),
        top[1] * alpha + bottom[1] * (1 - alpha),
        top[2] * alpha + bottom[2] * (1 - alpha),
        1.0,
    )


def flatten(layers: list[str]) -> RGBA:
    """Background colours from the nearest to the farthest, composited into the opaque colour they show."""
    result: RGBA = (255.0, 255.0, 255.0, 1.0)  # the canvas
    for colour in reversed(layers):
        result = over(parse_colour(colour), result)
    return result


def relative_luminance(colour: RGBA) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour[0]) + 0.7152 * channel(colour[1]) + 0.0722 * channel(colour[2])


def contrast_ratio(a: RGBA, b: RGBA) -> float:
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def hex_of(colour: RGBA) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(round(max(0.0, min(255.0, v))) for v in colour[:3]))


# Focus rings ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ring:
    source: str  # "outline" or "box-shadow #n"
    width: float
    colour: RGBA
    inside: bool


def shadow_rings(box_shadow: str) -> list[Ring]:
    """The solid rings of a computed `box-shadow`: layers with no offset and no blur, each visible over the width
    its spread reaches past the layers above it (the first layer is on top)."""
    if not box_shadow or box_shadow == "none":
        return []
    layers = re.split(r",(?![^()]*\))", box_shadow)
    rings, covered = [], {False: 0.0, True: 0.0}
    for index, layer in enumerate(layers):
        colour_match = re.search(r"(rgba?\([^)]*\)|color\([^)]*\))", layer)
        if colour_match is None:
            continue
        lengths = [float(value) for value in re.findall(r"(-?[\d.]+)px", layer.replace(colour_match.group(1), ""))]
        inset = "inset" in layer
        x, y, blur, spread = [*lengths, 0.0, 0.0, 0.0, 0.0][:4]
        if x or y or blur:
            continue
        visible = spread - covered[inset]
        covered[inset] = max(covered[inset], spread)
        if visible > 0:
            rings.append(Ring(f"box-shadow #{index + 1}", visible, parse_colour(colour_match.group(1)), inset))
    return rings


@dataclass
class FocusCheck:
    element: str
    ok: bool
    detail: str


def check_focus(style: dict[str, Any]) -> FocusCheck:
    """Whether the focused element's indicator is ≥ 2 px wide with ≥ 3:1 contrast against what is behind it."""
    rings = shadow_rings(style["boxShadow"])
    if style["outlineStyle"] not in ("none", "hidden") and style["outlineWidth"] > 0:
        outline = Ring("outline", style["outlineWidth"], parse_colour(style["outlineColor"]), style["outlineInside"])
        rings.insert(0, outline)
    outside = flatten([layer["colour"] for layer in style["outside"]]) if style["outside"] else flatten([])
    inside = flatten([layer["colour"] for layer in style["inside"]])
    seen = []
    for ring in rings:
        backdrop = inside if ring.inside else outside
        colour = over(ring.colour, backdrop)
        ratio = contrast_ratio(colour, backdrop)
        seen.append(f"{ring.source} {ring.width:g}px {hex_of(colour)} on {hex_of(backdrop)} = {ratio:.2f}:1")
        if ring.width >= MIN_WIDTH_PX and ratio >= MIN_CONTRAST:
            return FocusCheck(style["element"], True, seen[-1])
    if not rings:
        detail = f"no focus indicator (outline-style {style['outlineStyle']}, box-shadow {style['boxShadow']})"
    else:
        detail = "no ring of ≥ 2px at ≥ 3:1: " + "; ".join(seen)
    return FocusCheck(style["element"], False, detail)


# Driving ----------------------------------------------------------------------------------------------------------


@dataclass
class Keyboard:
    page: Page
    label: str  # for the findings: the journey's brand variant
    stops: int = 0
    failures: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # every stop, passed or not, for the report

    def check_here(self, step: str) -> None:
        self.page.wait_for_function(TRANSITIONS_DONE, polling=20, timeout=5_000)
        style = self.page.evaluate(FOCUS_STYLE)
        if style is None:
            return  # focus on the document itself: no element to outline
        self.stops += 1
        result = check_focus(style)
        self.log.append(f"{'ok  ' if result.ok else 'FAIL'} {step}: {result.element}: {result.detail}")
        if not result.ok:
            failure = f"[focus] {self.label} {step} @ {self.page.url}: {result.element}: {result.detail}"
            if failure not in self.failures:
                self.failures.append(failure)

    def tab_to(self, step: str, predicate: str, opener: str | None = None) -> None:
        """Tab until `predicate` (a JS function of the focused element) holds; when `opener` (a JS function) holds
        for a focused element first, press Enter on it (a menu that hides the target) and go on. Tab goes backward
        when the target, or its opener, comes before the focused element in the document."""
        key = "Shift+Tab" if self._is_behind(predicate, opener) else "Tab"
        opened = False
        for _ in range(MAX_TABS):
            self.page.keyboard.press(key)
            self.check_here(step)
            if self.page.evaluate(
                f"(() => {{ const el = document.activeElement; return !!el && ({predicate})(el); }})()"
            ):
                return
            if (
                opener
                and not opened
                and self.page.evaluate(
                    f"(() => {{ const el = document.activeElement; return !!el && ({opener})(el); }})()"
                )
            ):
                self.page.keyboard.press("Enter")
                opened, key = True, "Tab"
        raise AssertionError(
            f"{self.label} {step}: the target was not reached with {MAX_TABS} presses of {key} on {self.page.url}"
        )

    def _is_behind(self, predicate: str, opener: str | None) -> bool:
        return bool(
            self.page.evaluate(
                f"""(() => {{
                  const match = {predicate};
                  const opens = {opener or "() => false"};
                  const all = [...document.querySelectorAll("*")];
                  const target = all.find((el) => match(el) && el.getClientRects().length > 0)
                    || all.find((el) => opens(el));
                  const here = document.activeElement;
                  if (!target || !here || here === document.body) return false;
                  return !!(here.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_PRECEDING);
                }})()"""
            )
        )
