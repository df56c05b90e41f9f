"""Finding pairs in SQL, who sees which, and the Duplicates page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dedupe.finding import look_for_duplicates, pairs_visible_to
from dedupe.models import DedupeKey, DuplicatePair, ResolvedPair, Source
from dedupe.rules import email_key, name_key
from prospects.models import Prospect

PRIYA = "priya.natarajan@northwind.example"
DIEGO = "diego.alvarez@northwind.example"


def person(email, first="", last="", company="", owner=PRIYA) -> Prospect:
    return Prospect.objects.create(
        email=email, first_name=first, last_name=last, company=company, owner_email=owner
    )


def pair_emails(pairs) -> set[frozenset]:
    return {frozenset((p.left.email, p.right.email)) for p in pairs}


def crm_contact(record_id, email, first="", last="", company=""):
    return DedupeKey.objects.create(
        source=Source.CRM,
        record_id=record_id,
        email=email,
        first_name=first,
        last_name=last,
        company=company,
        email_key=email_key(email),
        name_key=name_key(first, last, company),
        details={"first_name": first, "last_name": last, "company": company, "title": "CTO"},
    )


@pytest.mark.django_db
def test_known_pairs_are_found_and_known_non_pairs_are_not():
    person("ann.lee@gmail.com", "Ann", "Lee", "Acme")
    person("annlee+webinar@googlemail.com")
    person("bob.ng@example.com", "Bob", "Ng", "Initech")
    person("bob.ng+x@example.com", "Robert", "Ng", "Initech")  # dots/tags count here
    person("cara@one.example", "Cara", "Diaz", "Globex")
    person("cara.diaz@two.example", " cara", "DIAZ ", "globex")  # same name and company
    person("dan@one.example", "Dan", "Ito", "")  # no company: no name key
    person("dan@two.example", "Dan", "Ito", "")

    look_for_duplicates()

    pairs = list(DuplicatePair.objects.select_related("left", "right"))
    assert pair_emails(pairs) == {
        frozenset(("ann.lee@gmail.com", "annlee+webinar@googlemail.com")),
        frozenset(("cara@one.example", "cara.diaz@two.example")),
    }
    by_reason = {
        frozenset((p.left.email, p.right.email)): (p.same_email, p.same_name) for p in pairs
    }
    assert by_reason[frozenset(("ann.lee@gmail.com", "annlee+webinar@googlemail.com"))] == (
        True,
        False,
    )
    assert by_reason[frozenset(("cara@one.example", "cara.diaz@two.example"))] == (False, True)


@pytest.mark.django_db
def test_the_left_of_a_pair_is_the_older_prospect_and_each_pair_is_listed_once():
    older = person("eve.ray@gmail.com", "Eve", "Ray", "Umbrella")
    person("everay@gmail.com", "Eve", "Ray", "Umbrella")  # both keys match

    look_for_duplicates()

    (pair,) = DuplicatePair.objects.select_related("left")
    assert pair.left.prospect_id == older.pk
    assert pair.same_email and pair.same_name


@pytest.mark.django_db
def test_a_crm_contact_pairs_with_a_prospect_unless_it_is_the_same_email():
    person("fay.wu@gmail.com", "Fay", "Wu", "Hooli")
    crm_contact("c1", "faywu@gmail.com")  # the same mailbox, written otherwise: a pair
    crm_contact("c2", "Fay.Wu@gmail.com", "Fay", "Wu", "Hooli")  # the linked contact
    crm_contact("c3", "other@crm.example", "Gus", "Lo", "Pied")  # two CRM contacts alike
    crm_contact("c4", "other2@crm.example", "Gus", "Lo", "Pied")  # are not our business

    look_for_duplicates()

    assert pair_emails(DuplicatePair.objects.select_related("left", "right")) == {
        frozenset(("fay.wu@gmail.com", "faywu@gmail.com"))
    }


@pytest.mark.django_db
def test_a_merged_pair_is_not_found_again():
    a = person("hal.jo@gmail.com")
    b = person("haljo@gmail.com")
    ResolvedPair.objects.create(
        left_source="klenty", left_record=str(a.pk), right_source="klenty", right_record=str(b.pk)
    )

    look_for_duplicates()

    assert not DuplicatePair.objects.exists()


@pytest.mark.django_db
def test_a_rep_sees_only_pairs_where_both_prospects_are_theirs(rep_user, manager_user):
    person("ivy.ko@gmail.com", owner=PRIYA)
    person("ivyko@gmail.com", owner=PRIYA)
    person("jon.be@gmail.com", owner=PRIYA)
    person("jonbe@gmail.com", owner=DIEGO)  # half a colleague's
    person("kim.ra@gmail.com", owner=DIEGO)
    person("kimra@gmail.com", owner=DIEGO)
    person("lea@x.example", "Lea", "Po", "Acme", owner=PRIYA)
    crm_contact("c9", "lea.po@crm.example", "Lea", "Po", "Acme")

    look_for_duplicates()

    assert len(pairs_visible_to(manager_user)) == 4
    assert pair_emails(pairs_visible_to(rep_user)) == {
        frozenset(("ivy.ko@gmail.com", "ivyko@gmail.com"))
    }


@pytest.mark.django_db
def test_a_rep_stops_seeing_a_pair_once_a_prospect_changes_hands(rep_user):
    person("mo.ta@gmail.com")
    moved = person("mota@gmail.com")
    look_for_duplicates()
    Prospect.objects.filter(pk=moved.pk).update(owner_email=DIEGO)

    assert not pairs_visible_to(rep_user).exists()


def test_the_duplicates_page_lists_pairs_with_why(manager_client, db):
    person("ann.lee@gmail.com", "Ann", "Lee", "Acme")
    person("annlee@gmail.com", "Ann", "Lee", "Acme")
    look_for_duplicates()

    body = manager_client.get(reverse("dedupe:pairs")).content.decode()

    assert "ann.lee@gmail.com" in body and "annlee@gmail.com" in body
    assert "The same Gmail address, ignoring dots and + tags; the same name and company" in body
    assert "Looked just now through 2 prospects" in body or "through 2 prospects" in body


def test_a_rep_page_shows_nothing_of_a_colleagues_pairs(rep_client, db):
    person("nia.lo@gmail.com", owner=DIEGO)
    person("nialo@gmail.com", owner=DIEGO)
    look_for_duplicates()

    body = rep_client.get(reverse("dedupe:pairs")).content.decode()

    assert "nia.lo@gmail.com" not in body and "No likely duplicates." in body


def test_a_rep_cannot_open_a_colleagues_pair(rep_client, db):
    person("oz.mi@gmail.com", owner=DIEGO)
    person("ozmi@gmail.com", owner=DIEGO)
    look_for_duplicates()
    pair = DuplicatePair.objects.get()

    assert rep_client.get(reverse("dedupe:merge", args=[pair.pk])).status_code == 404


def test_a_rep_cannot_look_again(rep_client, db):
    assert rep_client.post(reverse("dedupe:look_again")).status_code == 403


def test_the_page_makes_the_same_queries_for_many_pairs(
    manager_client, db, django_assert_max_num_queries
):
    def add(n, start):
        for i in range(start, start + n):
            person(f"p.{i}@gmail.com")
            person(f"p{i}@gmail.com")
        look_for_duplicates()

    add(2, 0)
    with django_assert_max_num_queries(30) as few:
        manager_client.get(reverse("dedupe:pairs"))
    add(40, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = manager_client.get(reverse("dedupe:pairs")).content.decode()
    assert "p.45@gmail.com" in body


@pytest.mark.django_db
def test_a_snov_io_list_prospect_pairs_with_a_cached_prospect_by_email(sandbox, manager_client):
    # The issue: duplicates across the Klenty cache, Snov.io prospect lists and the CRM.
    from klentyadmin.integrations.snov import SnovClient

    person("ida.moss@gmail.com", "Ida", "Moss", "Umbrella")
    snov = SnovClient.from_settings()
    list_id = snov.create_list("Dedupe test")
    snov.add_prospect_to_list(list_id, "idamoss@gmail.com", firstName="Ida", lastName="Moss")
    snov.add_prospect_to_list(list_id, "someone.new@else.example", firstName="New")

    look = look_for_duplicates(snov_client=snov)

    pair = DuplicatePair.objects.select_related("left", "right").get()
    assert (pair.left.email, pair.right.email) == ("ida.moss@gmail.com", "idamoss@gmail.com")
    assert pair.right.source == Source.SNOV
    assert pair.right.details["list"] == "Dedupe test"
    assert look.snov_records >= 2 and look.snov_error == ""
    listing = manager_client.get(reverse("dedupe:pairs")).content.decode()
    assert "Snov.io list</span>" in listing
    merge = manager_client.get(reverse("dedupe:merge", args=[pair.pk])).content.decode()
    assert "Snov.io list prospect idamoss@gmail.com" in merge


@pytest.mark.django_db
def test_snov_io_lists_that_cannot_be_read_keep_their_last_prospects_and_say_so(sandbox):
    from klentyadmin.integrations.errors import ApiError

    class Unreachable:
        def user_lists(self):
            raise ApiError("Snov.io is not answering right now.", service="snov")

    DedupeKey.objects.create(
        source=Source.SNOV, record_id="1:1:kit@gmail.com", email="kit@gmail.com",
        email_key=email_key("kit@gmail.com"),
    )  # fmt: skip
    person("k.i.t@gmail.com")

    look = look_for_duplicates(snov_client=Unreachable())

    assert "not answering" in look.snov_error
    assert DuplicatePair.objects.count() == 1
