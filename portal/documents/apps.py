from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "portal.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from portal.documents import capabilities

        capabilities.enable_comments()
