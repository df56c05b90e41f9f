from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from prospects.columns import COLUMNS
from prospects.models import BulkAction, Prospect, ProspectList
from prospects.search import PAGE_SIZE, ProspectSearch

URL = reverse("prospects:search")
HTMX = {"HTTP_HX_REQUEST": "true"}
PRIYA = "priya.natarajan@northwind.example"
DIEGO = "diego.alvarez@northwind.example"
_serial = count(1)
# The text index, and the step budget on the walk through it, are SQLite's.
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 only")


def make_prospect(**fields) -> Prospect:
    """A cached prospect with unremarkable values; `fields` override them."""
    n = next(_serial)
    values = {
        "email": f"person{n}@example.org",
        "first_name": "Plain",
        "last_name": f"Person{n}",
        "company": "Acme Widgets",
        "title": "Buyer",
        "company_domain": "acme.example",
        "owner_email": PRIYA,
        "prospect_status": "Not Contacted",
        "cadence_status": "Not In Cadence",
    }
    values.update(fields)
    return Prospect.objects.create(**values)


def emails(response) -> set[str]:
    return {p.email for p in response.context["results"].rows}


@pytest.fixture
def prospects(db):
    webinar = ProspectList.objects.create(name="Webinar")
    today = timezone.localdate()
    return {
        "ada": make_prospect(
            email="ada@lovelace.example",
            full_name="Ada Lovelace",
            company="Analytical Engines",
            title="Chief Mathematician",
            company_domain="engines.example",
            prospect_list=webinar,
            tags=["vip", "q3"],
            prospect_status="Replied",
            cadence_status="Completed",
            created_on=today - timedelta(days=30),
            updated_on=today - timedelta(days=2),
        ),
        "grace": make_prospect(
            email="grace@navy.example",
            full_name="Grace Hopper",
            company="Navy Compilers",
            title="Rear Admiral",
            company_domain="navy.example",
            owner_email=DIEGO,
            tags=["q3"],
            prospect_status="In Cadence",
            cadence_status="In Cadence",
            created_on=today - timedelta(days=5),
            updated_on=today,
        ),
        "linus": make_prospect(
            email="linus@kernel.example",
            full_name="Linus Torvalds",
            company="Kernel Works",
            title="Maintainer",
            company_domain="kernel.example",
            prospect_status="Bounced",
            created_on=today - timedelta(days=400),
            updated_on=today - timedelta(days=100),
        ),
    }


def test_it_requires_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_full_page_lists_every_prospect_for_a_manager(manager_client, prospects):
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert emails(response) == {p.email for p in prospects.values()}
    assert b'id="prospect-search"' in response.content
    assert "3 prospects match" in response.content.decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ada", "ada"),  # name
        ("lov", "ada"),  # last name prefix
        ("grace@navy", "grace"),  # email
        ("kernel wo", "linus"),  # company, two words
        ("admiral", "grace"),  # title
        ("engines.example", "ada"),  # domain
        ("MAINTAINER", "linus"),  # case does not matter
    ],
)
def test_text_search_covers_name_email_company_title_and_domain(
    manager_client, prospects, text, expected
):
    response = manager_client.get(URL, {"q": text})
    assert emails(response) == {prospects[expected].email}


def test_text_search_matches_the_start_of_words_and_all_of_them(manager_client, prospects):
    assert emails(manager_client.get(URL, {"q": "ada hopper"})) == set()
    assert emails(manager_client.get(URL, {"q": "example"})) == {
        p.email for p in prospects.values()
    }


def test_a_word_matches_at_its_start_only_on_every_database(manager_client, db):
    # PostgreSQL used to run a LIKE per word, so "atar" found Natarajan there and not on
    # SQLite. Both now split the same words: an email's parts are words too.
    priya = make_prospect(full_name="Priya Natarajan", email="priya.natarajan@northwind.example")
    make_prospect(full_name="Grace Hopper", email="grace@navy.example", company="Navy Labs")

    assert emails(manager_client.get(URL, {"q": "atar"})) == set()
    assert emails(manager_client.get(URL, {"q": "nat pri"})) == {priya.email}
    assert emails(manager_client.get(URL, {"q": "northw"})) == {priya.email}
    assert emails(manager_client.get(URL, {"q": "avy"})) == set()
    assert len(emails(manager_client.get(URL, {"q": "n"}))) == 2  # Natarajan, Navy


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's word index")
def test_postgresql_answers_words_from_its_index(manager_user, db):
    for n in range(300):
        make_prospect(full_name=f"Someone {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE prospects_prospect")
    queryset = ProspectSearch(q="somebody else").queryset(manager_user)

    plan = queryset.explain()

    assert "prospects_prospect_words_gin" in plan


