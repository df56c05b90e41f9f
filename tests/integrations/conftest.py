from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_api_settings(settings):
    """Short backoffs and a budget no test reaches (the tests of throttling set
    their own). The root conftest already gives each test its own RATE_LIMIT_DIR.
    The Klenty overrides make every test talk to the sandbox, whatever the shell's
    environment says."""
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    settings.API_BACKOFF_BASE = 0.01
    settings.API_BACKOFF_CAP = 2.0
    settings.KLENTY_API_KEY = ""
    settings.KLENTY_API_BASE = ""
    settings.KLENTY_APP_BASE = ""
    settings.KLENTY_TEAM_EMAILS = []


@pytest.fixture
def actor(db):
    """A user to audit writes under; made without a password, which is slow to hash."""
    from klentyadmin.accounts.models import Role, User

    return User.objects.create(username="morgan", role=Role.MANAGER)
