"""Webhook endpoints (the provider's systems listening for events) and their deliveries, one per (event, endpoint).

A delivery is the unit a receiver deduplicates on: its `message_id` is the `webhook-id` header, the same on every
attempt and on a replay, and its `payload` is frozen when it is created, so every attempt sends the same bytes.
Each attempt is kept (`WebhookAttempt`) for the delivery log: when, what was sent, what came back, how long it took.
"""

import json

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEndpoint(models.Model):
    """Where the portal posts events of the chosen types about the clients it reaches (every client, or the chosen
    ones, like an API key). The signing secret is shown once, when it is made; while a rotation's overlap runs,
    the previous secret signs too (`portal.webhooks.signing`)."""

    url = models.URLField(_("URL"), max_length=2048)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = ArrayField(models.CharField(max_length=60), default=list)
    all_clients = models.BooleanField(_("every client"), default=True)
    clients = models.ManyToManyField("clients.ClientOrg", blank=True, related_name="+")
    enabled = models.BooleanField(_("enabled"), default=True)
    # Why it was switched off by the portal itself (after failing for too long); empty when enabled or switched off
    # by a person.
    disabled_reason = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_until = models.DateTimeField(null=True, blank=True)
    # Attempts failed in a row since the last success, and when that run began: the automatic disabling's clock.
    failures_in_a_row = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.description or self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # The event's id (None for a test event): an endpoint gets each event at most once.
    event_id = models.BigIntegerField(null=True, blank=True)
    event_type = models.CharField(max_length=60)
    message_id = models.CharField(max_length=40, unique=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the dispatcher may next send it (pending only): set after each failure by the back-off, and pushed a
    # little ahead while an attempt runs, so a second worker never sends it at the same time.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When its current run of attempts began (its creation, or its last replay): it is retried for
    # WEBHOOK_RETRY_FOR_SECONDS from then, each wait twice the time retried so far.
    retrying_since = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"],
                condition=models.Q(event_id__isnull=False),
                name="one_delivery_per_event",
            )
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="webhook_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_log"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.event_type})"

    def payload_json(self) -> str:
        """The body as people read it in the delivery log (the wire form is compact: `delivery.body_of`)."""
        return json.dumps(self.payload, indent=2, ensure_ascii=False)


class WebhookAttempt(models.Model):
    """One try of a delivery, for the log: the request's headers as sent, and the answer (or why there was none)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    url = models.URLField(max_length=2048)
    request_headers = models.JSONField(default=dict)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="one_attempt_number")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
