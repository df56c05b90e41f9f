from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django_q.models import Success

from klentyadmin.core import background
from klentyadmin.core.status import HEARTBEAT_FUNC


def test_home_says_the_worker_has_not_been_seen(manager_client):
    body = manager_client.get(reverse("home")).content.decode()

    assert "not seen yet" in body


def test_home_shows_a_running_worker_from_its_heartbeat(manager_client):
    now = timezone.now()
    Success.objects.create(
        id="a" * 32, name="hb", func=HEARTBEAT_FUNC, started=now, stopped=now, success=True
    )

    body = manager_client.get(reverse("home")).content.decode()

    assert "running" in body


def test_home_page_query_count_is_constant(manager_client, django_assert_max_num_queries):
    # One query per kind of background work for its failed runs (Home's failures).
    with django_assert_max_num_queries(8 + len(background.KINDS)):
        manager_client.get(reverse("home"))
