"""With the dashboard's data: the checks the preview shows (against the cache's emails
and the Klenty team), the start that queues the Bulk Add job, and the outcome after."""

from __future__ import annotations

from datetime import UTC, datetime

from klentyadmin.integrations.klenty.target import klenty_target
from prospects.bulk import create_import_job
from prospects.imports.checking import READY, ImportOptions, RowOutcome, check_rows, emails_in
from prospects.imports.mapping import guess_mapping
from prospects.imports.outcomes import final_outcomes
from prospects.imports.reading import ParsedCsv, parse_csv
from prospects.imports.uploads import StoredImport
from prospects.models import BulkJobItem
from prospects.owners import (
    NotLinkedToKlenty,
    duplicate_refusal,
    emails_already_added,
    owner_of_new_prospects,
)


def options_for(stored: StoredImport, parsed: ParsedCsv, user) -> ImportOptions:
    """The stored choices, the cached emails among the file's, and the team."""
    mapping = stored.meta.get("mapping") or guess_mapping(parsed)
    existing = emails_already_added(user, emails_in(parsed, mapping))
    team = klenty_target().team_emails
    try:
        owner = owner_of_new_prospects(user)
    except NotLinkedToKlenty:
        owner = ""  # each row then says why it cannot be sent
    return ImportOptions(
        mapping=mapping,
        list_name=stored.meta.get("list_name", ""),
        extra_tags=tuple(stored.meta.get("extra_tags", ())),
        owner_forced=user.is_rep,
        forced_owner=owner if user.is_rep else "",
        team_emails=frozenset(e.lower() for e in team) if team else None,
        existing_emails=frozenset(existing),
        exists_reason=duplicate_refusal(user),
    )


def check_upload(stored: StoredImport, user) -> tuple[ParsedCsv, list[RowOutcome]]:
    parsed = parse_csv(stored.read_bytes())
    if not parsed.ok:
        return parsed, []
    return parsed, check_rows(parsed, options_for(stored, parsed, user))


def start_import(stored: StoredImport, user):
    """Queues a Bulk Add of the ready rows and records every row's check.

    Returns the job, or None when no row was ready (nothing is queued then).
    The view runs it once per upload (`once.send_once`, keyed by the token).
    """
    _, outcomes = check_upload(stored, user)
    ready = [o.fields for o in outcomes if o.status == READY]
    job = None
    if ready:
        name = stored.meta.get("filename") or "a CSV file"
        job = create_import_job(
            user=user,
            rows=ready,
            description=f"Import of {name}: {len(ready)} of {len(outcomes)} rows",
        )
    stored.meta["rows"] = [[o.number, o.email, o.status, o.reason] for o in outcomes]
    stored.meta["job_id"] = job.pk if job else None
    stored.meta["started_at"] = datetime.now(UTC).isoformat()
    stored.save()
    return job


def import_outcomes(stored: StoredImport) -> list[tuple[int, str, str, str]]:
    """Every row of a started import with what became of it, from the job's items."""
    items: dict[str, tuple[str, str]] = {}
    if stored.meta.get("job_id"):
        items = {
            email: (state, message)
            for email, state, message in BulkJobItem.objects.filter(
                job_id=stored.meta["job_id"]
            ).values_list("email", "state", "message")
        }
    return final_outcomes(stored.meta.get("rows", []), items)
