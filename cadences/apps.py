from django.apps import AppConfig


class CadencesConfig(AppConfig):
    name = "cadences"

    def ready(self) -> None:
        # Registers the app's kinds of background work in every process.
        import cadences.sync  # noqa: F401
