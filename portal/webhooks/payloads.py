"""What a delivery's body says: the Standard Webhooks envelope (`type`, `timestamp`, `data`) around the event's
public representation, the API's own (`portal.api.endpoints.activity.EventSerializer`), so a system reads an event
the same way from `/api/v1/activity/` and from a webhook."""

from typing import Any

from django.db import connection
from django.utils import timezone

from portal.activity.models import ActivityEvent
from portal.api.endpoints.activity import EventSerializer

TEST_TYPE = "webhook.test"


def event_payload(event: ActivityEvent) -> dict[str, Any]:
    data: dict[str, Any] = dict(EventSerializer(event).data)  # type: ignore[call-overload]
    return {"type": event.verb, "timestamp": data["created_at"], "data": data}


def test_payload(endpoint_id: int) -> dict[str, Any]:
    portal = connection.tenant.portal_name  # type: ignore[attr-defined]
    return {
        "type": TEST_TYPE,
        "timestamp": timezone.now().isoformat().replace("+00:00", "Z"),
        "data": {"endpoint": endpoint_id, "message": f"A test event from {portal}: your endpoint is reachable."},
    }