def test_text_search_ignores_punctuation_that_is_not_a_word(manager_client, prospects):
    assert emails(manager_client.get(URL, {"q": '"*ada'})) == {prospects["ada"].email}
    assert emails(manager_client.get(URL, {"q": "***"})) == {p.email for p in prospects.values()}


def test_search_sees_prospects_changed_after_they_were_created(manager_client, prospects):
    ada = prospects["ada"]
    ada.full_name = "Augusta King"
    ada.title = "Analyst"
    ada.save()
    assert emails(manager_client.get(URL, {"q": "augusta"})) == {ada.email}
    assert emails(manager_client.get(URL, {"q": "mathematician"})) == set()
    Prospect.objects.filter(pk=ada.pk).delete()
    assert emails(manager_client.get(URL, {"q": "augusta"})) == set()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "vip"}, {"ada"}),
        ({"tag": "q3"}, {"ada", "grace"}),
        ({"status": "Bounced"}, {"linus"}),
        ({"cadence_status": "In Cadence"}, {"grace"}),
        ({"owner": DIEGO}, {"grace"}),
        ({"company": "kern"}, {"linus"}),
        ({"company": "Navy"}, {"grace"}),
    ],
)
def test_each_filter_narrows_the_results(manager_client, prospects, params, expected):
    response = manager_client.get(URL, params)
    assert emails(response) == {prospects[name].email for name in expected}


def test_the_list_filter(manager_client, prospects):
    webinar = ProspectList.objects.get(name="Webinar")
    assert emails(manager_client.get(URL, {"list": webinar.pk})) == {prospects["ada"].email}


def test_created_and_updated_ranges(manager_client, prospects):
    today = timezone.localdate()
    recent = {"created_from": (today - timedelta(days=40)).isoformat()}
    assert emails(manager_client.get(URL, recent)) == {
        prospects["ada"].email,
        prospects["grace"].email,
    }
    old = {"created_to": (today - timedelta(days=100)).isoformat()}
    assert emails(manager_client.get(URL, old)) == {prospects["linus"].email}
    window = {
        "updated_from": (today - timedelta(days=3)).isoformat(),
        "updated_to": (today - timedelta(days=1)).isoformat(),
    }
    assert emails(manager_client.get(URL, window)) == {prospects["ada"].email}


def test_filters_combine(manager_client, prospects):
    response = manager_client.get(URL, {"q": "example", "tag": "q3", "owner": PRIYA})
    assert emails(response) == {prospects["ada"].email}


def test_a_bad_filter_value_is_ignored_and_reported(manager_client, prospects):
    response = manager_client.get(URL, {"created_from": "yesterday", "q": "ada"})
    assert response.status_code == 200
    assert emails(response) == {prospects["ada"].email}
    assert "Some filters were ignored" in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["ada", "grace", "linus"]),
        ("-name", ["linus", "grace", "ada"]),
        ("company", ["ada", "linus", "grace"]),
        ("-company", ["grace", "linus", "ada"]),
        ("status", ["linus", "grace", "ada"]),
        ("-status", ["ada", "grace", "linus"]),
    ],
)
def test_sorting(manager_client, prospects, sort, expected):
    rows = manager_client.get(URL, {"sort": sort}).context["results"].rows
    assert [p.email for p in rows] == [prospects[name].email for name in expected]


def test_sorting_by_last_synced(manager_client, prospects):
    now = timezone.now()
    for offset, name in enumerate(["grace", "linus", "ada"]):
        Prospect.objects.filter(pk=prospects[name].pk).update(
            last_synced_at=now - timedelta(hours=offset)
        )
    rows = manager_client.get(URL, {"sort": "-synced"}).context["results"].rows
    assert [p.email for p in rows] == [prospects[n].email for n in ["grace", "linus", "ada"]]


def test_pagination_shows_fifty_a_page_and_the_count(manager_client, db):
    for i in range(PAGE_SIZE + 7):
        make_prospect(email=f"p{i:03}@paged.example", full_name=f"Paged {i:03}")
    first = manager_client.get(URL, {"q": "paged"})
    results = first.context["results"]
    assert len(results.rows) == PAGE_SIZE and results.has_next and not results.has_previous
    assert results.count == PAGE_SIZE + 7
    assert "57 prospects match" in first.content.decode()
    second = manager_client.get(URL, {"q": "paged", "page": 2})
    results = second.context["results"]
    assert [p.email for p in results.rows] == [f"p{i:03}@paged.example" for i in range(50, 57)]
    assert results.has_previous and not results.has_next
    assert "Page 2 of 2" in second.content.decode()


