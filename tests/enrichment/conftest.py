from __future__ import annotations

import pytest

from klentyadmin.integrations import snov


@pytest.fixture(autouse=True)
def _fast_snov(settings):
    settings.SNOV_RATE_LIMIT_PER_MIN = 100_000
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    settings.API_BACKOFF_BASE = 0.01
    settings.API_BACKOFF_CAP = 0.05
    settings.SNOV_CLIENT_ID = ""
    settings.SNOV_CLIENT_SECRET = ""
    settings.SNOV_API_BASE = ""
    settings.SNOV_POLL_SECONDS = 10
    snov.forget_tokens()
    yield
    snov.forget_tokens()


@pytest.fixture
def snov_sandbox(sandbox):
    sandbox.configure(snov_task_delay_ms=50)
    return sandbox
