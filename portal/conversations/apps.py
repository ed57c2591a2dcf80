from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "portal.conversations"
    label = "conversations"
    verbose_name = "Comments"

    def ready(self) -> None:
        from portal.conversations import capabilities, usage  # noqa: F401  (comments.create; attachments' storage)
