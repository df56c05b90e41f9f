"""Looking for duplicates: rebuild the keys, then pair them, all in SQL.

`look_for_duplicates` rewrites the Klenty rows of the key table with one
INSERT … SELECT over the prospects cache (the keys computed by the database:
dedupe/rules.py), then the pairs with one INSERT … SELECT that joins the key table
with itself on each indexed key. Nothing is read into Python, so it stays a matter of
seconds at a million prospects (bench/duplicates.py measures it). CRM contacts come from
the CRM's API (`read_crm_contacts`), as the CRM has no search we could pair against, and
the prospects of the account's Snov.io lists from Snov.io's (`read_snov_lists`), up to
SNOV_MAX_PROSPECTS of them.

A pair needs a Klenty prospect on at least one side (two CRM contacts are the CRM's
business). A Klenty prospect and a CRM contact with the very same email are one
person *linked* across the two systems, not a duplicate, so they are not paired.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from dedupe.models import DedupeKey, DuplicatePair, LastLook, ResolvedPair, Source
from dedupe.rules import email_key, email_key_sql, name_key, name_key_sql
from klentyadmin.integrations.errors import ApiError
from prospects.models import Prospect

log = logging.getLogger(__name__)

KEY_COLUMNS = (
    "source",
    "record_id",
    "prospect_id",
    "email",
    "first_name",
    "last_name",
    "company",
    "owner_email",
    "email_key",
    "name_key",
)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _execute(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _rebuild_klenty_keys() -> int:
    # Plain SQL deletes: the ORM would read every row first to cascade to the pairs.
    _execute(f"DELETE FROM {_table(DuplicatePair)}")  # noqa: S608
    _execute(f"DELETE FROM {_table(DedupeKey)} WHERE source = %s", [Source.KLENTY])  # noqa: S608
    rows = (
        Prospect.objects.order_by()
        .annotate(
            k_source=Value(str(Source.KLENTY)),
            k_record=Cast("pk", output_field=CharField()),
            k_email_key=email_key_sql("email"),
            k_name_key=name_key_sql(),
        )
        .values_list(
            "k_source",
            "k_record",
            "pk",
            "email",
            "first_name",
            "last_name",
            "company",
            "owner_email",
            "k_email_key",
            "k_name_key",
        )
    )
    sql, params = rows.query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(c) for c in KEY_COLUMNS)
    return _execute(f"INSERT INTO {_table(DedupeKey)} ({columns}) {sql}", params)  # noqa: S608


PAIRS_SQL = """
INSERT INTO {pairs} (left_id, right_id, same_email, same_name, left_owner, right_owner)
SELECT l, r, MAX(e) = 1, MAX(n) = 1, MAX(lo), MAX(ro) FROM (
    SELECT a.id AS l, b.id AS r, 1 AS e, 0 AS n, a.owner_email AS lo, b.owner_email AS ro
    FROM {keys} a JOIN {keys} b ON b.email_key = a.email_key AND b.id <> a.id
    WHERE a.email_key <> '' AND a.source = 'klenty'
      AND (b.source = 'klenty' AND a.prospect_id < b.prospect_id OR b.source <> 'klenty')
      AND NOT (a.source <> b.source AND LOWER(a.email) = LOWER(b.email))
    UNION ALL
    SELECT a.id, b.id, 0, 1, a.owner_email, b.owner_email
    FROM {keys} a JOIN {keys} b ON b.name_key = a.name_key AND b.id <> a.id
    WHERE a.name_key <> '' AND a.source = 'klenty'
      AND (b.source = 'klenty' AND a.prospect_id < b.prospect_id OR b.source <> 'klenty')
      AND NOT (a.source <> b.source AND LOWER(a.email) = LOWER(b.email))
) found
GROUP BY l, r
"""


# Pairs someone already merged stay merged.
RESOLVED_SQL = """
DELETE FROM {pairs} WHERE id IN (
    SELECT p.id FROM {pairs} p
    JOIN {keys} l ON l.id = p.left_id
    JOIN {keys} r ON r.id = p.right_id
    JOIN {resolved} x ON x.left_source = l.source AND x.left_record = l.record_id
        AND x.right_source = r.source AND x.right_record = r.record_id
)
"""


def _rebuild_pairs() -> int:
    _execute(f"DELETE FROM {_table(DuplicatePair)}")  # noqa: S608
    tables = {
        "pairs": _table(DuplicatePair),
        "keys": _table(DedupeKey),
        "resolved": _table(ResolvedPair),
    }
    found = _execute(PAIRS_SQL.format(**tables))
    return found - _execute(RESOLVED_SQL.format(**tables))


def read_crm_contacts(client) -> int:
    """Replace the CRM rows of the key table with the CRM's contacts (one API call)."""
    contacts = client.search_contacts()
    rows = [
        DedupeKey(
            source=Source.CRM,
            record_id=str(c.id),
            email=c.email,
            first_name=c.first_name,
            last_name=c.last_name,
            company=c.company_name,
            email_key=email_key(c.email),
            name_key=name_key(c.first_name, c.last_name, c.company_name),
            details={
                "first_name": c.first_name,
                "last_name": c.last_name,
                "full_name": c.full_name,
                "company": c.company_name,
                "title": c.job_title,
                "phone": (c.phone_numbers or [""])[0],
                "linkedin_url": c.linkedin_url,
            },
        )
        for c in contacts
        if c.id
    ]
    with transaction.atomic():
        _execute(f"DELETE FROM {_table(DuplicatePair)}")  # noqa: S608
        _execute(f"DELETE FROM {_table(DedupeKey)} WHERE source = %s", [Source.CRM])  # noqa: S608
        DedupeKey.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# Snov.io lists are read 100 prospects a request; a look reads at most this many.
