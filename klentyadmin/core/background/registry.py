"""The registry of kinds of background work, and the base class a kind extends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import F, QuerySet
from django.utils import timezone

from klentyadmin.core import leases
from klentyadmin.core.background.models import ItemState, RunStatus
from klentyadmin.core.background.progress import Outcome, Progress, summarise

KINDS: dict[str, Kind] = {}


class Kind:
    """What one kind of background work does; subclasses override only what differs.

    The runner calls, per task: `prepare` (once), `recover` (items a dead runner
    left in flight), then `work_slice`, which takes one `step` after another until
    none is left or the slice's time is up; at the end `finish`, in the transaction
    that marks the run done.
    """

    name: str = ""
    # What a person calls one run, before its id: "Bulk job" (failures, logs).
    label: str = "Background work"
    model: type[models.Model]
    item_model: type[models.Model] | None = None
    # The item's foreign key to its run.
    item_run_field: str = "run"
    # Sizes the lease: the worst case of one item is this many requests, every retry timing out.
    requests_per_item: int = 1
    # Each task works this long, then queues its own continuation, so no task comes
    # near django-q2's timeout however large the run.
    slice_seconds: float = 60
    # The figures of the progress summary.
    outcomes: tuple[Outcome, ...] = ()
    # An unexpected exception ends the run "failed" with its message. Where False,
    # the run stays "running" and its lease lapses, so resume_stalled tries again.
    fail_on_error: bool = True

    # -- the run ------------------------------------------------------------

    def runs(self) -> QuerySet:
        """Every run of this kind (a kind sharing its model with another filters here)."""
        return self.model._default_manager.all()

    def active(self) -> QuerySet:
        return self.runs().filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])

    def running(self) -> QuerySet:
        return self.runs().filter(status=RunStatus.RUNNING)

    def stalled(self) -> QuerySet:
        """Runs whose runner died: running, and nobody holds the lease."""
        return self.running().filter(leases.free())

    def lease_seconds(self) -> int:
        return leases.lease_seconds(requests_per_item=self.requests_per_item)

    def get(self, run_id: int) -> Any:
        return self.runs().get(pk=run_id)

    def queue(self, run_id: int) -> None:
        """Queues the task that works the run (now, not on commit)."""
        from klentyadmin.core.background.runner import queue

        queue(self.name, run_id)

    # -- per task -----------------------------------------------------------

    def prepare(self, run: Any) -> Any:
        """What every item of this slice needs (a client, say); passed back as `context`."""
        return None

    def recover(self, run: Any, context: Any) -> None:
        """Items a dead runner left "sending" go back in the queue. Right when sending
        one again is harmless or `process_item` checks first; override it otherwise."""
        self.items(run).filter(state=ItemState.SENDING).update(state=ItemState.PENDING)

    def work_slice(self, run: Any, context: Any, work: Any) -> bool:
        """Works until the run is finished (True) or the slice's time is up (False).
        `work.checkpoint()` renews the lease, and stops the task if the run was
        cancelled or taken over, before every step."""
        while work.time_left():
            work.checkpoint()
            if not self.step(run, context):
                return True
        return False

    def step(self, run: Any, context: Any) -> bool:
        """One piece of work, False when none is left: by default the next pending
        item, claimed and processed (override it for batches)."""
        item = self.items(run).filter(state=ItemState.PENDING).order_by("pk").first()
        if item is None:
            return False
        if self.claim_item(item):
            self.process_item(run, context, item)
        return True

    def process_item(self, run: Any, context: Any, item: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must say how to process an item")

    def finish(self, run: Any) -> None:
        """Runs in the transaction that marks the run done: what must happen exactly
        once at the end (queueing follow-up work, say)."""

    # -- items --------------------------------------------------------------

    def items(self, run: Any) -> QuerySet:
        assert self.item_model is not None, f"{self.name} has no items"
        pk = run if isinstance(run, int) else run.pk
        return self.item_model._default_manager.filter(**{f"{self.item_run_field}_id": pk})

    def claim_item(self, item: Any) -> bool:
        """pending → sending, with a conditional UPDATE only one runner can win."""
        return bool(
            type(item)
            ._default_manager.filter(pk=item.pk, state=ItemState.PENDING)
            .update(state=ItemState.SENDING, attempts=F("attempts") + 1, started_at=timezone.now())
        )

    def mark(self, item: Any, state: str, message: str = "", **also_set: Any) -> None:
        type(item)._default_manager.filter(pk=item.pk).update(
            state=state, message=message[:2000], finished_at=timezone.now(), **also_set
        )

    # -- in words -----------------------------------------------------------

    def title(self, run: Any) -> str:
        """What a person calls this run: "Bulk job 3"; a kind may name it better."""
        return f"{self.label} {run.pk}"

    def failure_line(self, run: Any) -> str:
        """One line for people about a run that did not end well, "" for one that did."""
        if run.status == RunStatus.FAILED:
            return f"{self.title(run)} stopped: {run.error or 'no reason was recorded'}"
        return ""

    # -- the page -----------------------------------------------------------

    def outcomes_for(self, run: Any) -> tuple[Outcome, ...]:
        return self.outcomes

    def progress(self, run: Any) -> Progress:
        return summarise(
            self.items(run),
            self.outcomes_for(run),
            total=run.total,
            finished=run.finished,
            started_at=run.started_at,
        )


def kind(name: str) -> Callable[[type[Kind]], type[Kind]]:
    """Registers a Kind subclass under `name` (one instance serves every run)."""

    def register(cls: type[Kind]) -> type[Kind]:
        known = KINDS.get(name)
        if known is not None and type(known).__qualname__ != cls.__qualname__:
            raise ValueError(f"two kinds of background work are called {name!r}")
        cls.name = name
        KINDS[name] = cls()
        return cls

    return register


def get(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"no kind of background work is called {name!r}") from None
