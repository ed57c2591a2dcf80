"""The daily digest: one e-mail per person with the events they chose to receive that way."""

import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.mail import delivery_connection
from portal.access.policy import actor_for
from portal.activity.emails import digest_email
from portal.activity.models import Channel, Delivery
from portal.activity.selectors import events_for

logger = logging.getLogger(__name__)


def send_digests() -> int:
    """Send every pending digest of the current schema. Each person's digest is marked sent with it; items they
    may no longer see (moved, demoted) are dropped; one person's failure does not stop the others."""
    sent = 0
    people = User.objects.filter(
        is_active=True, deliveries__channel=Channel.DIGEST, deliveries__sent_at__isnull=True
    ).distinct()
    for user in people:
        try:
            sent += _send_digest(user)
        except Exception:
            logger.exception("digest for user %s could not be sent", user.pk)
    return sent


@transaction.atomic
def _send_digest(user: User) -> int:
    waiting = list(
        Delivery.objects.select_for_update(of=("self",))
        .filter(user=user, channel=Channel.DIGEST, sent_at__isnull=True)
        .select_related("event")
        .order_by("event__created_at", "event_id")
    )
    still_visible = set(
        events_for(actor_for(user)).filter(pk__in=[d.event_id for d in waiting]).values_list("pk", flat=True)
    )
    events = [d.event for d in waiting if d.event_id in still_visible]
    if events:
        message = digest_email(user, events)
        message.connection = delivery_connection()  # already in Celery: send now, inside the transaction
        message.send()
    Delivery.objects.filter(pk__in=[d.pk for d in waiting]).update(sent_at=timezone.now())
    return 1 if events else 0
