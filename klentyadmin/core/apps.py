from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "klentyadmin.core"
    label = "core"
    verbose_name = "Connections, API calls and audit"
