"""Enrichment actions: search a domain, find and verify emails, push to Klenty.

Views call these; every Snov.io call goes through `SnovClient`, every Klenty write
through the bulk engine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from enrichment.models import EnrichmentPush
from klentyadmin.integrations import snov
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.snov import SnovClient
from prospects import bulk
from prospects.models import BulkAction, BulkJob, BulkJobItem, Prospect
from prospects.owners import emails_already_added, owner_of_new_prospects

log = logging.getLogger(__name__)

# Rows travel between steps as "email|first|last|position|hash" checkbox values.
SEPARATOR = "|"


@dataclass(frozen=True)
class Row:
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    position: str = ""
    prospect_hash: str = ""
    status: str = ""
    reason: str = ""

    @property
    def value(self) -> str:
        parts = (self.email, self.first_name, self.last_name, self.position, self.prospect_hash)
        return SEPARATOR.join(p.replace(SEPARATOR, " ") for p in parts)

    @classmethod
    def parse(cls, value: str) -> Row:
        parts = (value.split(SEPARATOR) + [""] * 5)[:5]
        return cls(parts[0].strip().lower(), *(p.strip() for p in parts[1:]))

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# Send to Klenty takes only rows this server gave this user: each verified row's
# value is signed with the user's id in the salt, so a hand-made row, or one
# copied from another user's page, fails the check. Signing needs no state, so
# several result pages (tabs) can be sent; a day is long past any real use.
ROW_SALT = "enrichment.row"
ROW_MAX_AGE = timedelta(days=1)


def _row_signer(user) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{ROW_SALT}:{user.pk}")


def sealed_value(row: Row, user) -> str:
    """The row's checkbox value for `user`'s Send to Klenty form."""
    return _row_signer(user).sign(row.value)


def unsealed_row(value: str, user) -> Row | None:
    """The row a sealed value holds, or None if this server did not give it to `user`
    (or gave it more than ROW_MAX_AGE ago)."""
    try:
        return Row.parse(_row_signer(user).unsign(value, max_age=ROW_MAX_AGE))
    except signing.BadSignature:
        return None


@dataclass(frozen=True)
class DomainResults:
    company: snov.CompanyInfo
    prospects: snov.ProspectPage
    emails: snov.EmailPage
    generic: snov.EmailPage
    # When Snov.io answered, if these are stored results rather than a search just made.
    stored_at: datetime | None = None


def balance_or_none(client: SnovClient) -> float | None:
    """The credit balance to show beside results; None when Snov.io cannot say."""
    try:
        return client.balance().balance
    except ApiError:
        return None


def _results_key(domain: str, page: int) -> str:
    # Only the normalised domain and the page number: what Snov.io knows about a
    # domain is the same for every user, so nothing else belongs in the key.
    return f"enrichment.domain-search:{domain.strip().lower()}:{page}"


# The four asks of a domain search, in order, as its progress names them.
SEARCH_STEPS = ("company", "prospects", "domain emails", "generic contacts")


def search_domain(
    client: SnovClient,
    domain: str,
    page: int = 1,
    *,
    fresh: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> DomainResults:
    """The domain's results, from the store when searched within
    SNOV_RESULT_CACHE_HOURS (a search takes ~10 s and may cost a credit), unless `fresh`.
    `progress(step, requests made, credits spent)` is told before each step and once
    done (step "")."""
    hours = settings.SNOV_RESULT_CACHE_HOURS
    key = _results_key(domain, page)
    if hours and not fresh:
        stored = cache.get(key)
        if isinstance(stored, DomainResults):
            return stored
    tell = progress or (lambda step, requests, credits: None)
    # Only the first step can cost (1 credit for a domain Snov.io has not been asked
    # about before, none without results): the balance before and after it says what
    # it did cost. Asking the balance is free; only a search with progress asks it.
    before = balance_or_none(client) if progress else None
    credits = 0
    tell(SEARCH_STEPS[0], client.requests_made, credits)
    company = client.domain_search(domain)
    after = balance_or_none(client) if progress else None
    if before is not None and after is not None:
        credits = max(0, round(before - after))
    tell(SEARCH_STEPS[1], client.requests_made, credits)
    prospects = client.domain_prospects(domain, page)
    tell(SEARCH_STEPS[2], client.requests_made, credits)
    emails = client.domain_emails(domain)
    tell(SEARCH_STEPS[3], client.requests_made, credits)
    generic = client.generic_contacts(domain)
    tell("", client.requests_made, credits)
    results = DomainResults(company=company, prospects=prospects, emails=emails, generic=generic)
    if hours:
        cache.set(key, replace(results, stored_at=timezone.now()), timeout=hours * 3600)
    return results


def stored_at(domain: str, page: int = 1) -> datetime | None:
    """When the domain's stored results were fetched, or None if none are kept."""
    stored = cache.get(_results_key(domain, page)) if settings.SNOV_RESULT_CACHE_HOURS else None
    return stored.stored_at if isinstance(stored, DomainResults) else None


