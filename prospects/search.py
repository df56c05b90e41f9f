"""The prospects search: GET parameters in, one scoped, filtered, sorted page out.

The search page, its HTMX results fragment, the CSV export and the lead's bulk
actions ("all N matching this search") all read the same parameters through
`ProspectSearch`, so a shared link, the back button and an export always mean
the same set of prospects. Every queryset starts from `visible_to(user)`.

Text search matches prospects where every typed word starts a word of the name,
email, company, title or domain ("pri nat" finds Priya Natarajan). On SQLite an
FTS5 index answers it (migration 0002), on PostgreSQL a GIN index over the same words
(migration 0006); any other database gets a LIKE per word on the lower-cased
`search_text` column, which finds the same prospects and a few more (words that merely
contain the typed text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, tzinfo
from functools import cached_property
from typing import Any

from django.db import OperationalError, connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Window,
)
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from prospects.columns import BY_KEY, COLUMNS, DEFAULT_SORT, SORT_CHOICES, Column
from prospects.forms import PAGE_SIZE, PAGE_SIZES, SearchForm, max_page
from prospects.highlight import highlighter, html_text
from prospects.models import Prospect, ProspectList

# Counting stops here: past it the page says "more than 10,000" instead of making
# SQLite count every row of a broad search on each keystroke. Words combined with
# other filters cost a table lookup per match, so they stop sooner.
COUNT_LIMIT = 10_000
TEXT_COUNT_LIMIT = 1_000
# Up to this many text matches, a page is found by sorting the matches (about
# 2 µs each, a table lookup apiece); above it, first by walking the sort index
# (see `text_filter`), which is far cheaper when the matches are spread through the
# sort order and far dearer when they bunch up late in it ("vi" sorted by name:
# every Victor comes near the end, 90,000 index entries in). So the walk gets a
# budget of SQLite VM steps per match, worth about half of what sorting would
# cost; past it, the matches are sorted after all. When the count is needed too
# (words with other filters, or a Rep), sorting counts the matches on the way
# while a walk needs a count of its own, so the walk is tried only for more
# matches. Measured with bench/prospects_search.py on 100,000 prospects.
BROAD_MATCHES = 1_000
BROAD_MATCHES_COUNTED = 4_000
BROAD_STEPS_PER_MATCH = 25
STEP_CHECK_EVERY = 1_000
MAX_WORDS = 8
FTS_TABLE = "prospects_prospect_fts"

# Search field -> the condition it puts on the prospects, when set. The order is the
# order of the WHERE clause, as it was when these were one `if` each.
FIELD_CONDITIONS: tuple[tuple[str, Callable[[Any], Q]], ...] = (
    ("list", lambda value: Q(prospect_list_id=value)),
    ("tag", Prospect.tag_filter),
    ("status", lambda value: Q(prospect_status=value)),
    ("cadence_status", lambda value: Q(cadence_status=value)),
    ("cadence", lambda value: Q(cadence_name=value)),
    ("owner", lambda value: Q(owner_email=value.lower())),
    ("company", lambda value: Q(company__istartswith=value)),
    ("created_from", lambda value: Q(created_on__gte=value)),
    ("created_to", lambda value: Q(created_on__lte=value)),
    ("updated_from", lambda value: Q(updated_on__gte=value)),
    ("updated_to", lambda value: Q(updated_on__lte=value)),
)
# What a results row shows (see `ResultRow`); custom fields and the rest stay in
# the database.
ROW_COLUMNS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "full_name",
    "company",
    "title",
    "tags",
    "owner_email",
    "prospect_status",
    "cadence_status",
    "cadence_name",
    "created_on",
    "updated_on",
    "last_synced_at",
    "prospect_list__name",
)


def words(text: str) -> list[str]:
    """The words of a query as FTS5's unicode61 tokenizer sees them."""
    return re.findall(r"[^\W_]+", text.lower())[:MAX_WORDS]


def uses_fts() -> bool:
    return connection.vendor == "sqlite"


