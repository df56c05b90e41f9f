from __future__ import annotations

import pytest

from cadences.models import WebhookSubscription


@pytest.fixture(autouse=True)
def _fast_api(settings):
    """No waiting on the client's rate limit or backoff against the sandbox."""
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100000
    settings.API_BACKOFF_BASE = 0.01
    settings.API_BACKOFF_CAP = 0.05
    settings.PUBLIC_BASE_URL = "http://testserver"


@pytest.fixture
def subscription(db):
    return WebhookSubscription.objects.create(
        klenty_id="hook-1",
        event="open",
        url="http://testserver/hooks/klenty/token-one/",
        token="token-one",
    )


def make_prospect(email: str, owner: str = "", **fields):
    from prospects.models import Prospect

    return Prospect.objects.create(email=email, owner_email=owner, **fields)


def cache_from_sandbox(sandbox, limit: int = 5, **filters):
    """Copies sandbox prospects into the cache, as the sync would."""
    from prospects.models import Prospect

    rows = [
        Prospect.objects.create(
            klenty_id=summary["id"],
            email=summary["email"],
            owner_email=summary["owner"],
            prospect_status=summary["status"],
            cadence_status=summary["cadence_status"],
            cadence_name=summary["cadence"],
            tags=summary["tags"],
        )
        for summary in sandbox.find_prospects(limit=limit, **filters)
    ]
    assert len(rows) == limit, f"the sandbox has fewer than {limit} prospects with {filters}"
    return rows
