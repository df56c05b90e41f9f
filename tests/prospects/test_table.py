"""The prospects table: a sort for every column, page sizes, the jump to a page, the
typed words marked, each user's columns and the Cadence column."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from prospects.columns import COLUMNS, DEFAULT_KEYS
from prospects.highlight import highlighter
from prospects.models import ColumnPreference, Prospect, ProspectList

URL = reverse("prospects:search")
COLUMNS_URL = reverse("prospects:columns")
HTMX = {"HTTP_HX_REQUEST": "true"}
OWNER = "priya.natarajan@northwind.example"
_serial = count(1)


def make_prospect(**fields) -> Prospect:
    # Emails rise with the ids, so the name sort (which reads "name email") and the
    # id tiebreak agree when two names are the same.
    values = {
        "email": f"p{next(_serial):06}@table.example",
        "full_name": "Same Name",
        "company": "Same Company",
        "title": "Same Title",
        "owner_email": OWNER,
        "prospect_status": "Same",
        "cadence_status": "Same",
        "created_on": date(2026, 1, 1),
        "updated_on": date(2026, 1, 1),
        "last_synced_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    values.update(fields)
    return Prospect.objects.create(**values)


def value_of(key: str, rank: int) -> dict:
    """The fields that give column `key` its `rank`-th smallest value."""
    letter = "abcdefgh"[rank]
    if key == "list":
        return {"prospect_list": ProspectList.objects.get_or_create(name=f"List {letter}")[0]}
    return {
        "name": {"full_name": f"{letter} Person"},
        "email": {"email": f"{letter}{next(_serial):06}@table.example"},
        "company": {"company": f"{letter} Company"},
        "title": {"title": f"{letter} Title"},
        "tags": {"tags": [f"{letter}-tag"]},
        "status": {"prospect_status": f"{letter} Status"},
        "cadence_status": {"cadence_status": f"{letter} Status"},
        "cadence": {"cadence_name": f"{letter} Cadence"},
        "owner": {"owner_email": f"{letter}@northwind.example"},
        "created": {"created_on": date(2026, 2, 1 + rank)},
        "updated": {"updated_on": date(2026, 2, 1 + rank)},
        "synced": {"last_synced_at": datetime(2026, 2, 1 + rank, tzinfo=UTC)},
    }[key]


def emails(response) -> list[str]:
    return [row.email for row in response.context["results"].rows]


@pytest.mark.parametrize("key", [c.key for c in COLUMNS])
def test_every_column_sorts_both_ways_with_the_id_breaking_ties(manager_client, key):
    middle = make_prospect(**value_of(key, 1))
    first = make_prospect(**value_of(key, 0))
    last = make_prospect(**value_of(key, 2))
    # The same value as `first`, made later: after it going up, before it going down.
    tie = make_prospect(**value_of(key, 0)) if key != "email" else None
    up = [first, tie, middle, last] if tie else [first, middle, last]
    down = [last, middle, tie, first] if tie else [last, middle, first]

    ascending = manager_client.get(URL, {"sort": key}, **HTMX)
    descending = manager_client.get(URL, {"sort": f"-{key}"}, **HTMX)

    assert emails(ascending) == [p.email for p in up]
    assert emails(descending) == [p.email for p in down]
    # The sort is in the address, so the link can be shared.
    assert parse_qs(urlsplit(descending["HX-Push-Url"]).query)["sort"] == [f"-{key}"]


def test_a_header_sorts_up_then_down_and_shows_an_arrow(manager_client, db):
    make_prospect()
    body = manager_client.get(URL, {"q": "same", "sort": "owner"}, **HTMX).content.decode()
    # The sorted column says so, and its link turns the order round.
    assert '<th class="col-owner" aria-sort="ascending">' in body
    assert 'href="?q=same&amp;sort=-owner"' in body
    assert '<span class="arrow" aria-hidden="true">▲</span>' in body
    # Another column's link sorts by it, going up, from the first page.
    assert 'href="?q=same&amp;sort=email"' in body
    down = manager_client.get(URL, {"sort": "-owner", "page": 2}, **HTMX).content.decode()
    assert '<th class="col-owner" aria-sort="descending">' in down
    assert 'href="?sort=owner"' in down and "▼" in down


def test_typing_keeps_the_sort(manager_client, db):
    make_prospect()
    page = manager_client.get(URL, {"sort": "-created"}).content.decode()
    fragment = manager_client.get(URL, {"q": "same", "sort": "-created"}, **HTMX)
    # The sort is a field of the search form, which the search box sends as you type.
    hidden = '<input type="hidden" name="sort" value="-created" form="prospect-search">'
    assert hidden in page and hidden in fragment.content.decode()
    assert 'hx-include="#prospect-search"' in page
    assert fragment["HX-Push-Url"] == f"{URL}?q=same&sort=-created"


@pytest.mark.parametrize("size", [25, 50, 100, 200])
def test_each_page_size_shows_that_many_rows(manager_client, db, size):
    for _ in range(201):
        make_prospect()
    response = manager_client.get(URL, {"per_page": size}, **HTMX)
    results = response.context["results"]
    assert len(results.rows) == size and results.has_next
    assert f"showing 1–{size}" in response.content.decode()
    assert results.num_pages == -(-201 // size)
    query = "" if size == 50 else f"per_page={size}"  # the default is left out
    assert response["HX-Push-Url"] == f"{URL}?{query}"


@pytest.mark.parametrize("bad", ["7", "abc", "-25", "1e9", "50.0", "9" * 30, ""])
def test_a_bad_page_size_gets_the_default_never_an_error(manager_client, db, bad):
    for _ in range(60):
        make_prospect()
    response = manager_client.get(URL, {"per_page": bad})
    assert response.status_code == 200
    assert len(response.context["results"].rows) == 50
    if bad:
        assert "Some filters were ignored" in response.content.decode()


def test_the_second_page_of_25_starts_after_the_first(manager_client, db):
    made = [make_prospect(full_name=f"Person {n:02}") for n in range(30)]
    response = manager_client.get(URL, {"per_page": 25, "page": 2}, **HTMX)
    assert emails(response) == [p.email for p in made[25:]]
    assert "Page 2 of 2" in response.content.decode()


def test_the_jump_form_carries_the_search_and_goes_to_the_page(manager_client, db):
    made = [make_prospect(full_name=f"Jumper {n:02}") for n in range(60)]
    response = manager_client.get(URL, {"q": "jumper", "per_page": 25}, **HTMX)
    body = response.content.decode()
    assert 'type="number" id="jump-page" name="page" min="1" max="3"' in body
    assert '<input type="hidden" name="q" value="jumper">' in body
    assert '<input type="hidden" name="per_page" value="25">' in body
    jumped = manager_client.get(URL, {"q": "jumper", "per_page": 25, "page": 3}, **HTMX)
    assert emails(jumped) == [p.email for p in made[50:]]


@pytest.mark.parametrize("page", ["4", "99", "100000000"])
def test_a_page_past_the_last_shows_the_last(manager_client, db, page):
    made = [make_prospect(full_name=f"Clamp {n:02}") for n in range(60)]
    response = manager_client.get(URL, {"q": "clamp", "per_page": 25, "page": page}, **HTMX)
    assert response.status_code == 200
    assert response.context["results"].number == 3
    assert emails(response) == [p.email for p in made[50:]]
    assert response["HX-Push-Url"] == f"{URL}?q=clamp&per_page=25&page=3"


def test_the_deepest_page_is_limited_by_rows_not_pages(manager_client, db):
    # 10,000 rows deep at most: page 400 of 25, page 50 of 200.
    from prospects.forms import SearchForm

    form = SearchForm({"per_page": "200", "page": "999"})
    assert form.is_valid() and form.cleaned_data["page"] == 50
    form = SearchForm({"per_page": "25", "page": "999"})
    assert form.is_valid() and form.cleaned_data["page"] == 400


def test_typed_words_are_marked_where_a_word_starts(manager_client, db):
    make_prospect(
        full_name="Ada Lovelace",
        email="ada@lovelace.example",
        company="Canada Adamant",
        title="Head of data",
    )
    body = manager_client.get(URL, {"q": "ada"}, **HTMX).content.decode()
    assert "<mark>Ada</mark> Lovelace</a>" in body
    assert "<mark>ada</mark>@lovelace.example" in body
    # "ada" inside "Canada" and "data" is no match for the search, so it is not marked.
    assert ">Canada <mark>Ada</mark>mant</td>" in body
    assert ">Head of data</td>" in body


def test_a_marked_name_with_html_stays_text(manager_client, db):
    make_prospect(full_name="<b>x</b> Smith", company="x & <i>y</i>")
    body = manager_client.get(URL, {"q": "x"}, **HTMX).content.decode()
    assert "<b>" not in body and "<i>" not in body
    assert "&lt;b&gt;<mark>x</mark>&lt;/b&gt; Smith" in body
    assert "<mark>x</mark> &amp; &lt;i&gt;y&lt;/i&gt;" in body
    assert 'title="&lt;b&gt;x&lt;/b&gt; Smith"' in body  # the whole text, escaped


@pytest.mark.parametrize(
    ("terms", "text", "expected"),
    [
        (["lt"], "<lt>", "&lt;<mark>lt</mark>&gt;"),
        (["amp"], "a&b", "a&amp;b"),  # never inside an entity the escaping made
        (["o"], "o'o", "<mark>o</mark>&#x27;<mark>o</mark>"),
        (["pri", "priya"], "Priya Pri", "<mark>Priya</mark> <mark>Pri</mark>"),
        (["x"], "foo_xy", "foo_<mark>x</mark>y"),
        ([], "<b>", "&lt;b&gt;"),
    ],
)
def test_the_highlighter_escapes_every_piece(terms, text, expected):
    assert str(highlighter(terms)(text)) == expected


def test_each_user_keeps_their_own_columns(manager_client, rep_client, manager_user, db):
    make_prospect()
    response = rep_client.post(
        COLUMNS_URL, {"columns": ["email", "created", "updated"], "query": "q=same&per_page=25"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?q=same&per_page=25"

    rep_page = rep_client.get(URL).content.decode()
    assert 'class="col-created"' in rep_page and 'class="col-updated"' in rep_page
    assert 'class="col-title"' not in rep_page and 'class="col-name"' in rep_page
    # The Manager's table is the default still.
    manager_page = manager_client.get(URL)
    assert [c.key for c in manager_page.context["results"].columns] == list(DEFAULT_KEYS)
    assert not ColumnPreference.objects.filter(user=manager_user).exists()

    rep_client.post(COLUMNS_URL, {"reset": "1", "query": ""})
    assert 'class="col-title"' in rep_client.get(URL).content.decode()


def test_the_chooser_shows_the_users_columns_and_can_reset(rep_client, db):
    rep_client.post(COLUMNS_URL, {"columns": ["email", "list"]})
    body = rep_client.get(URL).content.decode()
    assert 'name="columns" value="list" checked' in body
    assert 'name="columns" value="title">' in body
    assert 'name="columns" value="name" checked disabled' in body
    assert 'name="reset"' in body and "Reset to default" in body


def test_unknown_columns_are_refused_and_nothing_is_stored(rep_client, rep_user, db):
    response = rep_client.post(COLUMNS_URL, {"columns": ["password", "email"]}, follow=True)
    assert "Choose columns from the list." in response.content.decode()
    assert not ColumnPreference.objects.filter(user=rep_user).exists()


def test_a_stored_choice_that_no_longer_reads_gets_the_default(rep_client, rep_user, db):
    ColumnPreference.objects.create(user=rep_user, columns=["gone", 7, None])
    assert [c.key for c in rep_client.get(URL).context["results"].columns] == list(DEFAULT_KEYS)


def test_the_chooser_goes_back_only_to_the_search_page(rep_client, db):
    response = rep_client.post(COLUMNS_URL, {"columns": ["email"], "query": "//evil.example/x"})
    assert response["Location"] == URL


def test_the_chooser_takes_only_a_post(rep_client, db):
    assert rep_client.get(COLUMNS_URL).status_code == 405


def test_the_cadence_column_names_the_cadence_or_says_not_known(manager_client, db):
    make_prospect(
        email="named@table.example",
        prospect_status="In Cadence",
        cadence_status="In Cadence",
        cadence_name="Q4 Outbound",
    )
    make_prospect(
        email="unnamed@table.example", prospect_status="In Cadence", cadence_status="In Cadence"
    )
    rows = manager_client.get(URL, **HTMX).context["results"].rows
    cadence = {row.email: str(row.cell("cadence").html) for row in rows}
    assert cadence["named@table.example"] == "Q4 Outbound"
    assert "Not known" in cadence["unnamed@table.example"]
    # Never the status again (it has its own columns).
    assert "In Cadence" not in cadence.values()


def test_a_cadence_started_here_names_it_in_the_table(manager_client, db):
    from prospects.bulk import ACTIONS
    from prospects.models import BulkAction

    prospect = make_prospect(cadence_status="Not In Cadence")
    ACTIONS[BulkAction.START_CADENCE].apply_locally(prospect, {"cadence_name": "Spring Nurture"})
    prospect.save()
    row = manager_client.get(URL, **HTMX).context["results"].rows[0]
    assert str(row.cell("cadence").html) == "Spring Nurture"


def _seed(n: int) -> None:
    lists = [ProspectList.objects.create(name=f"List {i}") for i in range(3)]
    Prospect.objects.bulk_create(
        Prospect(
            email=f"bulk{i}@seed.example",
            full_name=f"Seed Person {i}",
            search_text=f"seed person {i} bulk{i}@seed.example",
            owner_email=OWNER,
            prospect_list=lists[i % 3],
            tags=["seeded", "more"],
            tags_text="|seeded|more|",
            cadence_name="Seeded" if i % 2 else "",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("size", [10, 400])
@pytest.mark.parametrize(("htmx", "most"), [(False, 12), (True, 7)])
@pytest.mark.parametrize("sort", ["-list", "owner", "-tags"])
def test_every_column_at_200_a_page_takes_a_fixed_number_of_queries(
    manager_client, manager_user, django_assert_max_num_queries, size, htmx, most, sort
):
    ColumnPreference.objects.create(user=manager_user, columns=[c.key for c in COLUMNS])
    _seed(size)
    headers = HTMX if htmx else {}
    with django_assert_max_num_queries(most):
        response = manager_client.get(URL, {"q": "seed", "per_page": 200, "sort": sort}, **headers)
    assert len(response.context["results"].rows) == min(size, 200)
    assert "<mark>seed</mark>" in response.content.decode()


@pytest.mark.parametrize("size", [10, 400])
def test_a_page_past_the_last_also_takes_a_fixed_number_of_queries(
    manager_client, django_assert_max_num_queries, size
):
    # The page asked for is read and found empty, then the last page is read: the
    # queries of two pages, whatever the data.
    _seed(size)
    with django_assert_max_num_queries(10):
        response = manager_client.get(URL, {"q": "seed", "tag": "more", "page": 150}, **HTMX)
    results = response.context["results"]
    assert results.number == results.num_pages and results.rows
