"""Reading webhook endpoints and their delivery logs: owners and admins only (the portal's own business)."""

from django.db.models import Count, Prefetch, Q, QuerySet

from portal.access.policy import Actor, NotFound
from portal.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint


def endpoints_for(actor: Actor) -> QuerySet[WebhookEndpoint]:
    if not actor.manages_portal or actor.api_key is not None:
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.prefetch_related("clients").annotate(
        waiting=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
    )


def endpoint_get_for(actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    found = endpoints_for(actor).filter(pk=endpoint_id).first()
    if found is None:
        raise NotFound
    return found


def delivery_log(endpoint: WebhookEndpoint, *, status: str = "") -> QuerySet[WebhookDelivery]:
    """An endpoint's deliveries, the newest first, each with its attempts (one query for the page's attempts)."""
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    return deliveries.prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("-number"), to_attr="attempts_newest_first")
    )
