"""Branded e-mails about events (one at a time, or the daily digest), with a signed one-click unsubscribe."""

from collections.abc import Callable
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.names import quoted
from portal.activity.audience import told_as
from portal.activity.events import EVENT_TYPES
from portal.activity.links import event_path, event_paths
from portal.activity.models import ActivityEvent
from tenants.models import Tenant
from tenants.urls_external import portal_url

UNSUBSCRIBE_SALT = "portico.unsubscribe"
# What a feature adds to the e-mail of an event, for one recipient: (person, event) → an action (URL, label) shown
# under the event's own link, or None. Requests add the rating question to the resolution e-mail.
ACTIONS: dict[str, Callable[[User, ActivityEvent], tuple[str, str] | None]] = {}


def register_action(verb: str, action: Callable[[User, ActivityEvent], tuple[str, str] | None]) -> None:
    ACTIONS[verb] = action


UNSUBSCRIBE_MAX_AGE = 60 * 60 * 24 * 365  # a year: links sit in old e-mails


def unsubscribe_token(user: User, event_type: str | None) -> str:
    """Signed (tenant, user, address, event type): works without signing in, for this person in this portal
    only. The tenant's id and the address keep a link from reaching a later portal that reuses the schema name
    and the ids, or an account that changed hands."""
    tenant = connection.tenant  # type: ignore[attr-defined]
    data = {"p": tenant.pk, "u": user.pk, "e": user.email, "t": event_type or "*"}
    return signing.dumps(data, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str, str | None]:
    """(user id, address, event type or None for all); raises signing.BadSignature for a tampered, expired or
    foreign link."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if data.get("p") != getattr(connection.tenant, "pk", None):  # type: ignore[attr-defined]
        raise signing.BadSignature("link of another portal")
    event_type = data.get("t")
    return int(data["u"]), str(data["e"]), (None if event_type == "*" else str(event_type))


def label_for(event: ActivityEvent, user: User) -> str:
    """What the event is to this person: its type's label, or the more specific type they are told of it as
    (a comment that mentions them is a mention)."""
    return str(EVENT_TYPES[told_as(event, user.pk)].label)


def describe(event: ActivityEvent, user: User) -> str:
    return f"{event.actor_label} · {label_for(event, user)}: {event.target_label}"


def subject_of(tenant: Tenant, event: ActivityEvent, user: User) -> str:
    """`[Portal] What happened: “target”, by “person”`: the portal's own words first; what people named
    (themselves, documents) comes after them, quoted, so it never reads as the start of the portal's message."""
    return _("[%(portal)s] %(label)s: %(target)s, by %(actor)s") % {
        "portal": tenant.portal_name,
        "label": label_for(event, user),
        "target": quoted(event.target_label),
        "actor": quoted(event.actor_label),
    }


def event_link(tenant: Tenant, event: ActivityEvent) -> str:
    """The item's own page (a comment's place in its thread) while it exists (`portal.activity.links`)."""
    return portal_url(tenant, event_path(event))


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
        subject=" ".join(subject.split()),  # one line, whatever the names in it contain
        body=render_to_string(f"emails/{template}.txt", context),
        from_email=formataddr((str(tenant.portal_name), parseaddr(settings.DEFAULT_FROM_EMAIL)[1])),
        to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    return message


def event_email(user: User, event: ActivityEvent) -> EmailMultiAlternatives:
    tenant: Tenant = connection.tenant  # type: ignore[attr-defined]
    subject = subject_of(tenant, event, user)
    context = {"event": event, "description": describe(event, user), "link": event_link(tenant, event)}
    action = ACTIONS[event.verb](user, event) if event.verb in ACTIONS else None
    if action is not None:
        context["action_url"], context["action_label"] = action
    return _message(user, subject[:200], "event", context, told_as(event, user.pk))


def digest_email(user: User, events: list[ActivityEvent]) -> EmailMultiAlternatives:
    tenant: Tenant = connection.tenant  # type: ignore[attr-defined]
    paths = event_paths(events)
    items = [
        {
            "description": describe(event, user),
            "excerpt": event.data.get("excerpt", ""),
            "link": portal_url(tenant, paths[event.pk]),
            "at": event.created_at,
        }
        for event in events
    ]
    subject = _("[%(portal)s] Your daily digest: %(count)d updates") % {
        "portal": tenant.portal_name,
        "count": len(events),
    }
    return _message(user, subject, "digest", {"items": items}, None)
