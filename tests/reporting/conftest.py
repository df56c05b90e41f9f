from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from reporting.models import Call, EngagementDay
from reporting.rollups import rebuild_all

TODAY = date(2026, 3, 16)  # a Monday
REPS = [
    "priya.natarajan@northwind.example",
    "diego.alvarez@northwind.example",
    "sam.okafor@northwind.example",
]
DISPOSITIONS = ["CONNECTED", "NOT_ANSWERED", "VOICE_MAIL", "MEETING_BOOKED", "BUSY"]
CADENCES = ["Alpha", "Beta", "Gamma"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The standard users' passwords are hashed in every test; the real hasher's
    # deliberate slowness adds seconds a test on this shared machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def klenty(sandbox, settings):
    """The sandbox without a rate limit, a fast client and a short backfill."""
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100000
    settings.API_BACKOFF_BASE = 0.01
    settings.API_BACKOFF_CAP = 0.05
    settings.REPORTS_BACKFILL_DAYS = 14
    settings.REPORTS_REFRESH_DAYS = 2
    settings.REPORTS_STEPWISE_DAYS = 30
    sandbox.configure(rate_limit_per_min=0)
    return sandbox


@pytest.fixture
def stored_reports(db):
    """Sixty days of engagement for three cadences and of calls for three reps,
    made up with a fixed seed: what the pulls would have stored."""
    rng = random.Random(7)
    days = [TODAY - timedelta(days=n) for n in range(60)]
    EngagementDay.objects.bulk_create(
        EngagementDay(
            cadence_name=name,
            day=day,
            **{metric: rng.randint(0, 40) for metric in EngagementDay.METRICS},
        )
        for name in CADENCES
        for day in days
    )
    calls = []
    for n in range(900):
        day = days[rng.randrange(len(days))]
        calls.append(
            Call(
                call_sid=f"CA{n:06d}",
                username=REPS[n % len(REPS)],
                called_on=day,
                created_at=datetime(day.year, day.month, day.day, 15, tzinfo=UTC),
                disposition=rng.choice(DISPOSITIONS),
                duration_seconds=rng.randint(0, 1500),
            )
        )
    Call.objects.bulk_create(calls)
    rebuild_all()
    return {"days": days}
