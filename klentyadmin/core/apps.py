from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "klentyadmin.core"
    label = "core"
    verbose_name = "Connections, API calls and audit"

    def ready(self) -> None:
        from klentyadmin.core.schedules import ensure_schedules

        post_migrate.connect(ensure_schedules, sender=self)
