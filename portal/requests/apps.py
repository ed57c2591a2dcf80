from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "portal.requests"
    label = "requests"
    verbose_name = "Requests"

    def ready(self) -> None:
        from portal.requests import capabilities, usage  # noqa: F401  (usage: request files, for the quota)

        capabilities.register_targets()

        from portal.requests import panels, providers

        providers.register()  # "what needs you" and the top bar's search
        panels.register()  # the staff dashboard's open requests, the requests section of a project's page

        from portal.activity import emails
        from portal.requests import ratings

        emails.register_action("request.status_changed", ratings.rating_action)
