"""Merging against the sandbox over real HTTP: what Klenty holds afterwards, the
audit log, the bulk engine, and the merge page's refusals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dedupe.finding import look_for_duplicates
from dedupe.merging import MERGED_TAG
from dedupe.models import DuplicatePair, ResolvedPair
from klentyadmin.core.models import AuditEntry
from klentyadmin.core.once import new_key
from klentyadmin.integrations.klenty import KlentyClient, ProspectFields
from prospects.editing import refresh_prospect
from prospects.models import BulkJob, Prospect

PRIYA = "priya.natarajan@northwind.example"
DIEGO = "diego.alvarez@northwind.example"


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """A POST whose queued work runs, as the worker would run it."""

    def send(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return send


@pytest.fixture
def klenty(sandbox, settings):
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100000
    settings.API_BACKOFF_BASE = 0.01
    settings.API_MAX_ATTEMPTS = 2
    return sandbox


def in_klenty(email: str, owner: str = PRIYA, **fields) -> Prospect:
    """Created in the sandbox through the client, then cached from what Klenty says."""
    client = KlentyClient.from_settings()
    client.create_prospect(ProspectFields(email=email, owner=owner, **fields))
    return refresh_prospect(client, Prospect.objects.create(email=email, owner_email=owner))


def the_pair() -> DuplicatePair:
    look_for_duplicates()
    return DuplicatePair.objects.select_related("left__prospect", "right__prospect").get()


def test_merging_writes_the_chosen_values_to_klenty_and_marks_the_other(
    post, klenty, manager_client, manager_user
):
    kept = in_klenty("ann.lee@gmail.com", first_name="Ann", last_name="Lee", title="CTO")
    other = in_klenty(
        "annlee+promo@gmail.com", first_name="Annie", last_name="Lee", title="", phone="+1 555 0101"
    )
    KlentyClient.from_settings().start_cadence(other.email, klenty_cadence(klenty))
    pair = the_pair()

    response = post(
        manager_client,
        reverse("dedupe:merge", args=[pair.pk]),
        {
            "once_key": new_key(),
            "keep": "left",
            "field_first_name": "right",  # Annie, from the other
            "field_last_name": "left",
            "field_title": "left",  # CTO, kept
            "field_phone": "right",  # only the other has one
        },
    )

    job = BulkJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.status == BulkJob.Status.DONE and job.get_action_display() == "Merge duplicates"
    assert "Merge duplicates" in manager_client.get(job.get_absolute_url()).content.decode()
    remote = klenty.prospect(kept.email)
    assert remote["fields"]["FirstName"] == "Annie"
    assert remote["fields"]["Title"] == "CTO"
    assert remote["fields"]["Phone"] == "+1 555 0101"
    marked = klenty.prospect(other.email)
    assert MERGED_TAG in marked["tags"]
    assert all(m["status"] != "In Cadence" for m in marked["memberships"])
    # The cache says the same, and the pair is not offered again.
    kept.refresh_from_db()
    assert (kept.first_name, kept.phone) == ("Annie", "+1 555 0101")
    assert MERGED_TAG in Prospect.objects.get(pk=other.pk).tags
    assert ResolvedPair.objects.count() == 1
    look_for_duplicates()
    assert not DuplicatePair.objects.exists()
    # Audited under the manager.
    actions = set(AuditEntry.objects.filter(actor=manager_user).values_list("action", "target"))
    assert ("update_prospect", kept.email) in actions
    assert ("update_prospect", other.email) in actions
    assert ("stop_cadence", other.email) in actions


def klenty_cadence(klenty) -> str:
    from klentyadmin.integrations.klenty import KlentyClient

    return KlentyClient.from_settings().get_company_cadences()[0].name


def test_keeping_the_right_one_writes_to_it(post, klenty, manager_client):
    left = in_klenty("bo.ra@gmail.com", first_name="Bo", last_name="Ra", company="Acme")
    right = in_klenty("bora@gmail.com", first_name="Bo", last_name="Ra", company="Acme Ltd")
    pair = the_pair()

    post(
        manager_client,
        reverse("dedupe:merge", args=[pair.pk]),
        {
            "once_key": new_key(),
            "keep": "right",
            "field_first_name": "left",
            "field_last_name": "left",
            "field_full_name": "left",
            "field_company": "left",
        },
    )

    assert klenty.prospect(right.email)["fields"]["Company"] == "Acme"
    assert MERGED_TAG in klenty.prospect(left.email)["tags"]
    assert MERGED_TAG not in klenty.prospect(right.email)["tags"]


def test_merging_many_pairs_at_once_runs_one_job_that_fills_the_gaps(post, klenty, manager_client):
    made = []
    for i in range(3):
        a = in_klenty(f"cy.{i}@gmail.com", first_name=f"Cy{i}", title="")
        b = in_klenty(f"cy{i}@gmail.com", first_name=f"Other{i}", title=f"VP {i}")
        made.append((a, b))
    look_for_duplicates()
    ids = list(DuplicatePair.objects.values_list("pk", flat=True))

    response = post(
        manager_client, reverse("dedupe:merge_many"), {"once_key": new_key(), "pair": ids}
    )

    job = BulkJob.objects.get()
    assert response.status_code == 302 and job.total == 3
    assert job.status == BulkJob.Status.DONE
    assert job.items.filter(state="done").count() == 3
    for i, (a, b) in enumerate(made):
        fields = klenty.prospect(a.email)["fields"]
        assert fields["FirstName"] == f"Cy{i}"  # the kept value stays
        assert fields["Title"] == f"VP {i}"  # the gap is filled from the other
        assert MERGED_TAG in klenty.prospect(b.email)["tags"]


def test_the_same_form_posted_twice_merges_once(post, klenty, manager_client):
    in_klenty("di.na@gmail.com", first_name="Di")
    in_klenty("dina@gmail.com", first_name="Dee")
    pair = the_pair()
    data = {"once_key": new_key(), "keep": "left", "field_first_name": "right"}

    post(manager_client, reverse("dedupe:merge", args=[pair.pk]), data)
    post(manager_client, reverse("dedupe:merge", args=[pair.pk]), data)

    assert BulkJob.objects.count() == 1


def test_a_rep_cannot_merge_a_pair_with_a_colleagues_prospect(post, klenty, rep_client):
    mine = in_klenty("el.to@gmail.com", owner=PRIYA)
    theirs = in_klenty("elto@gmail.com", owner=DIEGO)
    look_for_duplicates()
    pair = DuplicatePair.objects.get()
    before = klenty.last_seq()

    page = post(
        rep_client, reverse("dedupe:merge", args=[pair.pk]), {"once_key": new_key(), "keep": "left"}
    )
    many = post(
        rep_client, reverse("dedupe:merge_many"), {"once_key": new_key(), "pair": [pair.pk]}
    )

    assert page.status_code == 404
    assert many.status_code == 302 and not BulkJob.objects.exists()
    assert not [r for r in klenty.requests(before) if r["method"] == "POST"]
    assert mine.pk and theirs.pk


def test_a_rep_merges_their_own_pair(post, klenty, rep_client):
    in_klenty("fa.be@gmail.com", owner=PRIYA, first_name="Fa")
    other = in_klenty("fabe@gmail.com", owner=PRIYA, first_name="Fay")
    pair = the_pair()

    post(
        rep_client,
        reverse("dedupe:merge", args=[pair.pk]),
        {"once_key": new_key(), "keep": "left", "field_first_name": "right"},
    )

    assert klenty.prospect("fa.be@gmail.com")["fields"]["FirstName"] == "Fay"
    assert MERGED_TAG in klenty.prospect(other.email)["tags"]


def test_an_impossible_choice_gets_a_field_error_and_sends_nothing(post, klenty, manager_client):
    in_klenty("gi.lo@gmail.com", first_name="Gi", title="")
    in_klenty("gilo@gmail.com", first_name="Gee", title="")
    pair = the_pair()
    before = klenty.last_seq()

    response = post(
        manager_client,
        reverse("dedupe:merge", args=[pair.pk]),
        {"once_key": new_key(), "keep": "sideways", "field_first_name": "nobody"},
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not BulkJob.objects.exists()
    assert not [r for r in klenty.requests(before) if r["method"] == "POST"]


@pytest.fixture
def crm(klenty, settings):
    settings.CRM_RATE_LIMIT_PER_MIN = 100_000
    settings.CRM_API_KEY = ""
    settings.CRM_API_BASE = ""
    settings.SANDBOX_CRM_KEY = "sandbox-crm-key"
    return klenty


def test_a_crm_contact_pair_merges_its_values_into_klenty_and_leaves_the_crm_alone(
    post, crm, manager_client
):
    contact = next(
        c
        for c in crm._call("GET", "crm/contacts")["contacts"]
        if c["firstName"] and c["lastName"] and c["companyName"] and c["jobTitle"]
    )
    prospect = in_klenty(
        "someone.else@elsewhere.example",
        first_name=contact["firstName"],
        last_name=contact["lastName"],
        company=contact["companyName"],
        title="",
    )
    # The manager's "Look again" reads the CRM's contacts over HTTP.
    post(manager_client, reverse("dedupe:look_again"), {})
    pair = DuplicatePair.objects.select_related("left", "right").get(
        left__prospect=prospect, right__source="crm"
    )
    assert pair.same_name and pair.right.record_id == str(contact["id"])
    page = manager_client.get(reverse("dedupe:merge", args=[pair.pk])).content.decode()
    assert 'value="right"' not in page.split('name="keep"')[-1].split("</tr>")[0]
    before = crm.last_seq()

    post(
        manager_client,
        reverse("dedupe:merge", args=[pair.pk]),
        {"once_key": new_key(), "keep": "left", "field_title": "right"},
    )

    assert crm.prospect(prospect.email)["fields"]["Title"] == contact["jobTitle"]
    writes = [r for r in crm.requests(before) if r["method"] == "POST"]
    assert writes and not [r for r in writes if "/crm/" in r["path"]]
    assert not DuplicatePair.objects.filter(pk=pair.pk).exists()


def test_a_crm_pair_cannot_keep_the_crm_side(post, crm, manager_client):
    contact = next(
        c
        for c in crm._call("GET", "crm/contacts")["contacts"]
        if c["firstName"] and c["lastName"] and c["companyName"]
    )
    in_klenty(
        "third.person@elsewhere.example",
        first_name=contact["firstName"],
        last_name=contact["lastName"],
        company=contact["companyName"],
    )
    post(manager_client, reverse("dedupe:look_again"), {})
    pair = DuplicatePair.objects.filter(right__source="crm").first()

    response = post(
        manager_client,
        reverse("dedupe:merge", args=[pair.pk]),
        {"once_key": new_key(), "keep": "right"},
    )

    assert response.status_code == 400 and not BulkJob.objects.exists()


def test_an_empty_post_is_refused_with_field_errors(post, klenty, manager_client):
    in_klenty("ha.ne@gmail.com")
    in_klenty("hane@gmail.com")
    pair = the_pair()

    response = post(manager_client, reverse("dedupe:merge", args=[pair.pk]), {})

    assert response.status_code == 400 and not BulkJob.objects.exists()
