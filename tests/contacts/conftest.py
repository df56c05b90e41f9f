from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_api_settings(settings):
    """Budgets no test reaches, short backoffs, and both clients on the sandbox
    whatever the shell's environment says."""
    settings.CRM_RATE_LIMIT_PER_MIN = 100_000
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    settings.API_BACKOFF_BASE = 0.01
    settings.API_BACKOFF_CAP = 0.05
    settings.CRM_API_KEY = ""
    settings.CRM_API_BASE = ""
    settings.SANDBOX_CRM_KEY = "sandbox-crm-key"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Call something and run what it queued on commit (the worker runs inline)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run
