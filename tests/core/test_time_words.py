"""A moment under a minute ago reads "just now", never "0 minutes ago"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klentyadmin.core.templatetags.time_words import ago
from prospects.models import BulkJob


def test_ago_says_just_now_for_the_first_minute_then_counts():
    now = timezone.now()

    assert ago(now - timedelta(seconds=59), now) == "just now"
    # timesince puts a no-break space between the number and the unit.
    assert ago(now - timedelta(minutes=1), now) == "1\xa0minute ago"
    assert ago(now - timedelta(minutes=3), now) == "3\xa0minutes ago"
    assert ago(None) == ""


@pytest.mark.django_db
def test_a_job_started_a_moment_ago_says_just_now(manager_client, manager_user):
    job = BulkJob.objects.create(action="add_tags", created_by=manager_user, description="Tag 2")

    for page in (reverse("prospects:job", args=[job.pk]), reverse("prospects:jobs")):
        html = manager_client.get(page).content.decode()
        assert "just now" in html
        assert "0\xa0minutes" not in html