SNOV_MAX_PROSPECTS = 5_000


def snov_rows(client, limit: int = SNOV_MAX_PROSPECTS) -> list[DedupeKey]:
    """One key row per email of each prospect in the account's Snov.io lists. Snov.io
    gives list prospects a name but no company, so they pair by email only."""
    rows: list[DedupeKey] = []
    for snov_list in (lst for lst in client.user_lists() if not lst.deleted):
        page = 1
        while len(rows) < limit:
            found = client.prospects_in_list(snov_list.id, page=page, per_page=100)
            for prospect in found.prospects:
                for email in prospect.emails:
                    rows.append(
                        DedupeKey(
                            source=Source.SNOV,
                            record_id=f"{snov_list.id}:{prospect.id}:{email.lower()}"[:64],
                            email=email,
                            first_name=prospect.first_name,
                            last_name=prospect.last_name,
                            email_key=email_key(email),
                            details={
                                "first_name": prospect.first_name,
                                "last_name": prospect.last_name,
                                "full_name": prospect.name,
                                "list": snov_list.name,
                            },
                        )
                    )
            if len(found.prospects) < 100:
                break
            page += 1
    return rows[:limit]


def read_snov_lists(client) -> int:
    """Replace the Snov.io rows of the key table with the prospects of the lists."""
    rows = {row.record_id: row for row in snov_rows(client)}  # an email listed twice once
    with transaction.atomic():
        _execute(f"DELETE FROM {_table(DuplicatePair)}")  # noqa: S608
        _execute(f"DELETE FROM {_table(DedupeKey)} WHERE source = %s", [Source.SNOV])  # noqa: S608
        DedupeKey.objects.bulk_create(rows.values(), batch_size=1000)
    return len(rows)


def look_for_duplicates(*, crm_client=None, snov_client=None) -> LastLook:
    """Rebuild the keys and pairs; with `crm_client` and `snov_client`, read the CRM's
    contacts and the Snov.io lists first. A source that cannot be read leaves its last
    records in place, and says so."""
    look = LastLook.objects.first() or LastLook()
    if snov_client is not None:
        try:
            look.snov_records = read_snov_lists(snov_client)
            look.snov_read_at = timezone.now()
            look.snov_error = ""
        except ApiError as exc:
            log.warning("Could not read the Snov.io lists for dedupe: %s", exc)
            look.snov_error = str(exc)[:500]
    if crm_client is not None:
        try:
            look.crm_records = read_crm_contacts(crm_client)
            look.crm_read_at = timezone.now()
            look.crm_error = ""
        except ApiError as exc:
            log.warning("Could not read the CRM's contacts for dedupe: %s", exc)
            look.crm_error = str(exc)[:500]
    with transaction.atomic():
        look.klenty_records = _rebuild_klenty_keys()
        _rebuild_pairs()
        look.looked_at = timezone.now()
        look.save()
    return look


def scheduled_look() -> str:
    """The schedule: Klenty's cache, the CRM's contacts and the Snov.io lists, as the
    system."""
    from klentyadmin.integrations.crm import CrmClient
    from klentyadmin.integrations.snov.client import SnovClient

    look = look_for_duplicates(
        crm_client=CrmClient.from_settings(), snov_client=SnovClient.from_settings()
    )
    return (
        f"{DuplicatePair.objects.count()} likely duplicate pairs in {look.klenty_records} prospects"
    )


def pairs_visible_to(user) -> QuerySet[DuplicatePair]:
    """Managers and Admins see every pair; a Rep only pairs of two prospects they own,
    so a pair never tells a Rep of a colleague's prospect (or of the CRM's contacts)."""
    pairs = DuplicatePair.objects.select_related("left__prospect", "right__prospect")
    if user.is_manager_or_admin:
        return pairs
    if not user.klenty_email:
        return pairs.none()
    # The owners at the last look find the pairs through an index; the owners as they
    # are now must agree, so a prospect given to a colleague since drops out at once.
    mine = user.klenty_email
    return pairs.filter(left_owner=mine, right_owner=mine).filter(
        left__prospect__owner_email=mine, right__prospect__owner_email=mine
    )
