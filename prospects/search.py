"""The prospects search: GET parameters in, one scoped, filtered, sorted page out.

The search page, its HTMX results fragment, the CSV export and the lead's bulk
actions ("all N matching this search") all read the same parameters through
`ProspectSearch`, so a shared link, the back button and an export always mean
the same set of prospects. Every queryset starts from `visible_to(user)`.

Text search matches prospects where every typed word starts a word of the name,
email, company, title or domain ("pri nat" finds Priya Natarajan). On SQLite an
FTS5 index answers it (migration 0002); elsewhere each word is a LIKE on the
lower-cased `search_text` column, which finds the same prospects and a few more
(words that merely contain the typed text).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, ExpressionWrapper, F, QuerySet
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.urls import reverse

from prospects.forms import MAX_PAGE, SORT_CHOICES, SearchForm
from prospects.models import Prospect, ProspectList

PAGE_SIZE = 50
# Counting stops here: past it the page says "more than 10,000" instead of making
# SQLite count every row of a broad search on each keystroke. Words combined with
# other filters cost a table lookup per match, so they stop sooner.
COUNT_LIMIT = 10_000
TEXT_COUNT_LIMIT = 1_000
# Above this many text matches, a page is found by walking the sort index (see
# `text_filter`); below it, by sorting the matches. Measured with bench/.
BROAD_MATCHES = 4_000
MAX_WORDS = 8
FTS_TABLE = "prospects_prospect_fts"

# Sort key -> the columns to order by (the migration indexes each pair).
SORT_COLUMNS = {
    "name": ("search_text", "id"),
    "company": ("company", "id"),
    "status": ("prospect_status", "id"),
    "synced": ("last_synced_at", "id"),
}
DEFAULT_SORT = "name"
# What a results row shows; custom fields and the rest stay in the database.
ROW_COLUMNS = (
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
    "last_synced_at",
    "prospect_list__name",
)


def words(text: str) -> list[str]:
    """The words of a query as FTS5's unicode61 tokenizer sees them."""
    return re.findall(r"[^\W_]+", text.lower())[:MAX_WORDS]


def uses_fts() -> bool:
    return connection.vendor == "sqlite"


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

    @property
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
        return bool(self.params(sort=DEFAULT_SORT, page=1))

    # -- the query -------------------------------------------------------------

    @property
    def terms(self) -> list[str]:
        return words(self.q)

    @property
    def has_filters_besides_text(self) -> bool:
        return bool(self.params(q="", sort=DEFAULT_SORT, page=1))

    def queryset(self, user, *, broad: bool = False) -> QuerySet[Prospect]:
        """Every visible prospect matching the search, sorted (no page applied)."""
        qs = Prospect.objects.visible_to(user)
        qs = text_filter(qs, self.terms, broad=broad)
        if self.list:
            qs = qs.filter(prospect_list_id=self.list)
        if self.tag:
            qs = qs.filter(Prospect.tag_filter(self.tag))
        if self.status:
            qs = qs.filter(prospect_status=self.status)
        if self.cadence_status:
            qs = qs.filter(cadence_status=self.cadence_status)
        if self.cadence:
            qs = qs.filter(cadence_name=self.cadence)
        if self.owner:
            qs = qs.filter(owner_email=self.owner.lower())
        if self.company:
            qs = qs.filter(company__istartswith=self.company)
        if self.created_from:
            qs = qs.filter(created_on__gte=self.created_from)
        if self.created_to:
            qs = qs.filter(created_on__lte=self.created_to)
        if self.updated_from:
            qs = qs.filter(updated_on__gte=self.updated_from)
        if self.updated_to:
            qs = qs.filter(updated_on__lte=self.updated_to)
        columns = SORT_COLUMNS.get(self.sort_key, SORT_COLUMNS[DEFAULT_SORT])
        prefix = "-" if self.descending else ""
        return qs.order_by(*(prefix + column for column in columns))

    def results(self, user) -> ResultsPage:
        """One page of matches and their count, in a fixed number of queries."""
        text_matches = fts_count(self.terms) if self.terms and uses_fts() else None
        broad = text_matches is not None and text_matches > BROAD_MATCHES
        offset = (self.page - 1) * PAGE_SIZE
        page_qs = (
            self.queryset(user, broad=broad).select_related("prospect_list").only(*ROW_COLUMNS)
        )
        rows = list(page_qs[offset : offset + PAGE_SIZE + 1])
        if (
            text_matches is not None
            and user.is_manager_or_admin
            and not (self.has_filters_besides_text)
        ):
            count, capped = text_matches, False
        else:
            limit = TEXT_COUNT_LIMIT if self.terms else COUNT_LIMIT
            found = self.queryset(user).order_by()[: limit + 1].count()
            count, capped = min(found, limit), found > limit
        return ResultsPage(
            search=self,
            rows=rows[:PAGE_SIZE],
            count=count,
            count_capped=capped,
            has_next=len(rows) > PAGE_SIZE,
        )


def matching_prospects(user, params: QueryDict | dict[str, Any]) -> QuerySet[Prospect]:
    """Every prospect a search means (no page): the bulk actions' "all N matching"."""
    return ProspectSearch.from_params(params).queryset(user)


@dataclass(frozen=True)
class ResultsPage:
    search: ProspectSearch
    rows: list[Prospect]
    count: int
    count_capped: bool
    has_next: bool

    @property
    def detail_url_prefix(self) -> str:
        """Rows link to "<prefix><pk>/": one reverse() per page instead of one per row."""
        return reverse("prospects:detail", args=[0]).removesuffix("0/")

    @property
    def number(self) -> int:
        return self.search.page

    @property
    def has_previous(self) -> bool:
        return self.search.page > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.rows)

    @property
    def num_pages(self) -> int | None:
        """Unknown when the count was capped."""
        if self.count_capped:
            return None
        return max(1, -(-self.count // PAGE_SIZE))

    @property
    def next_allowed(self) -> bool:
        return self.has_next and self.number < MAX_PAGE

    @property
    def next_query_string(self) -> str:
        return self.search.query_string(page=self.number + 1)

    @property
    def previous_query_string(self) -> str:
        return self.search.query_string(page=self.number - 1)


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
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        text = "|".join(str(v) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    elif isinstance(value, datetime):
        text = value.isoformat(timespec="seconds")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_rows(search: ProspectSearch, user) -> Iterator[list[str]]:
    """The header, then every match of the search, read 2,000 rows at a time."""
    yield [header for header, _ in EXPORT_COLUMNS]
    columns = [column for _, column in EXPORT_COLUMNS]
    rows = search.queryset(user).values_list(*columns).iterator(chunk_size=2000)
    for row in rows:
        yield [csv_cell(value) for value in row]


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def export_lines(search: ProspectSearch, user) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so spreadsheets open the UTF-8 correctly
    for row in export_rows(search, user):
        yield writer.writerow(row)
