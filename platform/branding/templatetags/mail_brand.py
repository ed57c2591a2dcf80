"""Brand colours for e-mails, where only inline styles work: `{% load mail_brand %}`, then
`{{ colour|on_brand }}` for text on the brand colour and `{{ colour|brand_ink }}` for brand-coloured text on white.
Both keep WCAG AA contrast whatever colour the provider picked (branding.colours)."""

import re

from django import template

from branding.colours import ink_on_white, text_on
from tenants.models import DEFAULT_BRAND_COLOUR

register = template.Library()
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _valid(colour: object) -> str:
    """The colour as `#rrggbb`, or Portico's when it is missing or not one (never echo anything else)."""
    value = str(colour or "")
    return value.lower() if COLOUR.fullmatch(value) else DEFAULT_BRAND_COLOUR


@register.filter
def brand(colour: object) -> str:
    """The brand colour itself, checked (Portico's when missing)."""
    return _valid(colour)


@register.filter
def on_brand(colour: object) -> str:
    """White or ink, whichever reads better on the brand colour."""
    return text_on(_valid(colour))


@register.filter
def brand_ink(colour: object) -> str:
    """The brand colour, darkened when needed to read as text (links) on white."""
    return ink_on_white(_valid(colour))
