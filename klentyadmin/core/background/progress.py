"""One progress summary for every kind: counts by outcome, in one aggregate query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from klentyadmin.core.background.models import ItemState

# The rate is measured over the last minute, or since the start if that is sooner.
RATE_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class Outcome:
    """One figure of a progress summary: its name (an attribute of `Progress`), what the
    page calls it, which items it counts, and whether it is bad news."""

    name: str
    label: str
    items: Q
    problem: bool = False


@dataclass(frozen=True)
class Progress:
    total: int
    pending: int
    finished: bool
    counts: dict[str, int] = field(default_factory=dict)
    labels: dict[str, tuple[str, bool]] = field(default_factory=dict)
    per_minute: float = 0.0
    eta_seconds: int | None = None

    def __getattr__(self, name: str) -> int:
        # `progress.done`, `progress.failed`...: the count of that outcome.
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    @property
    def finished_count(self) -> int:
        return sum(self.counts.values())

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.finished_count / self.total)) if self.total else 100

    @property
    def figures(self) -> list[tuple[str, str, int, bool]]:
        """(name, label, count, is a problem) in the kind's order, for the progress partial."""
        return [
            (name, label, self.counts[name], problem)
            for name, (label, problem) in self.labels.items()
        ]

    def plus(self, other: Progress, names: dict[str, str], *, finished: bool) -> Progress:
        """This summary with `other`'s counts added in (`names`: theirs → ours), for a run
        whose items are partly another run's (an import handed to the bulk engine);
        `finished` says whether the two together are."""
        counts = dict(self.counts)
        for theirs, ours in names.items():
            counts[ours] += other.counts[theirs]
        return Progress(
            total=self.total,
            pending=self.pending + other.pending,
            finished=finished,
            counts=counts,
            labels=self.labels,
            per_minute=self.per_minute + other.per_minute,
            eta_seconds=other.eta_seconds if other.eta_seconds else self.eta_seconds,
        )


def summarise(
    items: QuerySet,
    outcomes: tuple[Outcome, ...],
    *,
    total: int,
    finished: bool,
    started_at: datetime | None,
    measured: Q | None = None,
) -> Progress:
    """Counts of `items` by outcome, pending ones, and the recent rate, in one query.
    `measured` says which finished items count towards the rate (all, by default)."""
    now = timezone.now()
    window = RATE_WINDOW
    if started_at and now - started_at < window:
        window = max(now - started_at, timedelta(seconds=1))
    recent = Q(finished_at__gte=now - window)
    if measured is not None:
        recent &= measured
    counts = items.aggregate(
        **{o.name: Count("pk", filter=o.items) for o in outcomes},
        pending=Count("pk", filter=Q(state__in=[ItemState.PENDING, ItemState.SENDING])),
        recent=Count("pk", filter=recent),
    )
    pending = counts.pop("pending")
    rate = counts.pop("recent") * 60 / window.total_seconds()
    eta = round(60 * pending / rate) if rate and pending else None
    return Progress(
        total=total,
        pending=pending,
        finished=finished,
        counts=counts,
        labels={o.name: (o.label, o.problem) for o in outcomes},
        per_minute=rate,
        eta_seconds=eta,
    )
