"""Writers for webhook endpoints (owners and admins): added (the signing secret returned once), changed, deleted,
the secret rotated with an overlap, a test event sent, deliveries replayed; and switched off by the portal itself
after failing too long, with an e-mail to the owners. Every one is an audited write."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audited, not_audited
from core.errors import DomainError
from portal.access.models import StaffMembership, StaffRole
from portal.access.policy import SYSTEM, Actor, NotFound, client_orgs_for
from portal.activity.events import EVENT_TYPES
from portal.activity.selectors import events_for
from portal.activity.services import record
from portal.clients.models import ClientOrg
from portal.webhooks import delivery, signing, transport
from portal.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from portal.webhooks.payloads import TEST_TYPE, event_payload, test_payload
from tenants.urls_external import portal_url

REPLAY_MAX_EVENTS = 1000  # events one replay may send again (a wider range is refused: narrow it)


class WebhookError(DomainError):
    """A refused change, with a message for the person and the field it concerns."""


@not_audited("reads the event registry")
def subscribable_types() -> list[str]:
    """The event types an endpoint may receive: every registered type but the audit-only ones (history, not news)
    and the ways people are told of others (never recorded)."""
    return sorted(code for code, kind in EVENT_TYPES.items() if not (kind.audit_only or kind.told_only))


def _may_manage(actor: Actor) -> None:
    if not actor.manages_portal or actor.api_key is not None:
        raise NotFound


def _checked_url(url: str) -> str:
    """The URL if it is safe to call now: its form, and every address its host resolves to (`transport`)."""
    url = transport.validate_url(url.strip())
    try:
        transport.check_destination(url)
    except transport.LookupFailed:
        raise WebhookError(
            _("This host name could not be found. Check the address, or add its DNS record first."), field="url"
        ) from None
    return url


def _checked(
    actor: Actor, *, url: str, event_types: Iterable[str], all_clients: bool, clients: Iterable[ClientOrg],
    current_url: str = "",
) -> tuple[str, list[str], list[ClientOrg]]:  # fmt: skip
    """What the form asks for, if it may be saved. An unchanged URL is not looked up again: a host that went
    wrong must not stop anyone switching its endpoint off (every attempt checks it anyway)."""
    url = current_url if url.strip() == current_url and current_url else _checked_url(url)
    chosen = sorted(set(event_types))
    if not chosen or not set(chosen) <= set(subscribable_types()):
        raise WebhookError(_("Choose the events the endpoint should receive."), field="event_types")
    orgs = list(clients)
    reached = set(client_orgs_for(actor).values_list("pk", flat=True))
    if not all_clients and (not orgs or any(org.pk not in reached for org in orgs)):
        raise WebhookError(_("Choose the clients whose events it receives, or every client."), field="clients")
    return url, chosen, orgs


def _described(endpoint: WebhookEndpoint, orgs: list[ClientOrg]) -> dict[str, Any]:
    return {
        "url": endpoint.url, "description": endpoint.description, "event_types": endpoint.event_types,
        "clients": [org.name for org in orgs] if not endpoint.all_clients else "all", "enabled": endpoint.enabled,
    }  # fmt: skip


@transaction.atomic
@audited("webhook.created")
def endpoint_create(
    *, actor: Actor, url: str, description: str, event_types: Iterable[str], all_clients: bool,
    clients: Iterable[ClientOrg],
) -> tuple[WebhookEndpoint, str]:  # fmt: skip
    """A new endpoint and its signing secret, which is never shown again."""
    _may_manage(actor)
    url, chosen, orgs = _checked(actor, url=url, event_types=event_types, all_clients=all_clients, clients=clients)
    secret = signing.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        url=url, description=description.strip(), event_types=chosen, all_clients=all_clients, secret=secret,
        created_by=actor.user,
    )  # fmt: skip
    if not all_clients:
        endpoint.clients.set(orgs)
    record(actor=actor, verb="webhook.created", target=endpoint, data=_described(endpoint, orgs))
    return endpoint, secret


@transaction.atomic
@audited("webhook.changed")
def endpoint_update(
    *, actor: Actor, endpoint: WebhookEndpoint, url: str, description: str, event_types: Iterable[str],
    all_clients: bool, clients: Iterable[ClientOrg], enabled: bool,
) -> WebhookEndpoint:  # fmt: skip
    """Change what an endpoint receives, where, and whether it is on. Switched back on, it starts afresh: its
    count of failures is reset and its waiting deliveries go again."""
    _may_manage(actor)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    url, chosen, orgs = _checked(
        actor, url=url, event_types=event_types, all_clients=all_clients, clients=clients, current_url=locked.url
    )
    before = _described(locked, list(locked.clients.all()))
    switched_on = enabled and not locked.enabled
    locked.url, locked.description, locked.event_types = url, description.strip(), chosen
    locked.all_clients, locked.enabled = all_clients, enabled
    if enabled:
        locked.disabled_reason = ""
    if switched_on:
        locked.failures_in_a_row, locked.failing_since = 0, None
    locked.save()
    locked.clients.set([] if all_clients else orgs)
    after = _described(locked, orgs)
    changed = {name: after[name] for name in after if after[name] != before[name]}
    record(actor=actor, verb="webhook.changed", target=locked, data={"changed": changed})
    if switched_on:  # what waited goes now, each with a fresh run of attempts (it may have waited for days)
        waiting = WebhookDelivery.objects.filter(endpoint=locked, status=DeliveryStatus.PENDING)
        delivery.send_soon(_again(waiting, timezone.now()))
    return locked


@transaction.atomic
@audited("webhook.deleted")
def endpoint_delete(*, actor: Actor, endpoint: WebhookEndpoint) -> None:
    """Gone with its delivery log; the audit log keeps that it existed and where it pointed."""
    _may_manage(actor)
    record(actor=actor, verb="webhook.deleted", target=endpoint, data={"url": endpoint.url})
    endpoint.delete()


@transaction.atomic
@audited("webhook.secret_rotated")
def endpoint_rotate_secret(
    *, actor: Actor, endpoint: WebhookEndpoint, overlap: datetime.timedelta
) -> tuple[WebhookEndpoint, str]:
    """A new secret, returned once; the one it replaces still signs every delivery (beside the new one) until the
    overlap ends, so the receiver can switch without dropping any. A secret already being replaced is dropped."""
    _may_manage(actor)
    if overlap < datetime.timedelta(0) or overlap > datetime.timedelta(days=7):
        raise WebhookError(_("Choose an overlap of at most 7 days."), field="overlap")
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = signing.new_secret()
    now = timezone.now()
    locked.previous_secret, locked.previous_until = (locked.secret, now + overlap) if overlap else ("", None)
    locked.secret = secret
    locked.save(update_fields=["secret", "previous_secret", "previous_until"])
    record(
        actor=actor, verb="webhook.secret_rotated", target=locked,
        data={"overlap_hours": round(overlap.total_seconds() / 3600, 2)},
    )  # fmt: skip
    return locked, secret


@transaction.atomic
@audited("webhook.test_sent")
def endpoint_send_test(*, actor: Actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `webhook.test` delivery, signed and logged like any other, sent at once by a worker (never from the web
    request: a receiver that does not answer must not hold it)."""
    _may_manage(actor)
    if not endpoint.enabled:
        raise WebhookError(_("Switch the endpoint on first."))
    now = timezone.now()
    test = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type=TEST_TYPE, message_id=delivery.new_message_id(),
        payload=test_payload(endpoint.pk), next_attempt_at=now, retrying_since=now,
    )  # fmt: skip
    record(actor=actor, verb="webhook.test_sent", target=endpoint, data={"message_id": test.message_id})
    delivery.send_soon([test.pk])
    return test


