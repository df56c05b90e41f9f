""" "Verify emails…" posts the search's selection in the shape bulk actions and the CRM
push post (prospects.selection.SelectionForm): ticked `prospect_ids`, or scope=all with
the search's filters."""

from __future__ import annotations

import re

import pytest

from enrichment.models import VerificationRun
from klentyadmin.core.once import new_key
from prospects.models import Prospect
from prospects.selection import InvalidSelection, checked_search

URL = "/enrichment/verify-prospects/"


def hidden_fields(body: str) -> list[tuple[str, str]]:
    """The confirmation form's hidden inputs, as the browser would post them back."""
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body)


def verified_prospects() -> set[int]:
    run = VerificationRun.objects.get()
    return set(run.items.values_list("prospect_id", flat=True))


def test_the_confirmation_posts_back_the_same_selection_and_verifies_the_ticked(
    manager_client,
):
    ticked = [Prospect.objects.create(email=f"t{i}@acme.example").pk for i in range(3)]
    Prospect.objects.create(email="not-ticked@acme.example")

    page = manager_client.post(URL, {"scope": "selected", "prospect_ids": ticked, "query": "q=a"})
    posted_back = hidden_fields(page.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in posted_back:
        data.setdefault(name, []).append(value)
    answer = manager_client.post(URL, {**data, "tag": "bad-email", "confirm": "1"})

    assert ("scope", "selected") in posted_back
    assert answer.status_code == 302
    assert verified_prospects() == set(ticked)


def test_ticked_ids_posted_without_a_scope_are_all_verified(manager_client):
    # The old form read one comma-separated value: repeated ids kept only the last.
    ticked = [Prospect.objects.create(email=f"r{i}@acme.example").pk for i in range(3)]

    answer = manager_client.post(
        URL, {"prospect_ids": ticked, "tag": "t", "confirm": "1", "once_key": new_key()}
    )

    assert answer.status_code == 302
    assert verified_prospects() == set(ticked)


def test_all_matching_a_search_verifies_its_matches(manager_client):
    matching = [Prospect.objects.create(email=f"m{i}@acme.example").pk for i in range(2)]
    Prospect.objects.create(email="someone@other.example")

    page = manager_client.post(URL, {"scope": "all", "query": "q=acme"})
    answer = manager_client.post(
        URL,
        {"scope": "all", "query": "q=acme", "tag": "t", "confirm": "1", "once_key": new_key()},
    )

    body = page.content.decode()
    assert page.context["count"] == 2 and "every prospect matching the search" in body
    assert answer.status_code == 302
    assert verified_prospects() == set(matching)


@pytest.mark.parametrize("confirm", ["", "1"])
@pytest.mark.parametrize("query", ["q=" + "a" * 201, "created_from=not-a-date"])
def test_all_matching_a_search_with_a_filter_that_does_not_parse_is_refused(
    manager_client, query, confirm
):
    Prospect.objects.create(email="anyone@acme.example")
    with pytest.raises(InvalidSelection) as refused:
        checked_search(query)

    page = manager_client.post(
        URL, {"scope": "all", "query": query, "confirm": confirm, "once_key": new_key()}
    )

    assert page.status_code == 200
    assert str(refused.value) in page.content.decode()
    assert not VerificationRun.objects.exists()


def test_nothing_ticked_says_so_in_the_shared_words(manager_client):
    page = manager_client.post(URL, {"scope": "selected", "tag": "t"})

    assert "Tick at least one prospect, or choose all matching." in page.content.decode()
    assert not VerificationRun.objects.exists()
