from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "portal.conversations"
    label = "conversations"
    verbose_name = "Comments"