def _again(deliveries: Any, now: datetime.datetime) -> list[int]:
    ids = list(deliveries.values_list("pk", flat=True))
    WebhookDelivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, retrying_since=now
    )
    return ids


@transaction.atomic
@audited("webhook.replayed")
def delivery_replay(*, actor: Actor, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    """Send one delivery again, with its id and body as they were (a receiver that already has it ignores it)."""
    _may_manage(actor)
    if not endpoint.enabled:
        raise WebhookError(_("Switch the endpoint on first."))
    found = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id)
    if not found.exists():
        raise NotFound
    ids = _again(found, timezone.now())
    replayed = found.get()
    record(actor=actor, verb="webhook.replayed", target=endpoint, data={"message_ids": [replayed.message_id]})
    delivery.send_soon(ids)
    return replayed


@transaction.atomic
@audited("webhook.replayed")
def deliveries_replay_range(
    *, actor: Actor, endpoint: WebhookEndpoint, since: datetime.datetime, until: datetime.datetime
) -> int:
    """Send again every event of the endpoint's types and clients that happened in [since, until): those it was
    sent before with their ids, those it missed (switched off, or added since) for the first time. Returns how
    many."""
    _may_manage(actor)
    if not endpoint.enabled:
        raise WebhookError(_("Switch the endpoint on first."))
    if since >= until:
        raise WebhookError(_("The start must be before the end."), field="since")
    events = events_for(actor).filter(created_at__gte=since, created_at__lt=until, verb__in=endpoint.event_types)
    if not endpoint.all_clients:
        events = events.filter(client_org_id__in=endpoint.clients.values("pk"))
    chosen = list(events.order_by("created_at", "pk")[: REPLAY_MAX_EVENTS + 1])
    if len(chosen) > REPLAY_MAX_EVENTS:
        raise WebhookError(
            _("More than %(count)s events happened then: choose a shorter time range.") % {"count": REPLAY_MAX_EVENTS},
            field="since",
        )
    now = timezone.now()
    sent_before = WebhookDelivery.objects.filter(endpoint=endpoint, event_id__in=[event.pk for event in chosen])
    known = set(sent_before.values_list("event_id", flat=True))
    ids = _again(sent_before, now)
    for event in chosen:
        if event.pk not in known:
            ids.append(
                WebhookDelivery.objects.create(
                    endpoint=endpoint, event_id=event.pk, event_type=event.verb,
                    message_id=delivery.new_message_id(), payload=event_payload(event), next_attempt_at=now,
                    retrying_since=now,
                ).pk
            )  # fmt: skip
    record(
        actor=actor, verb="webhook.replayed", target=endpoint,
        data={"since": since.isoformat(), "until": until.isoformat(), "count": len(ids)},
    )  # fmt: skip
    delivery.send_soon(ids)
    return len(ids)


