"""The one runner's rules, on real kinds: what a crash does to a run."""

from __future__ import annotations

import pytest

from contacts import transfers
from contacts.models import Transfer
from klentyadmin.core import background
from prospects import bulk
from prospects.models import BulkAction, BulkJob, Prospect


def crash(*_args) -> None:
    raise RuntimeError("the disk is full")


def test_a_crash_ends_a_crm_push_failed_and_its_page_stops_polling(
    monkeypatch, manager_user, manager_client, db
):
    prospect = Prospect.objects.create(email="crash.person@acme.example")
    transfer = transfers.start_push(manager_user, [prospect.pk], None)  # not run: no commit
    monkeypatch.setattr(transfers.CrmPush, "process_item", crash)

    with pytest.raises(RuntimeError):
        background.run("crm_push", transfer.pk)

    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.FAILED and transfer.lease_until is None
    assert transfer.error == "Stopped by an error: the disk is full"
    poll = manager_client.get(
        f"/contacts/transfers/{transfer.pk}/progress/", HTTP_HX_REQUEST="true"
    )
    assert poll.status_code == 286
    assert "Stopped by an error: the disk is full" in poll.content.decode()


def test_a_crash_leaves_a_bulk_job_running_for_resume_stalled_to_retry(
    monkeypatch, manager_user, db
):
    prospect = Prospect.objects.create(email="crash.person@acme.example")
    job = bulk.create_job(
        user=manager_user, action=BulkAction.MARK_DNC, params={}, prospect_ids=[prospect.pk]
    )
    monkeypatch.setattr(bulk.BulkJobs, "process_item", crash)

    with pytest.raises(RuntimeError):
        background.run("bulk_job", job.pk)

    job.refresh_from_db()
    assert job.status == BulkJob.Status.RUNNING and job.lease_until is not None
