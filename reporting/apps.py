from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        # Registers the app's kinds of background work in every process, and its
        # Home "Needs attention" lines (klentyadmin/core/attention.py).
        import reporting.emails  # noqa: F401
        import reporting.freshness  # noqa: F401
        import reporting.pulls  # noqa: F401