# The expression migration 0006 indexes, word for word: PostgreSQL uses the index only
# for the same expression.
POSTGRES_WORDS = (
    "to_tsvector('simple'::regconfig, regexp_replace("
    "\"prospects_prospect\".\"search_text\", '[^[:alnum:]]+', ' ', 'g'))"
)


def postgres_words_match(terms: list[str]) -> RawSQL:
    """Every term starts a word: `words @@ 'pri:* & nat:*'`. The terms are letters and
    digits only (`words`), and the query is a bound parameter."""
    return RawSQL(  # noqa: S611
        f"{POSTGRES_WORDS} @@ to_tsquery('simple'::regconfig, %s)",
        (" & ".join(f"{term}:*" for term in terms),),
        output_field=BooleanField(),
    )


def fts_match(terms: list[str]) -> str:
    return " ".join(f'"{term}"*' for term in terms)


def fts_ids(terms: list[str]) -> RawSQL:
    # The MATCH expression is a bound parameter; only our constant table name is
    # formatted in, and every word was reduced to letters and digits by `words`.
    return RawSQL(  # noqa: S611
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
        (fts_match(terms),),
    )


def fts_count(terms: list[str]) -> int:
    """How many prospects the words match, counted inside the FTS index alone (fast)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            [fts_match(terms)],
        )
        return cursor.fetchone()[0]


class StepBudgetExceeded(Exception):
    """A statement run under `step_budget` used up its steps and was interrupted."""


@contextmanager
def step_budget(steps: int) -> Iterator[None]:
    """Interrupt the SQLite statement run inside once it has taken about `steps` VM steps.

    SQLite calls the progress handler every STEP_CHECK_EVERY steps; a true answer
    stops the statement with "interrupted". The handler trips once only, so that
    what runs after the interrupted statement (Django's debug cursor quotes its
    parameters with a query of its own) is left alone. Only a SELECT is ever run
    under it, and an interrupted SELECT leaves the connection and any transaction
    as they were.
    """
    connection.ensure_connection()
    raw = connection.connection
    checks_left = max(1, steps // STEP_CHECK_EVERY)
    tripped = False

    def over_budget() -> bool:
        nonlocal checks_left, tripped
        if tripped:
            return False
        checks_left -= 1
        tripped = checks_left < 0
        return tripped

    raw.set_progress_handler(over_budget, STEP_CHECK_EVERY)
    try:
        yield
    except OperationalError as error:
        if tripped and "interrupted" in str(error):
            raise StepBudgetExceeded from error
        raise
    finally:
        raw.set_progress_handler(None, STEP_CHECK_EVERY)


def text_filter(queryset: QuerySet, terms: list[str], *, broad: bool = False) -> QuerySet:
    """Prospects whose words start with each of `terms`.

    `broad` (many matches) asks SQLite to walk the sort order's index and probe
    the matches, stopping after one page, instead of fetching and sorting every
    match: "id + 0" hides the primary key from the planner so it cannot drive the
    query. Narrow searches are fastest the other way round.
    """
    if not terms:
        return queryset
    if uses_fts():
        if broad:
            probe = ExpressionWrapper(F("id") + 0, output_field=BigIntegerField())
            return queryset.alias(fts_probe=probe).filter(fts_probe__in=fts_ids(terms))
        return queryset.filter(id__in=fts_ids(terms))
    if connection.vendor == "postgresql":
        return queryset.filter(postgres_words_match(terms))
    for term in terms:
        queryset = queryset.filter(search_text__contains=term)
    return queryset


@dataclass(frozen=True)
class ProspectSearch:
    """One search, as the URL spells it. Empty strings and None mean "any"."""

    q: str = ""
    list: int | None = None
    tag: str = ""
    status: str = ""
    cadence_status: str = ""
    cadence: str = ""
    owner: str = ""
    company: str = ""
    created_from: date | None = None
    created_to: date | None = None
    updated_from: date | None = None
    updated_to: date | None = None
    sort: str = DEFAULT_SORT
    per_page: int = PAGE_SIZE
    page: int = 1
    errors: dict[str, list[str]] = field(default_factory=dict, compare=False)

    @classmethod
    def from_params(cls, params: QueryDict | dict[str, Any]) -> ProspectSearch:
        """Parse GET parameters; a value that does not parse is ignored and reported."""
        form = SearchForm(params)
        form.is_valid()
        values = {name: form.cleaned_data.get(name) for name in form.fields}
        values = {name: value for name, value in values.items() if value not in (None, "")}
        return cls(**values, errors={k: list(v) for k, v in form.errors.items()})

    @classmethod
    def from_query_string(cls, query_string: str) -> ProspectSearch:
        return cls.from_params(QueryDict(query_string))

    # -- the URL ---------------------------------------------------------------

    def params(self, **changes: Any) -> dict[str, str]:
        """The non-default parameters, in a stable order, with `changes` applied."""
        result = {}
        for f in fields(self):
            if f.name == "errors":
                continue
            value = changes.get(f.name, getattr(self, f.name))
            if value in (None, "", f.default):
                continue
            result[f.name] = value.isoformat() if isinstance(value, date) else str(value)
        return result

    def query_string(self, **changes: Any) -> str:
        query = QueryDict(mutable=True)
        query.update(self.params(**changes))
        return query.urlencode()

    @cached_property  # the results print it three times
    def filter_query_string(self) -> str:
        """The search without its page: what an export or a bulk action needs."""
        return self.query_string(page=1)

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    @property
    def is_filtered(self) -> bool:
        return bool(self.params(sort=DEFAULT_SORT, per_page=PAGE_SIZE, page=1))

    def sort_query_string(self, key: str) -> str:
        """The search sorted by column `key`: ascending, or the other way round when
        it is already sorted by that column. Back to the first page either way."""
        ascending = self.sort_key != key or self.descending
        return self.query_string(sort=key if ascending else f"-{key}", page=1)

    # -- the query -------------------------------------------------------------

    @property
    def terms(self) -> list[str]:
        return words(self.q)

    @property
    def has_filters_besides_text(self) -> bool:
        return bool(self.params(q="", sort=DEFAULT_SORT, per_page=PAGE_SIZE, page=1))

    def queryset(self, user, *, broad: bool = False) -> QuerySet[Prospect]:
        """Every visible prospect matching the search, sorted (no page applied)."""
        qs = Prospect.objects.visible_to(user)
        qs = text_filter(qs, self.terms, broad=broad)
        for condition in self.field_conditions():
            qs = qs.filter(condition)
        columns = BY_KEY.get(self.sort_key, BY_KEY[DEFAULT_SORT]).order_by
        prefix = "-" if self.descending else ""
        return qs.order_by(*(prefix + column for column in columns))

    def field_conditions(self) -> Iterator[Q]:
        """One condition per field filter the search sets, in `FIELD_CONDITIONS` order."""
        for name, condition in FIELD_CONDITIONS:
            value = getattr(self, name)
            if value:
                yield condition(value)

    def results(self, user, columns: list[Column] | None = None) -> ResultsPage:
        """One page of matches and their count, in a fixed number of queries.

        `columns` are the ones the table shows (all of them by default). A page past
        the last one is answered with the last one (a few more queries, once).
        """
        columns = list(COLUMNS) if columns is None else columns
        page = self._results(user, columns)
        if not page.rows and page.number > 1 and page.count and not page.count_capped:
            page = replace(self, page=page.num_pages)._results(user, columns)
        return page

    def _results(self, user, columns: list[Column]) -> ResultsPage:
        size = self.per_page
        text_matches = fts_count(self.terms) if self.terms and uses_fts() else None
        # Words alone, for someone who sees everyone: the text index has the count.
        count_in_index = (
            text_matches is not None
            and user.is_manager_or_admin
            and not self.has_filters_besides_text
        )
        offset = (self.page - 1) * size
        values, found = self._page(user, offset, text_matches, count=not count_in_index)
        url_prefix, tz = detail_url_prefix(), timezone.get_current_timezone()
        keys, mark = [c.key for c in columns], highlighter(self.terms)
        rows = [ResultRow.from_values(row, url_prefix, tz, keys, mark) for row in values[:size]]
        has_next = len(values) > size
        if count_in_index:
            count, capped = text_matches, False
        else:
            limit = TEXT_COUNT_LIMIT if self.terms else COUNT_LIMIT
            if found is None and not has_next and (rows or offset == 0):
                found = offset + len(rows)  # this is the last page: no need to count
            elif found is None:
                found = self.queryset(user).order_by()[: limit + 1].count()
            count, capped = min(found, limit), found > limit
        return ResultsPage(
            search=self,
            rows=rows,
            count=count,
            count_capped=capped,
            has_next=has_next,
            columns=columns,
        )

    def _page(
        self, user, offset: int, text_matches: int | None, *, count: bool
    ) -> tuple[list, int | None]:
        """The page's rows (and one more, to tell whether there is a next page), and
        how many prospects match when finding the page counted them anyway."""
        window = slice(offset, offset + self.per_page + 1)
        broad_from = BROAD_MATCHES_COUNTED if count else BROAD_MATCHES
        if text_matches is not None and text_matches > broad_from:
            try:
                with step_budget(text_matches * BROAD_STEPS_PER_MATCH):
                    return page_rows(self.queryset(user, broad=True), window), None
            except StepBudgetExceeded:
                pass
        if text_matches is not None and count:
            # Sorting the matches reads every one of them: count them on the way.
            return sorted_rows_and_count(self.queryset(user), window)
        return page_rows(self.queryset(user), window), None


def page_rows(queryset: QuerySet[Prospect], window: slice) -> list:
    return list(queryset.values_list(*ROW_COLUMNS, named=True)[window])


def sorted_rows_and_count(queryset: QuerySet[Prospect], window: slice) -> tuple[list, int | None]:
    """The rows in `window` and the number of matches, in one pass over the matches.

    The window count runs on the ids and sort keys alone (with every row column it
    would carry them all through the sort); the page's rows are read by id after.
    """
    ids = queryset.annotate(found=Window(Count("id"))).values_list("id", "found")[window]
    ids = list(ids)
    if not ids:
        return [], None
    by_id = {
        row.id: row
        for row in Prospect.objects.filter(id__in=[pk for pk, _ in ids])
        .order_by()
        .values_list(*ROW_COLUMNS, named=True)
    }
    return [by_id[pk] for pk, _ in ids], ids[0][1]


@dataclass(slots=True)
class Cell:
    """One cell as it is printed: `html` escaped (and marked), `title` the whole text
    escaped, for a cell the table cuts short with an ellipsis."""

    key: str
    html: SafeString
    title: SafeString


NOT_KNOWN = SafeString('<span class="muted">Not known</span>')


def cadence_text(values: Any) -> str:
    """The cadence the prospect is in, when we know it.

    Klenty's API answers a prospect's cadence status ("In Cadence") but never which
    cadence: the name is known only from a webhook event that carries `cadenceName`
    or from a cadence started here (cadences/receiver.py, prospects/bulk.py).
    """
    return values.cadence_name


def day_text(day: date | None) -> str:
    return day.isoformat() if day else ""


@dataclass(slots=True)
class ResultRow:
    """One row of the results table as it is printed: every text HTML-escaped.

    Fifty model instances, a date format and 600 template variables escaped one at
    a time cost more than the query that found them. The row is read as plain
    values and each cell is escaped here, once; the template prints them as they
    are (a SafeString passes its autoescape untouched).
    """

    pk: int
    url: str
    name: SafeString
    email: str  # as stored, for code that finds a row by its prospect
    cells: list[Cell]
    company: str = ""  # as stored, for the command palette's hint
    # The row's <td>s after the checkbox, printed as one string: 200 rows of 13 cells
    # are 2,600 template loops and 7,800 lookups otherwise.
    cells_html: SafeString = SafeString("")

    @classmethod
    def from_values(
        cls,
        values: Any,
        url_prefix: str,
        tz: tzinfo,
        keys: list[str],
        mark: Callable[[Any], SafeString] = html_text,
    ) -> ResultRow:
        """`values` is a named row of ROW_COLUMNS, `url_prefix` from `detail_url_prefix()`,
        `tz` the current time zone, `keys` the columns shown, `mark` what marks the
        typed words in the searched texts (see prospects/highlight.py)."""
        url = f"{url_prefix}{values.id}/"
        name = Prospect.display_name.fget(values)  # the model's own rule
        cells = []
        for key in keys:
            if key == "name":
                shown = SafeString(f'<a href="{url}">{mark(name)}</a>')
                text = name
            elif key in MARKED:
                text = getattr(values, MARKED[key])
                shown = mark(text)
            elif key == "tags":
                shown = SafeString(
                    " ".join(f'<span class="badge">{html_text(t)}</span>' for t in values.tags)
                )
                text = ", ".join(values.tags)
            elif key == "cadence":
                text = cadence_text(values)
                shown = html_text(text) if text else NOT_KNOWN
                if values.cadence_status:
                    text = f"{text or 'Cadence not known'} ({values.cadence_status})"
            elif key == "synced":
                synced = values.last_synced_at
                # As |date:"Y-m-d H:i" prints it: in the current time zone.
                text = timezone.localtime(synced, tz).strftime("%Y-%m-%d %H:%M") if synced else ""
                shown = SafeString(text)
            elif key in DAYS:
                text = day_text(getattr(values, DAYS[key]))
                shown = SafeString(text)
            else:
                text = getattr(values, PLAIN[key]) or ""
                shown = html_text(text)
            cells.append(Cell(key, shown, html_text(text)))
        cells_html = SafeString(
            "".join(f'<td class="col-{c.key}" title="{c.title}">{c.html}</td>' for c in cells)
        )
        return cls(
            pk=values.id,
            url=url,
            name=html_text(name),
            email=values.email,
            cells=cells,
            cells_html=cells_html,
            company=values.company or "",
        )

    def __getitem__(self, name: str) -> Any:
        # The template engine tries `row[name]` before `row.name`; answering it
        # spares a raised and caught TypeError per cell.
        return getattr(self, name)

    def cell(self, key: str) -> Cell | None:
        return next((cell for cell in self.cells if cell.key == key), None)


# Column key -> the value it prints: searched texts (marked), dates, plain texts.
MARKED = {"email": "email", "company": "company", "title": "title"}
DAYS = {"created": "created_on", "updated": "updated_on"}
PLAIN = {
    "list": "prospect_list__name",
    "status": "prospect_status",
    "cadence_status": "cadence_status",
    "owner": "owner_email",
}


def detail_url_prefix() -> str:
    """Rows link to "<prefix><pk>/": one reverse() per page instead of one per row."""
    return reverse("prospects:detail", args=[0]).removesuffix("0/")


@dataclass(frozen=True)
class Header:
    """A column's header: its label and the link that sorts by it."""

    column: Column
    query_string: str
    # "ascending", "descending" or "" (as aria-sort spells it).
    sorted: str

    @property
    def arrow(self) -> str:
        return {"ascending": "▲", "descending": "▼"}.get(self.sorted, "")


