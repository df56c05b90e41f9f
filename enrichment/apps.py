from django.apps import AppConfig


class EnrichmentConfig(AppConfig):
    name = "enrichment"

    def ready(self) -> None:
        # Registers the app's kinds of background work in every process.
        import enrichment.verification  # noqa: F401
