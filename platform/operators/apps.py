from django.apps import AppConfig


class OperatorsConfig(AppConfig):
    name = "operators"
    label = "operators"
    verbose_name = "Operators"