def test_the_count_is_capped_for_very_broad_searches(manager_client, prospects, monkeypatch):
    monkeypatch.setattr("prospects.search.COUNT_LIMIT", 2)
    response = manager_client.get(URL)
    assert "More than 2 prospects match" in response.content.decode()
    assert response.context["results"].num_pages is None


@pytest.mark.parametrize("sort", ["name", "-company", "status"])
def test_broad_searches_walk_the_sort_index_and_find_the_same_page(
    manager_client, prospects, monkeypatch, sort
):
    narrow = manager_client.get(URL, {"q": "example", "sort": sort}).context["results"]
    monkeypatch.setattr("prospects.search.BROAD_MATCHES", 0)
    broad = manager_client.get(URL, {"q": "example", "sort": sort}).context["results"]
    assert [p.pk for p in broad.rows] == [p.pk for p in narrow.rows]
    assert len(broad.rows) == 3 and broad.count == 3


@sqlite_only
@pytest.mark.parametrize("params", [{"q": "example"}, {"q": "example", "tag": "q3"}])
def test_a_walk_that_runs_out_of_steps_sorts_the_matches_instead(
    manager_client, prospects, monkeypatch, params
):
    expected = manager_client.get(URL, params).context["results"]
    # Every search walks, and every walk is interrupted at once.
    monkeypatch.setattr("prospects.search.BROAD_MATCHES", 0)
    monkeypatch.setattr("prospects.search.BROAD_MATCHES_COUNTED", 0)
    monkeypatch.setattr("prospects.search.BROAD_STEPS_PER_MATCH", 0)
    monkeypatch.setattr("prospects.search.STEP_CHECK_EVERY", 1)
    # Captured queries go through Django's debug cursor, which runs a query of its
    # own after the interrupted one: it must not be interrupted too.
    with CaptureQueriesContext(connection) as queries:
        results = manager_client.get(URL, params, **HTMX).context["results"]
    assert [p.pk for p in results.rows] == [p.pk for p in expected.rows]
    assert results.count == expected.count
    assert any("OVER ()" in q["sql"] or "+ 0" in q["sql"] for q in queries.captured_queries)
    # The connection is still usable afterwards.
    assert Prospect.objects.count() == 3


@sqlite_only
def test_the_step_budget_interrupts_only_the_statement_it_guards(db, prospects):
    from prospects.search import StepBudgetExceeded, step_budget

    million = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) "
        "SELECT count(*) FROM n"
    )
    with pytest.raises(StepBudgetExceeded), step_budget(0), connection.cursor() as cursor:
        cursor.execute(million)
    assert Prospect.objects.count() == 3


def test_words_with_other_filters_are_counted_exactly_below_the_cap(manager_client, db):
    for i in range(PAGE_SIZE + 7):
        make_prospect(email=f"c{i:03}@counted.example", tags=["keep"] if i % 2 else [])
    first = manager_client.get(URL, {"q": "counted", "tag": "keep"})
    assert first.context["results"].count == (PAGE_SIZE + 7) // 2
    assert "28 prospects match" in first.content.decode()
    # Past the last page there is no row to count on: the count is asked for, and
    # the last page is shown instead.
    beyond = manager_client.get(URL, {"q": "counted", "tag": "keep", "page": 2})
    assert beyond.context["results"].count == 28 and beyond.context["results"].number == 1
    assert len(beyond.context["results"].rows) == 28


def test_a_reps_text_search_counts_only_their_prospects(rep_client, prospects):
    response = rep_client.get(URL, {"q": "example"}, **HTMX)
    assert response.context["results"].count == 2
    assert "2 prospects match" in response.content.decode()


