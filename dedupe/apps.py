from django.apps import AppConfig


class DedupeConfig(AppConfig):
    name = "dedupe"
    verbose_name = "Duplicates"

    def ready(self) -> None:
        # The bulk engine's "merge" action is registered when this app loads.
        from dedupe import merging  # noqa: F401
