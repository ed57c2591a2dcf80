"""Template helpers of the design system (templates/cotton/): accessible widgets, relative times, initials.

Loaded as a builtin (settings.TEMPLATES), so every template and component can use them without `{% load %}`."""

import zlib
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import heroicons
from django import template
from django.forms import BoundField
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

register = template.Library()

AVATAR_TONES = 6
# Reversed in place of an id to learn a URL's shape once (`url_with`); no real id reaches it.
URL_SENTINEL = 2_147_483_647


@lru_cache(maxsize=1024)
def _icon_svg(name: str, size: int, label: str) -> str:
    attrs: dict[str, object] = {"class": "icon"}
    if label:
        attrs.update({"role": "img", "aria_label": label, "aria_hidden": "false"})
    else:
        attrs.update({"aria_hidden": "true", "focusable": "false"})
    return heroicons._render_icon("outline", name, size, attrs)


@register.simple_tag
def icon(name: str, size: int = 20, label: str = "") -> SafeString:
    """A Heroicons outline icon, decorative unless it carries a `label`. Each (name, size, label) is drawn once
    per process: a list of fifty rows asks for the same few icons again and again."""
    return mark_safe(_icon_svg(str(name), int(size), str(label)))  # noqa: S308 (the package's own SVG, escaped label)


@lru_cache(maxsize=512)
def _url_shape(urlconf: str | None, prefix: str, name: str) -> tuple[str, str]:
    url = reverse(name, urlconf=urlconf, args=[URL_SENTINEL])
    head, _, tail = url.partition(str(URL_SENTINEL))
    return head, tail


@register.filter
def url_with(pk: int, name: str) -> str:
    """`{{ document.pk|url_with:"documents:detail" }}`: the URL of a route that takes one id, reversed once per
    process and URLconf instead of once per row (`{% url %}` in a loop of fifty rows is a visible cost)."""
    head, tail = _url_shape(get_urlconf(), get_script_prefix(), name)
    return f"{head}{int(pk)}{tail}"


@lru_cache(maxsize=4096)
def _exact(value: datetime | date, zone: str, language: str) -> str:
    """The exact date and time of a moment, as the locale writes it: formatting is the costly part of `when`, and
    a list shows the same moments on every render, so each is formatted once per process, time zone and language."""
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(local, "DATETIME_FORMAT")
    return date_format(value, "DATE_FORMAT")


@register.filter
def when(value: datetime | date | None) -> SafeString:
    """`<time>` for a moment, relative ("3 min ago") with the exact date and time on hover: `<c-time>` as a
    filter, for rows of long lists."""
    if not value:
        return mark_safe("")
    exact = _exact(value, timezone.get_current_timezone_name(), get_language() or "")
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), exact, relative(value))


@register.simple_tag
def field_widget(field: BoundField, help_text: str = "") -> SafeString:
    """The field's widget with its help text (the field's, or the one the page gives) and errors tied to it
    (`aria-describedby`) and `aria-invalid` when it has errors. Groups (checkboxes, radios) carry these on their
    fieldset instead."""
    attrs: dict[str, Any] = {}
    if field.widget_type not in ("checkboxselectmultiple", "radioselect"):
        described = [f"{field.auto_id}_helptext"] if (help_text or field.help_text) else []
        if field.errors:
            described.append(f"{field.auto_id}_error")
            attrs["aria-invalid"] = "true"
        if described:
            attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def relative(value: datetime | date | None) -> str:
    """How long ago (or how soon) a moment is, the way people say it; the exact time goes in a tooltip."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        value = datetime.combine(value, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    now = timezone.now()
    delta = now - value
    seconds = int(delta.total_seconds())
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    today = timezone.localdate(now)
    if -60 < seconds < 60:
        return _("just now")
    if 0 < seconds < 3600:
        minutes = seconds // 60
        return ngettext("%(n)d min ago", "%(n)d min ago", minutes) % {"n": minutes}
    if 0 < seconds < 6 * 3600 or (seconds > 0 and local.date() == today):
        hours = seconds // 3600
        return ngettext("%(n)d hour ago", "%(n)d hours ago", hours) % {"n": hours}
    if seconds < 0:
        days = (local.date() - today).days
        if days == 0:
            return _("today at %(time)s") % {"time": date_format(local, "TIME_FORMAT")}
        if days == 1:
            return _("tomorrow")
        if days < 7:
            return ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}
    else:
        days = (today - local.date()).days
        if days == 1:
            return _("yesterday")
        if days < 7:
            return ngettext("%(n)d day ago", "%(n)d days ago", days) % {"n": days}
    if local.year == today.year:
        return date_format(local, "j M")
    return date_format(local, "j M Y")


@register.filter
def initials(name: str) -> str:
    """Up to two initials: the first letters of the first and last words ("Olivia Martin" → "OM")."""
    words = [word for word in str(name).replace("@", " ").split() if word[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@register.filter
def avatar_tone(name: str) -> int:
    """A stable colour for a name (the same person looks the same on every page)."""
    return zlib.crc32(str(name).encode()) % AVATAR_TONES