def test_rows_show_the_list_cadence_and_sync_time_and_escape_every_text(
    manager_client, db, settings
):
    settings.TIME_ZONE = "Asia/Kolkata"
    make_prospect(
        email="o'brien@tags.example",
        full_name="<b>Bold</b> & Co",
        company="Fish & <Chips>",
        prospect_list=ProspectList.objects.create(name="Q4 <list>"),
        tags=["<vip>"],
        cadence_status="In Cadence",
        cadence_name="Q4 Outbound",
        last_synced_at=datetime(2026, 3, 1, 22, 45, tzinfo=UTC),
    )
    every_column = [c.key for c in COLUMNS]
    manager_client.post(reverse("prospects:columns"), {"columns": every_column})
    body = manager_client.get(URL, **HTMX).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in body and "<b>Bold</b>" not in body
    assert "Fish &amp; &lt;Chips&gt;" in body
    assert "o&#x27;brien@tags.example" in body
    assert '<span class="badge">&lt;vip&gt;</span>' in body
    assert '<td class="col-list" title="Q4 &lt;list&gt;">Q4 &lt;list&gt;</td>' in body
    assert 'title="Q4 Outbound (In Cadence)">Q4 Outbound</td>' in body
    # in the site's time zone
    assert '<td class="col-synced" title="2026-03-02 04:15">2026-03-02 04:15</td>' in body


def test_without_a_text_index_words_are_matched_with_like(manager_client, prospects, monkeypatch):
    # What a database with neither FTS5 nor PostgreSQL's word index runs: a LIKE per word.
    monkeypatch.setattr("prospects.search.uses_fts", lambda: False)
    assert emails(manager_client.get(URL, {"q": "kernel wo"})) == {prospects["linus"].email}
    response = manager_client.get(URL, {"q": "example", "tag": "q3", "sort": "-name"}, **HTMX)
    assert [p.email for p in response.context["results"].rows] == [
        prospects["grace"].email,
        prospects["ada"].email,
    ]
    assert "2 prospects match" in response.content.decode()


def test_words_with_other_filters_count_up_to_a_smaller_cap(manager_client, prospects, monkeypatch):
    monkeypatch.setattr("prospects.search.TEXT_COUNT_LIMIT", 1)
    body = manager_client.get(URL, {"q": "example", "tag": "q3"}).content.decode()
    assert "More than 1 prospects match" in body
    body = manager_client.get(URL, {"q": "example"}).content.decode()
    if connection.vendor == "sqlite":
        assert "3 prospects match" in body  # words alone are counted in the FTS index
    else:
        assert "More than 1 prospects match" in body  # no index to count in: the same cap


def test_an_htmx_request_gets_only_the_results_partial(manager_client, prospects):
    full = manager_client.get(URL, {"q": "ada"})
    partial = manager_client.get(URL, {"q": "ada"}, **HTMX)
    assert b"<html" in full.content and b"<html" not in partial.content
    assert b'id="prospect-search"' not in partial.content
    assert b"ada@lovelace.example" in partial.content
    # The full page renders exactly the same results for a shared link.
    assert emails(full) == emails(partial) == {prospects["ada"].email}


def test_the_htmx_answer_pushes_the_canonical_url(manager_client, prospects):
    response = manager_client.get(
        URL, {"q": "ada", "tag": "", "status": "", "sort": "name", "page": "1"}, **HTMX
    )
    assert response["HX-Push-Url"] == f"{URL}?q=ada"


def test_the_url_state_round_trips(manager_client, prospects):
    search = ProspectSearch.from_params(
        {
            "q": "ada lov",
            "tag": "q3",
            "status": "Replied",
            "created_from": "2026-01-02",
            "sort": "-company",
            "page": "3",
            "owner": PRIYA,
        }
    )
    again = ProspectSearch.from_query_string(search.query_string())
    assert again == search
    assert again.created_from == date(2026, 1, 2)
    assert "page" not in parse_qs(search.filter_query_string)


def test_the_page_links_carry_the_whole_search(manager_client, db):
    for i in range(PAGE_SIZE + 1):
        make_prospect(email=f"q{i:03}@linked.example", tags=["keep"])
    response = manager_client.get(URL, {"tag": "keep", "sort": "-name"}, **HTMX)
    next_query = response.context["results"].next_query_string
    assert parse_qs(next_query) == {"tag": ["keep"], "sort": ["-name"], "page": ["2"]}
    body = response.content.decode()
    assert f'href="?{next_query.replace("&", "&amp;")}"' in body
    assert f'hx-get="?{next_query.replace("&", "&amp;")}"' in body


def test_the_search_input_searches_as_you_type(manager_client, prospects):
    body = manager_client.get(URL).content.decode()
    assert 'hx-trigger="input changed delay:300ms, search"' in body
    assert 'hx-push-url="true"' in body
    assert 'hx-target="#results"' in body


def test_each_row_links_to_the_detail_page(manager_client, prospects):
    body = manager_client.get(URL).content.decode()
    for prospect in prospects.values():
        assert reverse("prospects:detail", args=[prospect.pk]) in body


