"""The Klenty sandbox's own controls: inspecting prospects and simulated activity.

Served under /_sandbox/ (no auth) for tests and demos; never part of the API.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sandbox.klenty_data import ACTIVITY_EVENTS, Prospect, iso
from sandbox.server import ApiError, Request, Route, log

if TYPE_CHECKING:
    from sandbox.klenty import KlentyService


class KlentyControl:
    def __init__(self, service: KlentyService):
        self.service = service

    def routes(self) -> list[Route]:
        return [
            ("GET", "prospects", self.find_prospects),
            ("GET", "prospects/{ref}", self.inspect_prospect),
            ("POST", "prospects/{ref}/activity", self.prospect_activity),
        ]

    def inspect_prospect(self, request: Request, ref: str) -> dict[str, Any]:
        """Everything the sandbox knows about one prospect, for test assertions."""
        prospect = self.service.state.find(ref)
        if prospect is None:
            raise ApiError(404, None, f"No prospect {ref[:100]}")
        cadences = self.service.state.cadences
        return {
            **self._summary(prospect),
            "status_before_dnc": prospect.status_before_dnc,
            "list_id": prospect.list_id,
            "custom_fields": dict(prospect.custom),
            "outcome": prospect.outcome,
            "fields": dict(prospect.fields),
            "created": iso(prospect.created, millis=True),
            "updated": iso(prospect.updated, millis=True),
            "memberships": [
                {
                    "cadence": cadences[m.cadence_id].name,
                    "cadence_id": m.cadence_id,
                    "status": m.status,
                    "added": iso(m.added),
                    "step": m.step,
                    "ended": iso(m.ended) if m.ended else None,
                }
                for m in prospect.memberships.values()
            ],
            "events": [
                {
                    "ts": iso(e.ts, millis=True),
                    "kind": e.kind,
                    "cadence": cadences[e.cadence_id].name if e.cadence_id else "",
                    "step": e.step,
                    "option": e.option,
                    "detail": e.detail,
                }
                for e in prospect.events
            ],
        }

    def _summary(self, prospect: Prospect) -> dict[str, Any]:
        latest = prospect.latest_membership()
        return {
            "id": prospect.id,
            "email": prospect.email,
            "status": prospect.status,
            "cadence_status": prospect.cadence_status,
            "cadence": self.service.state.cadences[latest.cadence_id].name if latest else "",
            "list": self.service.list_name(prospect),
            "owner": prospect.owner,
            "tags": list(prospect.tags),
        }

    def find_prospects(self, request: Request) -> dict[str, Any]:
        """Prospects matching ?status=&cadence_status=&list=&owner=&cadence=&tag= (limit 20)."""
        query = request.query
        try:
            limit = min(max(int(query.get("limit", "20")), 1), 1000)
        except ValueError:
            raise ApiError(400, None, "limit must be a whole number") from None
        checks: list[Callable[[dict[str, Any]], bool]] = []
        for key in ("status", "cadence_status", "owner", "list", "cadence"):
            if key in query:
                checks.append(lambda s, k=key: s[k].lower() == query[k].lower())
        if "tag" in query:
            checks.append(lambda s: query["tag"].lower() in (t.lower() for t in s["tags"]))
        found, total = [], 0
        for prospect in self.service.state.prospects.values():
            summary = self._summary(prospect)
            if all(check(summary) for check in checks):
                total += 1
                if len(found) < limit:
                    found.append(summary)
        return {"prospects": found, "total": total}

    def prospect_activity(self, request: Request, ref: str) -> dict[str, Any]:
        """Make an engagement happen now, e.g. {"kind": "reply", "sentiment": "positive"}."""
        prospect = self.service.state.find(ref)
        if prospect is None:
            raise ApiError(404, None, f"No prospect {ref[:100]}")
        body = self.service.body_object(request)
        kind = body.get("kind")
        if kind not in ACTIVITY_EVENTS:
            raise ApiError(400, None, f"kind must be one of {', '.join(ACTIVITY_EVENTS)}")
        sentiment = body.get("sentiment", "")
        if sentiment not in ("", "positive", "negative", "neutral"):
            raise ApiError(400, None, "sentiment must be positive, negative or neutral")
        happened = self.service.apply_activity(prospect, kind, random.Random(), sentiment)
        return {"happened": happened, "status": prospect.status}


class ActivitySimulator:
    """A background thread that makes prospects in cadences open, click, reply, bounce."""

    def __init__(self, service: KlentyService):
        self.service = service
        self.interval = 2.0
        self._stop: threading.Event | None = None
        self._rng = random.Random(service.state.seed)

    @property
    def running(self) -> bool:
        return self._stop is not None

    def start(self) -> None:
        if self._stop is None:
            self._stop = threading.Event()
            thread = threading.Thread(target=self._run, args=(self._stop,), daemon=True)
            thread.name = "sandbox-klenty-activity"
            thread.start()

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
            self._stop = None

    def _run(self, stop: threading.Event) -> None:
        while not stop.wait(self.interval):
            with self.service.app.lock:
                if stop.is_set():
                    return
                try:
                    self.service.simulate_tick(self._rng)
                except Exception:  # a bug here must not kill the thread silently
                    log.exception("activity tick failed")
