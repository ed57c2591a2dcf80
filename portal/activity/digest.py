"""The daily digest: one e-mail per person with the events they chose to receive that way."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.mail import delivery_connection
from portal.activity.emails import digest_email
from portal.activity.models import ActivityEvent, Channel, Delivery


def pending(user: User) -> list[ActivityEvent]:
    """The events waiting for this person's next digest, oldest first."""
    return list(
        ActivityEvent.objects.filter(
            deliveries__user=user, deliveries__channel=Channel.DIGEST, deliveries__sent_at__isnull=True
        ).order_by("created_at", "id")
    )


def send_digests() -> int:
    """Send every pending digest of the current schema; each person's digest is marked sent with it."""
    sent = 0
    people = User.objects.filter(
        is_active=True, deliveries__channel=Channel.DIGEST, deliveries__sent_at__isnull=True
    ).distinct()
    for user in people:
        with transaction.atomic():
            waiting = Delivery.objects.select_for_update().filter(
                user=user, channel=Channel.DIGEST, sent_at__isnull=True
            )
            events = [
                delivery.event for delivery in waiting.select_related("event").order_by("event__created_at", "event_id")
            ]
            if not events:
                continue
            message = digest_email(user, events)
            message.connection = delivery_connection()  # already in Celery: send now, inside the transaction
            message.send()
            waiting.update(sent_at=timezone.now())
            sent += 1
    return sent


def retention_days() -> int:
    return int(settings.ACTIVITY_RETENTION_DAYS)