def find_emails(client: SnovClient, rows: list[Row]) -> list[Row]:
    """Each ticked prospect's best email (valid first); prospects without one drop out."""
    found = []
    for row in rows:
        emails = client.prospect_emails(row.prospect_hash)
        if not emails:
            continue
        best = sorted(emails, key=lambda e: e.status != "valid")[0]
        found.append(
            Row(best.email, row.first_name, row.last_name, row.position, row.prospect_hash)
        )
    return found


def verify(client: SnovClient, rows: list[Row]) -> list[Row]:
    results = {v.email: v for v in client.verify_emails([r.email for r in rows])}
    verified = []
    for row in rows:
        v = results.get(row.email)
        status = (v.status if v and v.verified else "") or "not verified yet"
        verified.append(Row(**{**row.__dict__, "status": status, "reason": v.reason if v else ""}))
    return verified


def send_to_klenty(
    *, user, rows: list[Row], list_name: str, cadence_name: str, company: str = "", domain: str = ""
) -> EnrichmentPush:
    """Bulk Add the rows not already in the cache; a Start cadence job follows.
    Raises NotLinkedToKlenty for a Rep without a Klenty email (SendForm checks first)."""
    owner = owner_of_new_prospects(user)
    known = emails_already_added(user, (r.email for r in rows))
    payload = []
    for row in rows:
        if row.email in known:
            continue
        known.add(row.email)
        item = {
            "email": row.email,
            "first_name": row.first_name,
            "last_name": row.last_name,
            "title": row.position,
            "company": company,
            "company_domain": domain,
            "list_name": list_name,
            "tags": ["snov"],
        }
        if owner:
            item["owner"] = owner
        payload.append(item)
    with transaction.atomic():
        job = bulk.create_import_job(
            user=user, rows=payload, description=f"Snov.io → Klenty list {list_name}"
        )
        push = EnrichmentPush.objects.create(
            created_by=user,
            import_job=job,
            cadence_name=cadence_name,
            skipped=len(rows) - len(payload),
        )
        if cadence_name:
            transaction.on_commit(lambda: queue_cadence(push.pk))
    return push


def queue_cadence(push_id: int) -> None:
    async_task("enrichment.services.start_cadence_after_import", push_id)


def start_cadence_after_import(push_id: int) -> str:
    """Once the import is done, start the cadence for the rows it added. Idempotent:
    a second run finds the cadence job already made."""
    push = EnrichmentPush.objects.select_related("import_job", "created_by").get(pk=push_id)
    if push.cadence_job_id:
        return "already started"
    if push.import_job.status in (BulkJob.Status.QUEUED, BulkJob.Status.RUNNING):
        from django_q.tasks import schedule

        schedule(
            "enrichment.services.start_cadence_after_import",
            push_id,
            schedule_type="O",
            next_run=_soon(),
            repeats=1,
        )
        return "waiting for the import"
    emails = push.import_job.items.filter(state=BulkJobItem.State.DONE).values_list(
        "email", flat=True
    )
    ids = Prospect.objects.filter(email__in=list(emails)).values_list("pk", flat=True)
    with transaction.atomic():
        updated = EnrichmentPush.objects.filter(pk=push.pk, cadence_job__isnull=True)
        job = bulk.create_job(
            user=push.created_by,
            action=BulkAction.START_CADENCE,
            params={"cadence_name": push.cadence_name},
            prospect_ids=list(ids),
            description=f"Start cadence {push.cadence_name} for Snov.io prospects",
        )
        if not updated.update(cadence_job=job):
            transaction.set_rollback(True)
            return "already started"
    return f"cadence job {job.pk}"


def _soon():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(seconds=5)
