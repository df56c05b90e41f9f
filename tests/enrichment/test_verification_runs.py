"""Verification runs on the background framework: a dead worker's run resumes, and an
email already pushed for verification (a credit spent) is never pushed again."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.utils import timezone

from enrichment.models import VerificationItem, VerificationRun
from enrichment.verification import create_verification_run
from klentyadmin.core import background
from klentyadmin.integrations.snov import SnovClient
from prospects.models import Prospect

HTMX = {"HTTP_HX_REQUEST": "true"}
PUSH = "/add-emails-to-verification"


def pushed(sandbox, since: int) -> Counter:
    return Counter(
        email
        for r in sandbox.requests(since)
        if r["path"].endswith(PUSH) and r["status"] == 200
        for email in r["body"]["emails"]
    )


def test_a_run_whose_worker_died_after_a_push_resumes_without_paying_twice(
    manager_client, manager_user, snov_sandbox, django_capture_on_commit_callbacks
):
    emails = [f"resumed.{n}@brightforge.example" for n in range(12)]
    ids = [Prospect.objects.create(email=e).pk for e in emails]
    run = create_verification_run(user=manager_user, prospect_ids=ids)  # not run: no commit
    since = snov_sandbox.last_seq()
    # The worker pushed the first ten, then was killed while it waited for Snov.io.
    first_batch = list(run.items.order_by("pk")[:10])
    SnovClient.from_settings().add_emails_to_verification([i.email for i in first_batch])
    VerificationItem.objects.filter(pk__in=[i.pk for i in first_batch]).update(
        state=VerificationItem.State.PUSHED, attempts=1
    )
    VerificationRun.objects.filter(pk=run.pk).update(
        status=VerificationRun.Status.RUNNING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    page = f"/enrichment/verify-prospects/{run.pk}/"
    assert manager_client.get(page, **HTMX).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        assert background.resume_stalled() == 1

    run.refresh_from_db()
    assert run.status == VerificationRun.Status.DONE
    assert run.valid + run.invalid + run.unknown == 12
    assert not run.items.exclude(state=VerificationItem.State.VERIFIED).exists()
    assert pushed(snov_sandbox, since) == Counter(dict.fromkeys(emails, 1))
    poll = manager_client.get(page, **HTMX)
    assert poll.status_code == 286
    assert emails[0] in poll.content.decode()


def test_a_snov_failure_ends_the_run_failed_with_the_reason(
    manager_client, manager_user, snov_sandbox, django_capture_on_commit_callbacks
):
    snov_sandbox.fail_next(status=500, count=10, path_contains="verification")
    with django_capture_on_commit_callbacks(execute=True):
        run = create_verification_run(user=manager_user, emails=["a.person@brightforge.example"])
    run.refresh_from_db()
    assert run.status == VerificationRun.Status.FAILED and run.error
    poll = manager_client.get(f"/enrichment/verify-prospects/{run.pk}/", **HTMX)
    assert poll.status_code == 286
    assert "Failed" in poll.content.decode() and run.error in poll.content.decode()
