from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"

    def ready(self) -> None:
        # Evaluation is queued when a report pull finishes (reporting.pulls.pull_finished).
        import alerts.attention  # noqa: F401  (alerts firing on Home's "Needs attention")
        import alerts.tasks  # noqa: F401
