"""The history both sides read, and how people were told of it.

ActivityEvent is append-only: a trigger (migration 0004) stamps `created_at` with the database clock and refuses
UPDATE, DELETE and TRUNCATE; only the owner role may give an event its own time (seeding) or delete one older
than the retention floor (the purge function, which runs as the owner). An event names its actor
and target by id and a label snapshot, never by a cascading foreign key, so deleting or erasing either leaves
the history as it was; it also keeps what seeing its target required (organisation, capability, internal).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class ActivityEvent(models.Model):
    # Stamped by the database: the trigger overwrites whatever a runtime connection sends (migration 0004).
    created_at = models.DateTimeField(db_default=Now(), db_index=True)
    verb = models.CharField(max_length=60, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    target_type = models.CharField(max_length=60)
    target_id = models.BigIntegerField()
    target_label = models.CharField(max_length=300)
    # What seeing the target required when the event was recorded (portal.access.visibility): kept with the
    # event, so timelines filter in SQL and events about deleted targets keep their rule.
    client_org_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    capability = models.CharField(max_length=60, default="organisation.view")
    internal = models.BooleanField(default=False, help_text=_("Staff only."))
    # The one contact who also sees it, holding `owner_capability` (a request's requester; `Visibility.owner_id`).
    owner_id = models.BigIntegerField(null=True, blank=True)
    owner_capability = models.CharField(max_length=60, blank=True, default="", db_default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.actor_label or 'system'} {self.verb} {self.target_label}"

    @property
    def type_label(self) -> str:
        from portal.activity.events import EVENT_TYPES

        event_type = EVENT_TYPES.get(self.verb)
        return str(event_type.label) if event_type else self.verb


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the portal")
    EMAIL = "email", _("E-mail")
    DIGEST = "digest", _("Daily digest")
    WEBHOOK = "webhook", _("Webhooks")


class Delivery(models.Model):
    """One (event, recipient, channel): the record that makes a retried fan-out or send a no-op."""

    event = models.ForeignKey(ActivityEvent, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user", "channel"], name="one_delivery_per_channel"),
            models.UniqueConstraint(
                fields=["event", "channel"], condition=models.Q(user__isnull=True), name="one_system_delivery"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.user_id} ({self.channel})"


class Notification(models.Model):
    """What the notification centre shows a person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(ActivityEvent, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="one_notification_per_event")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.event}"


class Frequency(models.TextChoices):
    INSTANT = "instant", _("E-mail me at once")
    DIGEST = "digest", _("In the daily digest")
    IN_APP = "in_app", _("Only in the portal")


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event_type = models.CharField(max_length=60)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event_type"], name="one_preference_per_type")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event_type}: {self.frequency}"
