"""Klenty's status by id, custom field values, "Add Tags to a Prospect" and
"Add Prospect to List", where a manager would look for them; against the sandbox."""

from __future__ import annotations

import pytest

from klentyadmin.core.models import AuditEntry
from prospects.models import Prospect
from tests.prospects.test_detail_edit import HTMX, cached, sandbox_email
from tests.prospects.test_search import DIEGO, PRIYA


@pytest.fixture
def klenty(sandbox, settings):
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100000
    settings.API_BACKOFF_BASE, settings.API_BACKOFF_CAP = 0.01, 0.05
    return sandbox


def test_refresh_reads_the_status_by_klentys_id(manager_client, klenty):
    prospect = cached(klenty, sandbox_email(klenty, PRIYA))
    assert prospect.klenty_id
    since = klenty.last_seq()

    manager_client.post(f"/prospects/{prospect.pk}/refresh/", **HTMX)

    paths = [r["path"] for r in klenty.requests(since) if r["path"].endswith("/status")]
    assert paths and all(f"/prospects/{prospect.klenty_id}/status" in p for p in paths)


def test_one_custom_field_is_set_from_the_edit_page(manager_client, klenty):
    prospect = cached(klenty, sandbox_email(klenty, PRIYA))
    edit = manager_client.get(f"/prospects/{prospect.pk}/edit/").content.decode()
    assert 'data-testid="set-custom-field"' in edit

    answer = manager_client.post(
        f"/prospects/{prospect.pk}/custom-field/", {"key": "industry", "value": "Robotics"}, **HTMX
    )

    assert "industry was saved in Klenty." in answer.content.decode()
    assert klenty.prospect(prospect.email)["custom_fields"]["industry"] == "Robotics"
    prospect.refresh_from_db()
    assert prospect.custom_fields["industry"] == "Robotics"
    entry = AuditEntry.objects.get(action="add_custom_field_values")
    assert entry.ok and entry.target == prospect.email
    # The documented call held, so no Update was needed.
    assert not AuditEntry.objects.filter(action="update_prospect").exists()


@pytest.mark.parametrize(
    "posted, field",
    [({"key": " ", "value": "x"}, "key"), ({"key": "industry", "value": ""}, "value")],
)
def test_a_blank_custom_field_is_a_field_error_and_nothing_is_sent(
    manager_client, klenty, posted, field
):
    prospect = cached(klenty, sandbox_email(klenty, PRIYA))
    since = klenty.last_seq()
    answer = manager_client.post(f"/prospects/{prospect.pk}/custom-field/", posted, **HTMX)
    assert answer.status_code == 200 and answer.context["custom_form"].errors[field]
    assert 'class="field-error"' in answer.content.decode()
    assert [r for r in klenty.requests(since) if r["method"] == "POST"] == []


def test_a_rep_sets_a_field_on_their_own_prospect(rep_client, klenty):
    prospect = cached(klenty, sandbox_email(klenty, PRIYA))  # the rep is Priya
    answer = rep_client.post(
        f"/prospects/{prospect.pk}/custom-field/", {"key": "stage", "value": "Trial"}
    )
    assert answer.status_code == 302
    assert klenty.prospect(prospect.email)["custom_fields"]["stage"] == "Trial"


def test_a_rep_cannot_set_a_field_on_another_reps_prospect(rep_client, klenty):
    prospect = cached(klenty, sandbox_email(klenty, DIEGO))  # not Priya's
    since = klenty.last_seq()
    answer = rep_client.post(
        f"/prospects/{prospect.pk}/custom-field/", {"key": "industry", "value": "x"}
    )
    assert answer.status_code == 404
    assert klenty.requests(since) == []


def test_a_new_prospect_with_only_tags_is_sent_as_add_tags(manager_client, klenty):
    manager_client.post(
        "/prospects/new/",
        {"email": "tags.only@fresh.example", "first_name": "Tess", "tags": "webinar, q3"},
    )

    assert AuditEntry.objects.filter(action="add_prospect_with_tags").count() == 1
    assert not AuditEntry.objects.filter(action="create_prospect").exists()
    assert klenty.prospect("tags.only@fresh.example")["tags"] == ["webinar", "q3"]
    assert Prospect.objects.get(email="tags.only@fresh.example").tags == ["webinar", "q3"]


def test_a_new_prospect_with_only_a_list_is_sent_as_add_to_list(manager_client, klenty):
    manager_client.post(
        "/prospects/new/",
        {"email": "list.only@fresh.example", "first_name": "Lio", "list_name": "Webinar 2026"},
    )
    assert AuditEntry.objects.filter(action="add_prospect_to_list").count() == 1
    assert klenty.prospect("list.only@fresh.example")["list"] == "Webinar 2026"


def test_a_new_prospect_with_more_fields_is_a_create(manager_client, klenty):
    manager_client.post(
        "/prospects/new/",
        {"email": "full@fresh.example", "first_name": "Fay", "company": "Fresh", "tags": "q3"},
    )
    assert AuditEntry.objects.filter(action="create_prospect").count() == 1
    assert not AuditEntry.objects.filter(action="add_prospect_with_tags").exists()


class IgnoringKlenty:
    """A Klenty that, as its create call may, ignores custom values for an existing
    email: only the Update call changes them. Records what was called."""

    def __init__(self, email: str) -> None:
        self.email, self.calls, self.custom = email, [], {}

    def add_custom_field_values(self, email, first_name, custom_fields):
        self.calls.append("add_custom_field_values")

    def get_prospect_with_custom_fields(self, email):
        from klentyadmin.integrations.klenty.types import Prospect as Remote

        return Remote(email=email, custom_fields=dict(self.custom))

    def update_prospect(self, email, fields):
        self.calls.append("update_prospect")
        self.custom.update(fields.custom_fields)


@pytest.mark.django_db
def test_a_value_the_custom_field_call_did_not_hold_is_sent_by_update():
    from prospects.editing import set_custom_field

    prospect = Prospect.objects.create(email="held@fresh.example")
    fake = IgnoringKlenty(prospect.email)

    set_custom_field(fake, prospect, "tier", "gold")

    assert fake.calls == ["add_custom_field_values", "update_prospect"]
    assert fake.custom == {"tier": "gold"}
    assert Prospect.objects.get(pk=prospect.pk).custom_fields == {"tier": "gold"}
