from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "portal.access"
    label = "access"
    verbose_name = "Access"

    def ready(self) -> None:
        from portal.access import signals  # noqa: F401  (connects the sign-in receivers)
