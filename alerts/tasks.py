"""The background task of the alerts: evaluate every rule after a report pull."""

from __future__ import annotations

from django.dispatch import receiver

from reporting.pulls import pull_finished

TASK = "alerts.tasks.evaluate_rules"


def evaluate_rules(pull_id: int | None = None) -> str:
    """The django-q2 task: every rule, once (safe to run twice: see alerts.evaluation)."""
    from alerts.evaluation import evaluate_all

    return str(evaluate_all())


def queue_evaluation(pull_id: int | None = None) -> None:
    from django_q.tasks import async_task

    async_task("alerts.tasks.evaluate_rules", pull_id, task_name=f"alerts after pull {pull_id}")


@receiver(pull_finished, dispatch_uid="alerts-evaluate-after-pull")
def evaluate_after_pull(sender, run_id: int, **kwargs) -> None:
    """A pull finished (its transaction committed): queue an evaluation."""
    queue_evaluation(run_id)
