from django.apps import AppConfig


class ClientsConfig(AppConfig):
    """Client organisations and their contacts: the models the access layer scopes everything by. The pages and
    writers are `portal.organisations`, above the access layer."""

    name = "portal.clients"
    label = "clients"
    verbose_name = "Client organisations"
