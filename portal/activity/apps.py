from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "portal.activity"
    label = "activity"
    verbose_name = "Activity and notifications"

    def ready(self) -> None:
        from core import audit
        from portal.access.policy import SYSTEM
        from portal.activity.services import record

        # The layers below the portal (the tenancy kernel) record through `core.audit` and act as its system
        # actor without importing the portal.
        audit.install(recorder=record, system=SYSTEM)
