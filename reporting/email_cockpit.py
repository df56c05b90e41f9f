"""What a report email carries of the cockpit, when its subscription asks: the
scorecard, goals pacing and the alerts of the period.

Nothing is counted here: the scorecard and pacing are `scorecards.board` (which
scopes a Rep to their own card), and the alerts are `alerts.firing.firings_during`
(which scopes a Rep to firings about themselves), so an email says what the pages say.

- The scorecard covers the report's dates (its filters), against the same number of
  days before; a Manager's filters that name reps keep those reps' cards.
- Pacing covers the week, month or quarter (the subscription's choice) the email is
  sent in, since goals are set per week, month or quarter.
- The alerts are those open at some moment during the report's dates, midnight to
  midnight in the subscription's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from alerts.firing import firings_during
from alerts.models import AlertFiring
from reporting import scorecards
from reporting.forms import ReportFilters
from reporting.models import ReportSubscription
from reporting.periods import CUSTOM, Period


@dataclass
class Cockpit:
    scorecard: scorecards.Board | None = None
    pacing: scorecards.Board | None = None
    firings: list[AlertFiring] = field(default_factory=list)
    alerts_included: bool = False

    @property
    def empty(self) -> bool:
        return self.scorecard is None and self.pacing is None and not self.alerts_included

    @property
    def paces(self) -> list[tuple[scorecards.Scorecard, scorecards.Pace]]:
        if self.pacing is None:
            return []
        return [(card, p) for card in self.pacing.cards for p in card.paces]


def day_bounds(
    subscription: ReportSubscription, filters: ReportFilters
) -> tuple[datetime, datetime]:
    """The report's dates as instants: the first day's midnight to the midnight after
    the last day, in the subscription's time zone."""
    zone = subscription.zone
    start = datetime.combine(filters.start, time(), tzinfo=zone)
    end = datetime.combine(filters.end + timedelta(days=1), time(), tzinfo=zone)
    return start, end


def build(subscription: ReportSubscription, filters: ReportFilters) -> Cockpit:
    user = subscription.user
    cockpit = Cockpit(alerts_included=subscription.include_alerts)
    today = filters.today
    if subscription.include_scorecard:
        board = scorecards.board(user, Period(CUSTOM, filters.start, filters.end), today)
        if filters.reps:
            chosen = {rep.lower() for rep in filters.reps}
            board.cards = [c for c in board.cards if c.member in chosen]
        cockpit.scorecard = board
    if subscription.include_pacing:
        period = Period.containing(subscription.pacing_period, today)
        cockpit.pacing = scorecards.board(user, period, today)
    if subscription.include_alerts:
        cockpit.firings = firings_during(user, *day_bounds(subscription, filters))
    return cockpit
