"""Telling people of an event, after its transaction committed (the `activity.fan_out` task calls this)."""

import logging

from django.db import transaction
from django.utils import timezone

from portal.activity import outbound
from portal.activity.audience import audience, told_as
from portal.activity.events import EVENT_TYPES
from portal.activity.models import ActivityEvent, Channel, Delivery, Frequency, Notification, NotificationPreference
from portal.activity.selectors import DEFAULT_FREQUENCY

logger = logging.getLogger(__name__)


@transaction.atomic
def fan_out(event_id: int) -> list[int]:
    """Tell everyone who may see the event, each by the way they chose; every (event, person, channel) is
    recorded, so running this again sends nothing twice. Returns the ids of e-mail deliveries to send."""
    event = ActivityEvent.objects.get(pk=event_id)
    if EVENT_TYPES[event.verb].audit_only:
        return []
    to_email = []
    now = timezone.now()
    people = list(audience(event))
    kinds = {user.pk: told_as(event, user.pk) for user in people}  # a mention is heard of as a mention
    preferences = NotificationPreference.objects.filter(user__in=people, event_type__in=set(kinds.values()))
    rows = preferences.values_list("user_id", "event_type", "frequency")
    chosen = {(user_id, kind): frequency for user_id, kind, frequency in rows}
    for user in people:
        Notification.objects.get_or_create(user=user, event=event)
        Delivery.objects.get_or_create(event=event, user=user, channel=Channel.IN_APP, defaults={"sent_at": now})
        frequency = chosen.get((user.pk, kinds[user.pk]), DEFAULT_FREQUENCY)
        if frequency == Frequency.INSTANT:
            delivery, _created = Delivery.objects.get_or_create(event=event, user=user, channel=Channel.EMAIL)
            if delivery.sent_at is None:
                to_email.append(delivery.pk)
        elif frequency == Frequency.DIGEST:
            Delivery.objects.get_or_create(event=event, user=user, channel=Channel.DIGEST)
    _, created = Delivery.objects.get_or_create(event=event, user=None, channel=Channel.WEBHOOK)
    if created:
        for sender in outbound.SENDERS:
            try:
                with transaction.atomic():  # a sender's failure rolls back its own work, never the notifications
                    sender(event)
            except Exception:
                logger.exception("outbound sender %r failed for event %s", sender, event.pk)
    return to_email
