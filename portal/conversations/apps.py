from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "portal.conversations"
    label = "conversations"
    verbose_name = "Comments"

    def ready(self) -> None:
        from portal.access import attention
        from portal.conversations import capabilities, usage  # noqa: F401  (comments.create; attachments' storage)
        from portal.conversations.attention import unread_comments

        attention.register("unread-comments", unread_comments)  # "what needs you": unread comments
