from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "prospects"

    def ready(self) -> None:
        # Registers the app's kinds of background work in every process, and its
        # Home "Needs attention" lines (klentyadmin/core/attention.py).
        import prospects.bulk  # noqa: F401
        import prospects.freshness  # noqa: F401
        import prospects.sync  # noqa: F401
