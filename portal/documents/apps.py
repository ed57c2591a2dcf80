from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "portal.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from portal.documents import capabilities, usage  # noqa: F401  (usage: what documents store, for the quota)

        capabilities.register_targets()
