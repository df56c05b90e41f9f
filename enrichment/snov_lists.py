"""Snov.io prospect lists: browse, create, fill from a domain search, read one, and
send one to Klenty through the same Send to Klenty path (a Bulk Add job) as the
domain search.

Snov.io's lists belong to the account, not to a user, so only Managers and Admins
reach these (the views say so). Every call goes through `SnovClient`; the writes
(create a list, add a prospect) are audited there.
"""

from __future__ import annotations

from dataclasses import dataclass

from enrichment import services
from enrichment.models import EnrichmentPush
from enrichment.services import Row
from klentyadmin.integrations.errors import ApiNotFound
from klentyadmin.integrations.klenty import KlentyClient
from klentyadmin.integrations.snov import SnovClient
from klentyadmin.integrations.snov.types import ListPage, UserList
from prospects.owners import emails_already_added

PAGE_SIZE = 100  # Snov.io's maximum per "View prospects in list" call
# How much of a list one Send reads from Snov.io, in the request (5 calls); a bigger
# list is sent in parts. The Bulk Add job that follows runs in the background.
MAX_SENT = 500
MAX_ADDED = 50  # rows added from one results page in one request (one call each)


def live_lists(client: SnovClient) -> list[UserList]:
    """The account's lists that are not deleted, newest first."""
    lists = [lst for lst in client.user_lists() if not lst.deleted]
    return sorted(lists, key=lambda lst: lst.id, reverse=True)


def find_list(client: SnovClient, list_id: int) -> UserList | None:
    return next((lst for lst in live_lists(client) if lst.id == list_id), None)


def create_list(client: SnovClient, name: str) -> int:
    return client.create_list(name)


@dataclass(frozen=True)
class AddOutcome:
    added: int
    already: int


def add_rows(client: SnovClient, list_id: int, rows: list[Row]) -> AddOutcome:
    """Each row into the list; one already in Snov.io is linked to it, not changed."""
    added = already = 0
    for row in rows[:MAX_ADDED]:
        fields = {"firstName": row.first_name, "lastName": row.last_name}
        fields.update(position=row.position, fullName=row.name)
        result = client.add_prospect_to_list(list_id, row.email, **fields)
        if result.added:
            added += 1
        else:
            already += 1
    return AddOutcome(added, already)


def list_page(client: SnovClient, list_id: int, page: int = 1) -> ListPage:
    return client.prospects_in_list(list_id, page=page, per_page=PAGE_SIZE)


PAGES_PER_PART = MAX_SENT // PAGE_SIZE


def parts(contacts: int) -> list[tuple[int, str]]:
    """A big list is sent in parts of MAX_SENT: (part, "prospects 501–1000") each."""
    count = max(1, -(-contacts // MAX_SENT))
    return [
        (i, f"prospects {i * MAX_SENT + 1}–{min((i + 1) * MAX_SENT, contacts)}")
        for i in range(count)
    ]


def list_rows(client: SnovClient, list_id: int, part: int = 0) -> list[Row]:
    """The prospects with an email of one part of the list (Snov.io answers newest
    first), as Send to Klenty rows, page by page."""
    rows: list[Row] = []
    first = part * PAGES_PER_PART + 1
    for page in range(first, first + PAGES_PER_PART):
        batch = list_page(client, list_id, page)
        for p in batch.prospects:
            if p.emails:
                rows.append(Row(p.emails[0].lower(), p.first_name, p.last_name))
        if len(batch.prospects) < PAGE_SIZE:
            break
    return rows


def emails_in_klenty_list(klenty: KlentyClient, list_name: str) -> set[str]:
    """Who Klenty's list already holds, read live (the cache may not have synced yet);
    an empty set when Klenty has no list of that name yet."""
    try:
        return {p.email.lower() for p in klenty.iter_prospects_in_list(list_name)}
    except ApiNotFound:
        return set()


def send_list(
    *,
    user,
    snov: SnovClient,
    klenty: KlentyClient,
    list_id: int,
    list_name: str,
    cadence_name: str,
    part: int = 0,
) -> tuple[EnrichmentPush | None, int]:
    """One part of the Snov.io list into a Klenty list: (the push, how many were in
    Klenty already). No push when nothing is left to send."""
    rows = list_rows(snov, list_id, part)
    there = emails_in_klenty_list(klenty, list_name)
    there |= emails_already_added(user, (r.email for r in rows))
    fresh = [r for r in rows if r.email not in there]
    if not fresh:
        return None, len(rows)
    push = services.send_to_klenty(
        user=user, rows=fresh, list_name=list_name, cadence_name=cadence_name
    )
    return push, len(rows) - len(fresh)