@dataclass(frozen=True)
class ResultsPage:
    search: ProspectSearch
    rows: list[ResultRow]
    count: int
    count_capped: bool
    has_next: bool
    columns: list[Column] = field(default_factory=lambda: list(COLUMNS))

    @property
    def number(self) -> int:
        return self.search.page

    @property
    def per_page(self) -> int:
        return self.search.per_page

    @property
    def has_previous(self) -> bool:
        return self.search.page > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)

    @property
    def num_pages(self) -> int | None:
        """Unknown when the count was capped."""
        if self.count_capped:
            return None
        return max(1, -(-self.count // self.per_page))

    @property
    def last_page_allowed(self) -> int:
        """The highest page the jump can ask for."""
        deepest = max_page(self.per_page)
        return min(self.num_pages or deepest, deepest)

    @property
    def next_allowed(self) -> bool:
        return self.has_next and self.number < max_page(self.per_page)

    @cached_property
    def next_query_string(self) -> str:
        return self.search.query_string(page=self.number + 1)

    @cached_property
    def previous_query_string(self) -> str:
        return self.search.query_string(page=self.number - 1)

    @cached_property
    def headers(self) -> list[Header]:
        search = self.search
        current = search.sort_key if search.sort_key in BY_KEY else DEFAULT_SORT
        direction = "descending" if search.descending else "ascending"
        return [
            Header(
                column,
                search.sort_query_string(column.key),
                direction if column.key == current else "",
            )
            for column in self.columns
        ]

    @cached_property
    def jump_params(self) -> list[tuple[str, str]]:
        """The search without its page, as the jump form's hidden fields."""
        return [(k, v) for k, v in self.search.params().items() if k != "page"]

    @property
    def page_sizes(self) -> tuple[int, ...]:
        return PAGE_SIZES


@dataclass(frozen=True)
class FilterOptions:
    lists: list[ProspectList]
    statuses: list[str]
    cadence_statuses: list[str]
    cadences: list[str]
    owners: list[str]
    sorts: list[tuple[str, str]] = field(default_factory=lambda: list(SORT_CHOICES))


def distinct_values(qs: QuerySet, column: str) -> list[str]:
    values = qs.order_by(column).values_list(column, flat=True).distinct()
    return [value for value in values if value]


def filter_options(user) -> FilterOptions:
    """Choices for the filter dropdowns: one cheap DISTINCT per column, index-only."""
    visible = Prospect.objects.visible_to(user)
    return FilterOptions(
        lists=list(ProspectList.objects.only("id", "name")),
        statuses=distinct_values(visible, "prospect_status"),
        cadence_statuses=distinct_values(visible, "cadence_status"),
        cadences=distinct_values(visible, "cadence_name"),
        owners=distinct_values(visible, "owner_email") if user.is_manager_or_admin else [],
    )


# -- CSV export ----------------------------------------------------------------

# (header, column) for every documented field, then our statuses and dates.
EXPORT_COLUMNS = [
    ("Email", "email"),
    ("First name", "first_name"),
    ("Middle name", "middle_name"),
    ("Last name", "last_name"),
    ("Full name", "full_name"),
    ("Company", "company"),
    ("Company domain", "company_domain"),
    ("Account", "account"),
    ("Department", "department"),
    ("Title", "title"),
    ("Location", "location"),
    ("Phone", "phone"),
    ("Twitter", "twitter_id"),
    ("Company phone", "company_phone"),
    ("Company email", "company_email"),
    ("LinkedIn URL", "linkedin_url"),
    ("City", "city"),
    ("Country", "country"),
    ("List", "prospect_list__name"),
    ("Tags", "tags"),
    ("Custom fields", "custom_fields"),
    ("Owner", "owner_email"),
    ("Outcome", "outcome"),
    ("Prospect status", "prospect_status"),
    ("Cadence status", "cadence_status"),
    ("Cadence", "cadence_name"),
    ("Created on", "created_on"),
    ("Updated on", "updated_on"),
    ("Last synced at", "last_synced_at"),
    ("Klenty id", "klenty_id"),
]


def export_value(value: Any) -> Any:
    """A cached value as the export spells it (the CSV writer makes it formula-safe)."""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def export_rows(search: ProspectSearch, user) -> Iterator[list[Any]]:
    """The header, then every match of the search, read 2,000 rows at a time."""
    yield [header for header, _ in EXPORT_COLUMNS]
    columns = [column for _, column in EXPORT_COLUMNS]
    rows = search.queryset(user).values_list(*columns).iterator(chunk_size=2000)
    for row in rows:
        yield [export_value(value) for value in row]
