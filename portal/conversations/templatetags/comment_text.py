"""How a comment's text reads on the page: escaped, with its `@address` mentions marked."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from portal.conversations.services import MENTION

register = template.Library()


@register.filter
def with_mentions(body: str) -> SafeString:
    """The comment's text, escaped, each `@address` the mention parser reads wrapped in `<span class="mention">`."""
    parts, last = [], 0
    for match in MENTION.finditer(body):
        parts.append(conditional_escape(body[last : match.start()]))
        parts.append(format_html('<span class="mention">{}</span>', match.group(0)))
        last = match.end()
    parts.append(conditional_escape(body[last:]))
    return mark_safe("".join(parts))  # noqa: S308  (every part is escaped above)
