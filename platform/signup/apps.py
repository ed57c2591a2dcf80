from django.apps import AppConfig


class SignupConfig(AppConfig):
    name = "signup"
    verbose_name = "Self-serve signup"
