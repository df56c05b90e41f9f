from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        # Registers the app's kinds of background work in every process.
        import reporting.emails  # noqa: F401
        import reporting.pulls  # noqa: F401
