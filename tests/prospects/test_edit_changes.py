"""Every edit path records what it changed, before and after, on its audit entry."""

from __future__ import annotations

from django.urls import reverse

from klentyadmin.core.models import AuditEntry
from prospects.edits import changes_between, recording_changes, snapshot
from tests.prospects import test_bulk, test_detail_edit
from tests.prospects.test_bulk import cache
from tests.prospects.test_detail_edit import cached, form_data, sandbox_email
from tests.prospects.test_search import PRIYA, make_prospect

# The fixtures of the bulk and edit tests: the sandbox quick, a job run on commit.
klenty = test_detail_edit.klenty
start_job = test_bulk.start_job
fast_client = test_bulk.fast_client


def changes_of(entry: AuditEntry) -> dict[str, tuple[str, str]]:
    return {c["field"]: (c["before"], c["after"]) for c in entry.details["changes"]}


def test_only_the_fields_that_differ_are_changes(db):
    prospect = make_prospect(title="Buyer", tags=["a"])
    before = snapshot(prospect)
    prospect.title = "Head of Buying"
    prospect.tags = ["a", "b"]

    changes = changes_between(before, snapshot(prospect))

    assert changes == [
        {"field": "title", "label": "Title", "before": "Buyer", "after": "Head of Buying"},
        {"field": "tags", "label": "Tags", "before": "a", "after": "a, b"},
    ]


def test_the_edit_form_records_before_and_after_on_its_audit_entry(manager_client, klenty):
    prospect = cached(klenty, sandbox_email(klenty, PRIYA))
    old_title, old_tags = prospect.title, list(prospect.tags)
    data = form_data(
        email=prospect.email, title="Chief Widget Officer", tags="brand-new", list_name=""
    )

    response = manager_client.post(reverse("prospects:edit", args=[prospect.pk]), data)

    assert response.status_code == 302
    update = AuditEntry.objects.get(action="update_prospect", target=prospect.email)
    changes = changes_of(update)
    assert changes["title"] == (old_title, "Chief Widget Officer")
    assert changes["city"][1] == "Lyon"
    # The update adds the new tag; the dropped ones go in the remove_tags call after it.
    assert changes["tags"] == (", ".join(old_tags), "brand-new")
    assert "via" not in update.details
    assert "changes" not in AuditEntry.objects.get(action="remove_tags").details


def test_an_edit_klenty_refuses_records_no_changes(manager_client, klenty):
    prospect = cached(klenty, sandbox_email(klenty, PRIYA))
    klenty.fail_next(count=10, status=503)

    manager_client.post(
        reverse("prospects:edit", args=[prospect.pk]),
        form_data(email=prospect.email, title="Never Saved"),
    )

    assert not AuditEntry.objects.filter(details__has_key="changes").exists()


def test_creating_a_prospect_records_its_values(manager_client, klenty):
    response = manager_client.post(reverse("prospects:create"), form_data())

    assert response.status_code == 302
    created = AuditEntry.objects.get(action="create_prospect")
    changes = changes_of(created)
    assert changes["title"] == ("", "Head of Growth")
    assert changes["list"] == ("", "Brand New List")


def test_a_bulk_action_records_before_and_after_with_its_job(start_job, manager_client, sandbox):
    prospect = cache(sandbox, 1, status="Not Contacted")[0]
    old_tags = list(prospect.tags)

    job = start_job(manager_client, "add_tags", [prospect], tags="timeline-tag")

    entry = AuditEntry.objects.get(action="update_prospect", target=prospect.email)
    assert changes_of(entry)["tags"] == (
        ", ".join(old_tags),
        ", ".join([*old_tags, "timeline-tag"]),
    )
    assert entry.details["via"] == {"job": job.pk, "action": "Add tags"}


def test_changes_go_on_the_first_successful_write_only(db):
    from klentyadmin.core.recording import record_audit

    prospect = make_prospect(title="Buyer")
    with recording_changes(prospect):
        record_audit(
            actor=None,
            service="klenty",
            action="refused",
            target=prospect.email,
            details={},
            ok=False,
            result="no",
        )
        record_audit(
            actor=None,
            service="klenty",
            action="first",
            target=prospect.email,
            details={"payload": 1},
            ok=True,
            result="{}",
        )
        record_audit(
            actor=None,
            service="klenty",
            action="second",
            target=prospect.email,
            details={},
            ok=True,
            result="{}",
        )
        prospect.title = "Owner"

    first = AuditEntry.objects.get(action="first")
    assert first.details["payload"] == 1
    assert changes_of(first) == {"title": ("Buyer", "Owner")}
    assert AuditEntry.objects.filter(details__has_key="changes").count() == 1
