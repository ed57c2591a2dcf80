from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    """The client-organisation pages and writers, above the access layer. Their models (`ClientOrg`, `Contact`)
    live in `portal.clients`, below it, because the access layer scopes everything by them."""

    name = "portal.organisations"
    label = "organisations"
    verbose_name = "Client organisations (pages)"

    def ready(self) -> None:
        # comments: enables comments on client organisations (on import)
        from portal.organisations import comments, search  # noqa: F401

        search.register()  # clients and people in the top bar's search