def test_the_selection_form_posts_to_the_bulk_actions(manager_client, prospects):
    response = manager_client.get(URL, {"tag": "q3"})
    body = response.content.decode()
    assert f'action="{reverse("prospects:bulk_confirm")}"' in body
    assert 'name="query" value="tag=q3"' in body
    assert 'name="scope" value="selected"' in body and 'name="scope" value="all"' in body
    assert "all 2 matching this search" in body
    for prospect in (prospects["ada"], prospects["grace"]):
        assert f'name="prospect_ids" value="{prospect.pk}"' in body
    assert f'value="{BulkAction.ADD_TAGS}"' in body
    assert f'value="{BulkAction.IMPORT}"' not in body
    assert "Continue…" in body


def test_the_download_link_carries_the_search(manager_client, prospects):
    body = manager_client.get(URL, {"q": "ada", "page": 1}).content.decode()
    assert f'href="{reverse("prospects:export")}?q=ada"' in body


def test_filter_dropdowns_offer_what_is_in_the_cache(manager_client, prospects):
    options = manager_client.get(URL).context["options"]
    assert options.statuses == ["Bounced", "In Cadence", "Replied"]
    assert options.owners == [DIEGO, PRIYA]
    assert [lst.name for lst in options.lists] == ["Webinar"]


def test_a_rep_sees_only_their_own_prospects(rep_client, prospects):
    response = rep_client.get(URL)
    assert emails(response) == {prospects["ada"].email, prospects["linus"].email}
    assert emails(rep_client.get(URL, {"q": "grace"})) == set()
    assert emails(rep_client.get(URL, {"owner": DIEGO})) == set()
    assert DIEGO not in response.content.decode()


def test_a_rep_without_a_klenty_email_sees_nothing(client, prospects):
    from tests.conftest import make_user

    client.force_login(make_user("nolink", "rep"))
    assert emails(client.get(URL)) == set()


def _seed(n: int) -> None:
    lists = [ProspectList.objects.create(name=f"List {i}") for i in range(3)]
    Prospect.objects.bulk_create(
        Prospect(
            email=f"bulk{i}@seed.example",
            full_name=f"Seed Person {i}",
            company=f"Company {i % 7}",
            search_text=f"seed person {i} bulk{i}@seed.example company {i % 7}",
            owner_email=PRIYA if i % 2 else DIEGO,
            prospect_list=lists[i % 3],
            tags=["seeded"],
            tags_text="|seeded|",
            prospect_status="Not Contacted" if i % 3 else "Replied",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("size", [10, 200])
@pytest.mark.parametrize(("htmx", "most"), [(False, 12), (True, 7)])
def test_the_number_of_queries_does_not_grow_with_the_data(
    manager_client, django_assert_max_num_queries, size, htmx, most
):
    # Session, user and the sandbox badge's connection; the user's columns; the text
    # index's count, the page's ids with the count, the page's rows; for the full
    # page also the lists and three DISTINCTs.
    _seed(size)
    headers = HTMX if htmx else {}
    with django_assert_max_num_queries(most):
        response = manager_client.get(URL, {"q": "seed", "tag": "seeded"}, **headers)
    assert response.context["results"].count == size


@pytest.mark.parametrize("size", [10, 200])
def test_a_reps_page_also_takes_a_fixed_number_of_queries(
    rep_client, django_assert_max_num_queries, size
):
    _seed(size)
    # No owner dropdown for a Rep; one DISTINCT per other dropdown; the Rep's columns;
    # and, with no query string, the role's default view (saved_views), one query.
    with django_assert_max_num_queries(11):
        response = rep_client.get(URL)
    assert response.context["results"].count == size // 2


def test_the_url_of_a_pushed_search_renders_the_same_page(manager_client, prospects):
    pushed = manager_client.get(URL, {"q": "example", "sort": "-name"}, **HTMX)["HX-Push-Url"]
    parts = urlsplit(pushed)
    full = manager_client.get(parts.path, parse_qs(parts.query))
    assert [p.email for p in full.context["results"].rows] == [
        prospects[n].email for n in ["linus", "grace", "ada"]
    ]


def test_the_cadence_filter_keeps_only_that_cadences_prospects(manager_client):
    Prospect.objects.create(email="in@acme.example", cadence_name="Q4 Outbound")
    Prospect.objects.create(email="out@acme.example", cadence_name="Nurture")

    response = manager_client.get("/prospects/?cadence=Q4+Outbound", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "in@acme.example" in body
    assert "out@acme.example" not in body
