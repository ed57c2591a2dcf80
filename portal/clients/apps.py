from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "portal.clients"
    label = "clients"
    verbose_name = "Client organisations"

    def ready(self) -> None:
        from portal.clients import comments  # noqa: F401  (enables comments on client organisations)
