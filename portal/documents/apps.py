from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "portal.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from portal.documents import capabilities, usage  # noqa: F401  (usage: what documents store, for the quota)

        capabilities.register_targets()

        from portal.documents import providers

        providers.register()  # "what needs you" and the top bar's search

        from portal.activity.retention import RETENTION_PURGES
        from portal.documents.services import downloads_purge

        RETENTION_PURGES.append(downloads_purge)  # download records follow the history's retention rule
