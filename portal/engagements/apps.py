from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "portal.engagements"
    label = "engagements"
    verbose_name = "Engagements"

    def ready(self) -> None:
        from portal.engagements import capabilities, panels, usage  # noqa: F401  (usage: deliverable files, for the quota)

        capabilities.register_targets()
        panels.register()  # "what needs you" and the dashboards' panels
