"""Periods the cockpit and the scorecards count over: a day, a week (Monday to Sunday),
a month, a quarter or a custom range, each with the period before it and the same
period a year earlier.

A period that is under way is compared on equal terms: its days so far against the
same number of days at the start of the period before (and of the year-ago period),
so Tuesday evening is not set against a whole previous week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DAY, WEEK, MONTH, QUARTER, CUSTOM = "day", "week", "month", "quarter", "custom"


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, days_in_month(year, month)))


def days_in_month(year: int, month: int) -> int:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return (first_next - date(year, month, 1)).days


def a_year_before(day: date) -> date:
    return add_months(day, -12)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        if kind == DAY:
            return cls(DAY, day, day)
        if kind == WEEK:
            start = day - timedelta(days=day.weekday())
            return cls(WEEK, start, start + timedelta(days=6))
        if kind == MONTH:
            start = day.replace(day=1)
            return cls(MONTH, start, add_months(start, 1) - timedelta(days=1))
        if kind == QUARTER:
            start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
            return cls(QUARTER, start, add_months(start, 3) - timedelta(days=1))
        raise ValueError(kind)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        if self.kind in (MONTH, QUARTER):
            return Period.containing(self.kind, self.start - timedelta(days=1))
        return Period(self.kind, self.start - timedelta(days=self.days), self.start - timedelta(1))

    @property
    def year_before(self) -> Period:
        if self.kind == WEEK:
            # 52 weeks back, so Monday is set against a Monday.
            return Period(WEEK, self.start - timedelta(weeks=52), self.end - timedelta(weeks=52))
        if self.kind in (MONTH, QUARTER):
            return Period.containing(self.kind, a_year_before(self.start))
        return Period(self.kind, a_year_before(self.start), a_year_before(self.end))

    def elapsed_days(self, today: date) -> int:
        """Days of the period begun by `today`, today included (0 before it starts)."""
        if today < self.start:
            return 0
        return min(self.days, (today - self.start).days + 1)

    def under_way(self, today: date) -> bool:
        return self.start <= today < self.end

    def first_days(self, count: int) -> Period:
        """The first `count` days of this period (all of it when count is larger)."""
        count = max(1, min(count, self.days))
        return Period(self.kind, self.start, self.start + timedelta(days=count - 1))

    def so_far(self, today: date) -> Period:
        return self.first_days(self.elapsed_days(today))

    def comparable(self, today: date) -> tuple[Period, Period, Period]:
        """This period so far, and the same stretch of the period before and of the same
        period a year earlier. A single day is set against the whole day before."""
        now = self.so_far(today) if self.under_way(today) else self
        length = now.days
        return now, self.previous.first_days(length), self.year_before.first_days(length)

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    def label(self) -> str:
        if self.kind == DAY:
            return f"{self.start:%a} {self.start.day} {self.start:%b %Y}"
        if self.kind == MONTH:
            return f"{self.start:%B %Y}"
        if self.kind == QUARTER:
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        return range_text(self.start, self.end)


def range_text(start: date, end: date) -> str:
    if start == end:
        return f"{start.day} {start:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
