"""The prospect's timeline: each source alone, the merged order, paging, access, queries."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cadences.models import Event
from contacts.models import Transfer, TransferItem
from enrichment.models import EnrichmentPush, VerificationItem, VerificationRun
from klentyadmin.core.models import AuditEntry
from prospects import timeline
from prospects.models import BulkAction, BulkJob, BulkJobItem
from reporting.models import Call
from tests.prospects.test_search import DIEGO, PRIYA, make_prospect

NOW = timezone.now().replace(microsecond=0)
_serial = itertools.count()


def ago(minutes: int):
    return NOW - timedelta(minutes=minutes)


def an_event(who, minutes: int, kind: str = "open", **fields) -> Event:
    values = {"prospect": who, "prospect_owner": who.owner_email} | fields
    return Event.objects.create(
        identity=f"timeline-{next(_serial)}",
        raw_body="{}",
        event_type=kind,
        email=who.email,
        received_at=ago(minutes),
        **values,
    )


def a_job_item(who, user, minutes: int, action=BulkAction.ADD_TAGS, **fields) -> BulkJobItem:
    job = BulkJob.objects.create(
        action=action, created_by=user, total=1, created_at=ago(minutes), description="vip"
    )
    values = {"prospect": who, "state": BulkJobItem.State.DONE, "finished_at": ago(minutes)}
    return BulkJobItem.objects.create(job=job, email=who.email, **(values | fields))


def an_edit(prospect, minutes: int, **details) -> AuditEntry:
    changes = [{"field": "title", "label": "Title", "before": "Buyer", "after": "Head of Buying"}]
    return AuditEntry.objects.create(
        actor_name="morgan",
        service="klenty",
        action="update_prospect",
        target=prospect.email,
        details={"payload": {}, "changes": changes, **details},
        ok=True,
        created_at=ago(minutes),
    )


def a_call(prospect, minutes: int, username: str = PRIYA) -> Call:
    return Call.objects.create(
        call_sid=f"CA{next(_serial)}",
        username=username,
        called_on=ago(minutes).date(),
        created_at=ago(minutes),
        disposition="Connected",
        duration_seconds=125,
        prospect_email=prospect.email,
    )


def entries(source, prospect, user, cursor=None, limit=10):
    return source(prospect, user, cursor, limit)


# -- each source alone ---------------------------------------------------------------


def test_webhook_events_have_human_labels(manager_user, db):
    prospect = make_prospect()
    an_event(prospect, 5, "completeCadence", cadence_name="Autumn Outreach")
    an_event(make_prospect(), 4)  # someone else's

    [entry] = entries(timeline.webhook_events, prospect, manager_user)

    assert entry.label == "Cadence completed"
    assert entry.detail == "Autumn Outreach"


def test_webhook_events_before_the_prospect_was_cached_are_found_by_email(manager_user, db):
    prospect = make_prospect()
    an_event(prospect, 5, prospect=None)

    assert len(entries(timeline.webhook_events, prospect, manager_user)) == 1


def test_bulk_actions_show_the_action_and_its_outcome(manager_user, db):
    prospect = make_prospect()
    a_job_item(prospect, manager_user, 5, state=BulkJobItem.State.FAILED, message="Refused")

    [entry] = entries(timeline.bulk_actions, prospect, manager_user)

    assert entry.label == "Bulk action: Add tags"
    assert entry.outcome == "Failed · Refused" and entry.failed
    assert entry.actor == "morgan"
    assert entry.url == reverse("prospects:job", args=[entry_job(entry)])


def entry_job(entry) -> int:
    return BulkJobItem.objects.get(pk=entry.pk).job_id


def test_a_rep_sees_a_managers_bulk_action_on_their_prospect_without_a_link(
    manager_user, rep_user, db
):
    prospect = make_prospect(owner_email=PRIYA)
    a_job_item(prospect, manager_user, 5)

    [entry] = entries(timeline.bulk_actions, prospect, rep_user)

    assert entry.label == "Bulk action: Add tags" and entry.url == ""


def test_edits_show_each_field_before_and_after(manager_user, db):
    prospect = make_prospect()
    an_edit(prospect, 5)
    an_edit(prospect, 4, via={"job": 1, "action": "Add tags"})
    AuditEntry.objects.create(  # a write that changed nothing here (no "changes")
        service="klenty", action="start_cadence", target=prospect.email, ok=True
    )

    newer, older = entries(timeline.edits, prospect, manager_user)

    assert older.label == "Edited" and older.actor == "morgan"  # the name kept: user gone
    assert older.changes == (("Title", "Buyer", "Head of Buying"),)
    assert newer.label == "Changed by the bulk action “Add tags”"


def test_calls_show_the_disposition_and_duration(manager_user, db):
    prospect = make_prospect()
    a_call(prospect, 5)

    [entry] = entries(timeline.calls, prospect, manager_user)

    assert entry.label == "Call: Connected"
    assert entry.detail == "2 min 05 s"
    assert entry.actor == PRIYA


def test_a_rep_sees_only_their_own_calls_with_their_prospect(rep_user, db):
    prospect = make_prospect(owner_email=PRIYA)
    a_call(prospect, 5, username=PRIYA)
    a_call(prospect, 4, username=DIEGO)

    assert [e.actor for e in entries(timeline.calls, prospect, rep_user)] == [PRIYA]


def test_crm_transfers_show_the_direction_and_state(manager_user, db):
    prospect = make_prospect()
    push = Transfer.objects.create(direction=Transfer.Direction.TO_CRM, created_by=manager_user)
    TransferItem.objects.create(
        transfer=push, prospect=prospect, email=prospect.email, state=TransferItem.State.CREATED
    )
    pull = Transfer.objects.create(direction=Transfer.Direction.TO_KLENTY, created_by=manager_user)
    TransferItem.objects.create(
        transfer=pull, email=prospect.email, state=TransferItem.State.SKIPPED, message="In Klenty"
    )

    labels = {e.label: e.outcome for e in entries(timeline.crm_transfers, prospect, manager_user)}

    assert labels == {
        "Sent to the CRM": "Created in the CRM",
        "Imported from the CRM": "Not sent · In Klenty",
    }


def test_crm_imports_are_their_own_kind_not_bulk_actions(manager_user, db):
    prospect = make_prospect()
    item = a_job_item(prospect, manager_user, 5, action=BulkAction.IMPORT)
    Transfer.objects.create(
        direction=Transfer.Direction.TO_KLENTY, created_by=manager_user, bulk_job=item.job
    )

    [entry] = entries(timeline.crm_imports, prospect, manager_user)

    assert entry.label == "Imported from the CRM into Klenty"
    assert entries(timeline.bulk_actions, prospect, manager_user) == []


def test_snov_verifications_show_the_verdict(manager_user, db):
    prospect = make_prospect()
    run = VerificationRun.objects.create(created_by=manager_user, total=1)
    VerificationItem.objects.create(
        run=run,
        prospect=prospect,
        email=prospect.email,
        state=VerificationItem.State.VERIFIED,
        status="not_valid",
        reason="catchall",
    )

    [entry] = entries(timeline.snov_verifications, prospect, manager_user)

    assert entry.label == "Email verified by Snov.io"
    assert entry.outcome == "Verified · not valid · catchall" and entry.failed


def test_snov_pushes_are_their_own_kind_not_bulk_actions(manager_user, db):
    prospect = make_prospect()
    item = a_job_item(prospect, manager_user, 5, action=BulkAction.IMPORT, prospect=None)
    EnrichmentPush.objects.create(created_by=manager_user, import_job=item.job)

    [entry] = entries(timeline.snov_pushes, prospect, manager_user)

    assert entry.label == "Sent to Klenty from Snov.io" and entry.outcome == "Done"
    assert entries(timeline.bulk_actions, prospect, manager_user) == []


# -- the merged stream ------------------------------------------------------------------


def test_the_timeline_merges_every_kind_newest_first(manager_user, db):
    prospect = make_prospect()
    an_event(prospect, 1, "reply")
    an_edit(prospect, 2)
    a_job_item(prospect, manager_user, 3)
    a_call(prospect, 4)

    page = timeline.timeline_page(prospect, manager_user)

    assert [e.kind for e in page.entries] == ["event", "edit", "bulk", "call"]
    assert page.older == ""


def test_show_older_continues_where_the_page_ended_without_repeats_or_gaps(manager_user, db):
    prospect = make_prospect()
    for minute in range(7):
        an_event(prospect, minute)
        an_edit(prospect, minute)  # the same moment as an event: the kind breaks the tie
    seen, cursor = [], None
    while True:
        page = timeline.timeline_page(prospect, manager_user, cursor, size=3)
        seen += page.entries
        if not page.older:
            break
        cursor = timeline.Cursor.parse(page.older)

    assert len(seen) == 14 and len({(e.kind, e.pk) for e in seen}) == 14
    assert [e.key for e in seen] == sorted((e.key for e in seen), reverse=True)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "nonsense",
        "2026-01-01T00:00:00~event~x",
        "yesterday~event~1",
        "2026-01-01T00:00:00~spam~1",
        "2026-01-01T00:00:00~event~1",
    ],
)
def test_a_cursor_this_page_did_not_make_is_refused(text):
    assert timeline.Cursor.parse(text) is None  # the last: no time zone


# -- the page -----------------------------------------------------------------------------


def test_the_detail_page_shows_the_timeline_with_labels(manager_client, manager_user, db):
    prospect = make_prospect()
    an_event(prospect, 1, "onMailBounce")
    a_job_item(prospect, manager_user, 2)
    an_edit(prospect, 3)

    body = manager_client.get(reverse("prospects:detail", args=[prospect.pk])).content.decode()

    assert 'data-testid="timeline"' in body
    assert "Email bounced" in body and "onMailBounce<" not in body
    assert "Bulk action: Add tags" in body
    assert "<del>Buyer</del> → <ins>Head of Buying</ins>" in body


def test_show_older_answers_the_next_entries_as_a_fragment(manager_client, manager_user, db):
    prospect = make_prospect()
    for minute in range(timeline.PAGE_SIZE + 3):
        an_event(prospect, minute, cadence_name=f"cadence {minute}")
    detail = manager_client.get(reverse("prospects:detail", args=[prospect.pk]))
    older = detail.context["timeline"].older
    assert older and "Show older" in detail.content.decode()

    response = manager_client.get(
        reverse("prospects:timeline", args=[prospect.pk]), {"older": older}, HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert "<html" not in body
    assert body.count('data-testid="timeline-entry"') == 3
    assert f"cadence {timeline.PAGE_SIZE + 2}" in body and "cadence 0<" not in body
    assert "Show older" not in body


def test_a_bad_cursor_shows_the_newest_with_a_message(manager_client, db):
    prospect = make_prospect()

    response = manager_client.get(
        reverse("prospects:timeline", args=[prospect.pk]),
        {"older": "'; drop table"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "not one this page made" in response.content.decode()


def test_a_rep_cannot_read_another_reps_timeline(rep_client, manager_user, db):
    theirs = make_prospect(owner_email=DIEGO)
    an_event(theirs, 1)
    mine = make_prospect(owner_email=PRIYA)

    url = reverse("prospects:timeline", args=[theirs.pk])
    assert rep_client.get(url, {"older": ""}).status_code == 404
    assert rep_client.get(reverse("prospects:detail", args=[theirs.pk])).status_code == 404
    assert rep_client.get(reverse("prospects:timeline", args=[mine.pk])).status_code == 200


def test_the_timeline_costs_the_same_queries_however_long_it_is(
    manager_client, manager_user, db, django_assert_max_num_queries
):
    def grow(prospect, n):
        for minute in range(n):
            an_event(prospect, minute)
            an_edit(prospect, minute)
            a_job_item(prospect, manager_user, minute)
            a_call(prospect, minute)

    small, large = make_prospect(), make_prospect()
    grow(small, 1)
    grow(large, 40)
    with django_assert_max_num_queries(30) as few:
        manager_client.get(reverse("prospects:detail", args=[small.pk]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        manager_client.get(reverse("prospects:detail", args=[large.pk]))


def test_an_edit_names_its_author_as_the_other_entries_do(manager_user, db):
    manager_user.first_name, manager_user.last_name = "Morgan", "Hale"
    manager_user.save()
    prospect = make_prospect()
    an_edit(prospect, 5)
    AuditEntry.objects.update(actor=manager_user)

    [entry] = entries(timeline.edits, prospect, manager_user)

    assert entry.actor == "Morgan Hale"


def test_a_rep_does_not_see_another_reps_work_matched_only_by_email(rep_user, other_rep_user, db):
    prospect = make_prospect(owner_email=PRIYA)
    # Diego's CSV import, CRM import and verification of the same address, before
    # the prospect was Priya's; and a delivery about it while Diego owned it.
    a_job_item(prospect, other_rep_user, 5, action=BulkAction.IMPORT, prospect=None)
    pull = Transfer.objects.create(
        direction=Transfer.Direction.TO_KLENTY, created_by=other_rep_user
    )
    TransferItem.objects.create(transfer=pull, email=prospect.email, state="skipped")
    run = VerificationRun.objects.create(created_by=other_rep_user, total=1)
    VerificationItem.objects.create(run=run, email=prospect.email, state="verified")
    an_event(prospect, 4, prospect=None, prospect_owner=DIEGO)
    # Her own import of it is hers to see.
    a_job_item(prospect, rep_user, 3, action=BulkAction.IMPORT, prospect=None)

    page = timeline.timeline_page(prospect, rep_user)

    assert [(e.kind, e.actor) for e in page.entries] == [("bulk", "priya")]


def test_a_rep_sees_work_on_their_prospect_by_others_without_links(rep_user, manager_user, db):
    prospect = make_prospect(owner_email=PRIYA)
    push = Transfer.objects.create(direction=Transfer.Direction.TO_CRM, created_by=manager_user)
    TransferItem.objects.create(transfer=push, prospect=prospect, email=prospect.email)
    run = VerificationRun.objects.create(created_by=manager_user, total=1)
    VerificationItem.objects.create(run=run, prospect=prospect, email=prospect.email)

    page = timeline.timeline_page(prospect, rep_user)

    assert sorted(e.kind for e in page.entries) == ["crm_transfer", "snov_verification"]
    assert all(e.url == "" for e in page.entries)


def test_show_older_without_javascript_is_the_page_with_a_way_back(
    manager_client, manager_user, db
):
    prospect = make_prospect()
    for minute in range(timeline.PAGE_SIZE + 1):
        an_event(prospect, minute)
    older = timeline.timeline_page(prospect, manager_user).older

    response = manager_client.get(
        reverse("prospects:timeline", args=[prospect.pk]), {"older": older}
    )

    body = response.content.decode()
    assert "<html" in body and body.count('data-testid="timeline-entry"') == 1
    assert "Back to the newest" in body
