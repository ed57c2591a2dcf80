"""Webhook endpoints join the visible targets (the portal's own business: owners and admins) and the audit-only
events: every change to an endpoint, its secret, its deliveries' replays and tests, and its automatic disabling."""

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.access.visibility import Visibility, register
from portal.activity import events
from portal.webhooks.models import WebhookEndpoint

register(
    WebhookEndpoint,
    visibility=lambda endpoint: Visibility(None),
    page=lambda pk, org_id: reverse("webhooks:detail", kwargs={"endpoint_id": pk}),
)


def _audit_only(code: str, label: str | Promise) -> events.EventType:
    return events.register(code, label=label, staff_only=True, audit_only=True)


CREATED = _audit_only("webhook.created", _("Webhook endpoints added"))
CHANGED = _audit_only("webhook.changed", _("Webhook endpoints changed"))
DELETED = _audit_only("webhook.deleted", _("Webhook endpoints deleted"))
SECRET_ROTATED = _audit_only("webhook.secret_rotated", _("Webhook secrets rotated"))
TEST_SENT = _audit_only("webhook.test_sent", _("Webhook test events sent"))
REPLAYED = _audit_only("webhook.replayed", _("Webhook deliveries replayed"))
DISABLED = _audit_only("webhook.disabled", _("Webhook endpoints switched off after failing"))
