from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "portal.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from portal.activity import outbound
        from portal.webhooks import delivery, targets  # noqa: F401  (endpoints' visibility and audit-only events)

        if delivery.queue_for_event not in outbound.SENDERS:
            outbound.register(delivery.queue_for_event)
