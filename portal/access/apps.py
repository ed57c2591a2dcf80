from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "portal.access"
    label = "access"
    verbose_name = "Access"

    def ready(self) -> None:
        from portal.access import signals, targets  # noqa: F401  (sign-in receivers; visibility of its objects)
