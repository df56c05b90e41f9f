"""The columns of the prospects table: what each shows, how it sorts, who sees which.

One list serves the header (labels, sort links), the rows (which cells), the sort
(ORDER BY, always ending in `id` so equal values keep one order from page to page)
and each user's choice of columns (`ColumnPreference`). Migrations 0002 and 0005
index every sort's pair of columns, so a page is read in index order.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str  # in the URL (`sort=-owner`) and in the stored preference
    label: str
    order_by: tuple[str, ...]
    shown_by_default: bool = True
    # Always shown: the name is the row's link to the prospect.
    required: bool = False
    help: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", ("search_text", "id"), required=True),
    Column("email", "Email", ("email", "id")),
    Column("company", "Company", ("company", "id")),
    Column("title", "Title", ("title", "id")),
    Column("tags", "Tags", ("tags_text", "id")),
    Column("list", "List", ("prospect_list__name", "id"), shown_by_default=False),
    Column("status", "Status", ("prospect_status", "id")),
    Column(
        "cadence_status",
        "Cadence status",
        ("cadence_status", "id"),
        shown_by_default=False,
        help="The prospect's status in its cadence, as Klenty reports it.",
    ),
    Column(
        "cadence",
        "Cadence",
        ("cadence_name", "id"),
        help="The cadence last seen for the prospect: Klenty's API does not name it, so it "
        "is known only from a webhook event or a cadence started here.",
    ),
    Column("owner", "Owner", ("owner_email", "id")),
    Column("created", "Created", ("created_on", "id"), shown_by_default=False),
    Column(
        "updated",
        "Last activity",
        ("updated_on", "id"),
        shown_by_default=False,
        help="The day Klenty last changed the prospect.",
    ),
    Column("synced", "Last synced", ("last_synced_at", "id")),
)
BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_SORT = "name"
DEFAULT_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.shown_by_default)
# Every sort the URL may ask for: each column ascending, then descending.
SORT_CHOICES = [
    choice
    for column in COLUMNS
    for choice in (
        (column.key, f"{column.label} (ascending)"),
        (f"-{column.key}", f"{column.label} (descending)"),
    )
]


def chosen_columns(keys: list[str] | tuple[str, ...] | None) -> list[Column]:
    """The columns to show for a stored choice, in the table's order.

    Unknown keys (a column since removed) are dropped, required columns are always
    there, and an empty or unreadable choice means the default.
    """
    wanted = {key for key in keys or () if isinstance(key, str) and key in BY_KEY}
    if not wanted - {c.key for c in COLUMNS if c.required}:
        wanted = set(DEFAULT_KEYS)
    return [c for c in COLUMNS if c.key in wanted or c.required]
