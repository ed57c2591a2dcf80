from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "portal.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from portal.api import targets  # noqa: F401  (API keys' visibility and events)