@transaction.atomic
@audited("webhook.disabled")
def endpoint_disable_failing(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Switched off by the portal itself: every attempt failed for too long. The owners are told by e-mail; its
    waiting deliveries wait for it to be switched back on."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not locked.enabled:
        return locked
    since = locked.failing_since or timezone.now()
    locked.enabled = False
    locked.disabled_reason = _("Every delivery failed since %(since)s.") % {
        "since": timezone.localtime(since).strftime("%Y-%m-%d %H:%M %Z")
    }
    locked.save(update_fields=["enabled", "disabled_reason"])
    data = {"failures_in_a_row": locked.failures_in_a_row, "failing_since": since.isoformat()}
    record(actor=SYSTEM, verb="webhook.disabled", target=locked, data=data)
    _tell_owners(locked)
    return locked


def _tell_owners(endpoint: WebhookEndpoint) -> None:
    tenant = connection.tenant  # type: ignore[attr-defined]
    owners = StaffMembership.objects.filter(role=StaffRole.OWNER, user__is_active=True).filter(~Q(user__email=""))
    addresses = list(owners.values_list("user__email", flat=True))
    if not addresses:
        return
    context = {
        "endpoint": endpoint,
        "site_name": tenant.portal_name,
        "tenant": tenant,
        "link": portal_url(tenant, reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk})),
    }
    subject = _("Webhook endpoint switched off: %(name)s") % {"name": str(endpoint)[:80]}
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string("emails/webhook_disabled.txt", context), to=addresses
    )
    message.attach_alternative(render_to_string("emails/webhook_disabled.html", context), "text/html")
    transaction.on_commit(message.send)
