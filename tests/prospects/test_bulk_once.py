"""A bulk form sent twice (double click, Back and resubmit, two tabs) starts one job."""

from __future__ import annotations

from collections import Counter

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from klentyadmin.core import once
from klentyadmin.core.once import ALREADY_SENT, MISSING_KEY, new_key
from prospects import bulk
from prospects.models import BulkJob, BulkJobItem
from tests.conftest import make_user, signed_in_client
from tests.fixtures.concurrency import overlapping
from tests.prospects.test_bulk import (
    cache,
    fast_client,  # noqa: F401  (autouse: applies here too)
)


def unsubscribe_form(prospects, key: str) -> dict:
    return {
        "action": "unsubscribe",
        "scope": "selected",
        "prospect_ids": [p.pk for p in prospects],
        "confirm_count": str(len(prospects)),
        "once_key": key,
    }


def unsubscribes(sandbox, since: int) -> Counter:
    return Counter(
        r["body"]["Email"].lower()
        for r in sandbox.requests(since)
        if r["method"] == "POST" and r["path"].endswith("/unsubscribe")
    )


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_confirm_page_carries_a_fresh_key_each_time(manager_client, sandbox):
    prospects = cache(sandbox, 1, status="Not Contacted")
    data = {"action": "mark_dnc", "scope": "selected", "prospect_ids": [prospects[0].pk]}

    first = manager_client.post(reverse("prospects:bulk_confirm"), data)
    second = manager_client.post(reverse("prospects:bulk_confirm"), data)

    keys = [r.context["form"].initial["once_key"] for r in (first, second)]
    assert all(once.KEY_PATTERN.fullmatch(k) for k in keys) and keys[0] != keys[1]
    assert f'name="once_key" value="{keys[0]}"' in first.content.decode()


def test_an_unsubscribe_posted_again_after_it_ran_is_not_sent_again(
    manager_client, sandbox, django_capture_on_commit_callbacks
):
    prospects = cache(sandbox, 3, status="Not Contacted")
    form = unsubscribe_form(prospects, new_key())
    since = sandbox.last_seq()

    with django_capture_on_commit_callbacks(execute=True):
        first = manager_client.post(reverse("prospects:bulk_start"), form)
    with django_capture_on_commit_callbacks(execute=True):
        again = manager_client.post(reverse("prospects:bulk_start"), form)

    job = BulkJob.objects.get()
    assert job.items.filter(state=BulkJobItem.State.DONE).count() == 3
    assert first["Location"] == again["Location"] == reverse("prospects:job", args=[job.pk])
    assert said(again) == [ALREADY_SENT]
    assert unsubscribes(sandbox, since) == {p.email.lower(): 1 for p in prospects}


def test_a_retry_posted_twice_queues_the_failed_items_once(
    manager_client, sandbox, django_capture_on_commit_callbacks
):
    prospects = cache(sandbox, 2, status="Not Contacted")
    sandbox.fail_next(status=400, count=2, path_contains="/unsubscribe")
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("prospects:bulk_start"), unsubscribe_form(prospects, new_key()))
    job = BulkJob.objects.get()
    assert job.items.filter(state=BulkJobItem.State.FAILED).count() == 2
    sandbox.fail_next(status=400, count=2, path_contains="/unsubscribe")
    retry = {"once_key": new_key()}
    since = sandbox.last_seq()

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("prospects:job_retry", args=[job.pk]), retry)
    with django_capture_on_commit_callbacks(execute=True):
        again = manager_client.post(reverse("prospects:job_retry", args=[job.pk]), retry)

    assert said(again)[-1] == ALREADY_SENT
    # Sent again once (and refused again), not twice.
    assert unsubscribes(sandbox, since) == {p.email.lower(): 1 for p in prospects}


@pytest.mark.parametrize("key", ["", "short", "x" * 31 + "!", "<script>" * 4])
def test_a_missing_or_malformed_key_is_a_form_error_and_starts_nothing(
    manager_client, sandbox, key
):
    prospects = cache(sandbox, 2, status="Not Contacted")
    since = sandbox.last_seq()

    response = manager_client.post(
        reverse("prospects:bulk_start"), unsubscribe_form(prospects, key)
    )

    assert response.status_code == 200
    assert MISSING_KEY in response.content.decode()
    assert not BulkJob.objects.exists()
    assert not unsubscribes(sandbox, since)
    # The page carries a good key for the next try.
    fresh = response.context["form"].data["once_key"]
    assert once.KEY_PATTERN.fullmatch(fresh)
    assert f'value="{fresh}"' in response.content.decode()


def test_retry_and_undo_without_a_key_say_so_and_do_nothing(manager_client, manager_user, sandbox):
    prospects = cache(sandbox, 1, status="Not Contacted")
    job = bulk.create_job(
        user=manager_user, action="add_tags", params={"tags": ["x"]}, prospect_ids=[prospects[0].pk]
    )

    for name in ("prospects:job_retry", "prospects:job_undo"):
        response = manager_client.post(reverse(name, args=[job.pk]))
        assert response.status_code == 302
        assert said(response)[-1] == MISSING_KEY
    assert BulkJob.objects.count() == 1


def test_two_posts_of_one_key_at_the_same_moment_start_one_job(
    sandbox, monkeypatch, concurrent_database
):
    """On the old code (no key) this made two jobs and sent everything twice."""
    manager = make_user("morgan", "manager", "morgan.hale@northwind.example")
    prospects = cache(sandbox, 2, status="Not Contacted")
    form = unsubscribe_form(prospects, new_key())
    since = sandbox.last_seq()
    # Signed in beforehand: a sign-in writes, and would wait on the first's transaction.
    tab, other_tab = signed_in_client(manager), signed_in_client(manager)

    responses = overlapping(
        monkeypatch,
        bulk,
        "create_job",
        lambda: tab.post(reverse("prospects:bulk_start"), form),
        lambda: other_tab.post(reverse("prospects:bulk_start"), form),
    )

    job = BulkJob.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {reverse("prospects:job", args=[job.pk])}
    assert said(responses[0]) == [] and said(responses[1]) == [ALREADY_SENT]
    assert unsubscribes(sandbox, since) == {p.email.lower(): 1 for p in prospects}
