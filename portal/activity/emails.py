"""Branded e-mails about events (one at a time, or the daily digest), with a signed one-click unsubscribe."""

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from portal.activity.events import EVENT_TYPES
from portal.activity.models import ActivityEvent
from tenants.models import Tenant
from tenants.urls_external import portal_url

UNSUBSCRIBE_SALT = "portico.unsubscribe"


def unsubscribe_token(user: User, event_type: str | None) -> str:
    """Signed (user, event type, schema): works without signing in, only in this portal, only for this person."""
    return signing.dumps({"u": user.pk, "t": event_type or "*", "s": connection.schema_name}, salt=UNSUBSCRIBE_SALT)  # type: ignore[attr-defined]


def read_unsubscribe_token(token: str) -> tuple[int, str | None]:
    """(user id, event type or None for all); raises signing.BadSignature for a tampered or foreign link."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if data.get("s") != connection.schema_name:  # type: ignore[attr-defined]
        raise signing.BadSignature("link of another portal")
    event_type = data.get("t")
    return int(data["u"]), (None if event_type == "*" else str(event_type))


def describe(event: ActivityEvent) -> str:
    label = EVENT_TYPES[event.verb].label
    return f"{event.actor_label} · {label}: {event.target_label}"


def event_link(tenant: Tenant, event: ActivityEvent) -> str:
    if event.client_org_id:
        return portal_url(tenant, reverse("clients:detail", kwargs={"org_id": event.client_org_id}))
    return portal_url(tenant, reverse("activity:notifications"))


def _message(
    user: User, subject: str, template: str, context: dict[str, Any], event_type: str | None
) -> EmailMultiAlternatives:
    tenant: Tenant = connection.tenant  # type: ignore[attr-defined]
    unsubscribe = portal_url(tenant, reverse("activity:unsubscribe", args=[unsubscribe_token(user, event_type)]))
    context = {
        **context,
        "tenant": tenant,
        "site_name": tenant.portal_name,
        "current_site": {"name": tenant.portal_name, "domain": portal_url(tenant)},
        "user": user,
        "unsubscribe_url": unsubscribe,
        "preferences_url": portal_url(tenant, reverse("activity:preferences")),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}.txt", context),
        from_email=f"{tenant.portal_name} <{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}>",
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    return message


def event_email(user: User, event: ActivityEvent) -> EmailMultiAlternatives:
    tenant: Tenant = connection.tenant  # type: ignore[attr-defined]
    subject = f"[{tenant.portal_name}] {describe(event)}"
    context = {"event": event, "description": describe(event), "link": event_link(tenant, event)}
    return _message(user, subject[:200], "event", context, event.verb)


def digest_email(user: User, events: list[ActivityEvent]) -> EmailMultiAlternatives:
    tenant: Tenant = connection.tenant  # type: ignore[attr-defined]
    items = [
        {"description": describe(event), "link": event_link(tenant, event), "at": event.created_at} for event in events
    ]
    subject = _("[%(portal)s] Your daily digest: %(count)d updates") % {
        "portal": tenant.portal_name,
        "count": len(events),
    }
    return _message(user, subject, "digest", {"items": items}, None)
