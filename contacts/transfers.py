"""Moving people between the contacts CRM and Klenty: the actions behind the views.

CRM → Klenty: the chosen contacts are mapped to Klenty prospect fields and handed
to the bulk engine (`prospects.bulk.create_import_job`); contacts whose email is
already in the prospects cache, or that have no email (Klenty needs one), are
not sent and are kept here with the reason.

Klenty → CRM: the chosen cached prospects become CRM contacts with one lead
status, in the worker. Each item first asks the CRM whether a contact with that
email exists (the CRM itself accepts duplicates), so running an item twice, for
instance after a worker died mid-call, never creates a second contact.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contacts.models import Transfer, TransferItem
from klentyadmin.core import background
from klentyadmin.integrations.crm import Contact, ContactFields, CrmClient, LeadStatus
from klentyadmin.integrations.errors import ApiError, ApiValidationError
from prospects.bulk import create_import_job
from prospects.bulk import progress as bulk_progress
from prospects.models import BulkJobItem, Prospect
from prospects.owners import DUPLICATE_REFUSALS, duplicate_refusal, emails_already_added

log = logging.getLogger(__name__)

# What skipped cached emails were stored with before the words depended on the viewer.
ALREADY_IN_KLENTY = "Already in Klenty (in the dashboard's cache); not sent."
CACHED_REFUSALS = (ALREADY_IN_KLENTY, *DUPLICATE_REFUSALS)
NO_EMAIL = "No email in the CRM: Klenty needs one."
DUPLICATE = "The same email is on another chosen contact; sent once."

# What the import sends: (CRM field, Klenty field, how the value is read).
IMPORT_MAPPING = (
    ("email", "Email"),
    ("firstName", "First name"),
    ("lastName", "Last name"),
    ("fullName", "Full name"),
    ("jobTitle", "Title"),
    ("companyName", "Company"),
    ("phoneNumbers (the first)", "Phone"),
    ("linkedinUrl", "LinkedIn URL"),
)
# What the push sends: (Klenty field, CRM field).
PUSH_MAPPING = (
    ("Email", "email"),
    ("First name", "firstName"),
    ("Last name", "lastName"),
    ("Title", "jobTitle"),
    ("Company", "companyName"),
    ("Phone", "phoneNumbers"),
    ("LinkedIn URL", "linkedinUrl"),
    ("Twitter (a URL)", "twitterUrl"),
    ("— your choice —", "leadStatus"),
)


# -- CRM → Klenty ---------------------------------------------------------------


def prospect_row(contact: Contact, *, owner: str = "", list_name: str = "") -> dict:
    """A contact as ProspectFields keyword arguments, for the bulk engine."""
    return {
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "full_name": contact.full_name,
        "title": contact.job_title,
        "company": contact.company_name,
        "phone": contact.phone_numbers[0] if contact.phone_numbers else "",
        "linkedin_url": contact.linkedin_url,
        "owner": owner,
        "list_name": list_name,
    }


@dataclass(frozen=True)
class ImportPlanRow:
    contact: Contact
    send: bool
    reason: str = ""


def plan_import(contacts: Iterable[Contact], viewer) -> list[ImportPlanRow]:
    """Which contacts would be sent, and why the others would not (one query).

    Dedupe looks only at what `viewer` may see: a colleague's prospect is refused
    by Klenty itself (see prospects.owners.emails_already_added).
    """
    contacts = list(contacts)
    existing = emails_already_added(viewer, (c.email for c in contacts if c.email))
    seen: set[str] = set()
    plan = []
    for contact in contacts:
        if not contact.email:
            plan.append(ImportPlanRow(contact, False, NO_EMAIL))
        elif contact.email in existing:
            plan.append(ImportPlanRow(contact, False, duplicate_refusal(viewer)))
        elif contact.email in seen:
            plan.append(ImportPlanRow(contact, False, DUPLICATE))
        else:
            seen.add(contact.email)
            plan.append(ImportPlanRow(contact, True))
    return plan


def start_import(user, contacts: Iterable[Contact], *, owner: str, list_name: str) -> Transfer:
    plan = plan_import(contacts, user)
    rows = [prospect_row(r.contact, owner=owner, list_name=list_name) for r in plan if r.send]
    with transaction.atomic():
        transfer = Transfer.objects.create(
            direction=Transfer.Direction.TO_KLENTY,
            created_by=user,
            total=len(plan),
            description=f"Import {len(plan)} CRM contact{'s' if len(plan) != 1 else ''} "
            "into Klenty" + (f" (list: {list_name})" if list_name else ""),
        )
        TransferItem.objects.bulk_create(
            TransferItem(
                transfer=transfer,
                email=r.contact.email,
                name=r.contact.display_name,
                state=TransferItem.State.SKIPPED,
                message=r.reason,
                crm_contact_id=r.contact.id,
                finished_at=timezone.now(),
            )
            for r in plan
            if not r.send
        )
        if rows:
            transfer.bulk_job = create_import_job(
                user=user, rows=rows, description=f"From the CRM: {transfer.description}"
            )
            transfer.status = Transfer.Status.RUNNING
        else:
            transfer.status = Transfer.Status.DONE
            transfer.finished_at = timezone.now()
        transfer.save(update_fields=["bulk_job", "status", "finished_at"])
    return transfer


# -- Klenty → CRM ---------------------------------------------------------------


def contact_fields(prospect: Prospect, lead_status_id: int | None) -> ContactFields:
    twitter = prospect.twitter_id if prospect.twitter_id.startswith("http") else ""
    return ContactFields(
        email=prospect.email,
        first_name=prospect.first_name,
        last_name=prospect.last_name,
        job_title=prospect.title,
        company_name=prospect.company,
        phone_numbers=[prospect.phone] if prospect.phone else [],
        linkedin_url=prospect.linkedin_url,
        twitter_url=twitter,
        lead_status_id=lead_status_id,
    )


def start_push(user, prospect_ids: Iterable[int], lead_status: LeadStatus | None) -> Transfer:
    """Freezes the selection (re-scoped with `visible_to`) and queues it on commit."""
    rows = (
        Prospect.objects.visible_to(user)
        .filter(pk__in=list(prospect_ids))
        .values_list("pk", "email", "full_name", "first_name", "last_name")
        .order_by("pk")
    )
    status = (
        {"id": lead_status.id, "label": lead_status.label, "color": lead_status.color}
        if lead_status
        else {}
    )
    with transaction.atomic():
        transfer = Transfer.objects.create(
            direction=Transfer.Direction.TO_CRM, created_by=user, lead_status=status
        )
        items = [
            TransferItem(
                transfer=transfer,
                prospect_id=pk,
                email=email,
                name=full or " ".join(p for p in (first, last) if p),
            )
            for pk, email, full, first, last in rows.iterator()
        ]
        TransferItem.objects.bulk_create(items, batch_size=1000)
        label = f" as “{status['label']}”" if status else ""
        transfer.total = len(items)
        transfer.description = (
            f"Push {len(items)} Klenty prospect{'s' if len(items) != 1 else ''} to the CRM{label}"
        )
        transfer.save(update_fields=["total", "description"])
        background.start("crm_push", transfer.pk)
    return transfer


@background.kind("crm_push")
class CrmPush(background.Kind):
    """Klenty → CRM. Items a dead runner left "sending" simply go back in the queue
    (the default `recover`): each searches the CRM before creating, so sending one
    again cannot make a duplicate."""

    label = "CRM push"
    page = "contacts:transfer"
    model = Transfer
    item_model = TransferItem
    item_run_field = "transfer"
    requests_per_item = 2  # a search and a create

    def runs(self):
        return Transfer.objects.filter(direction=Transfer.Direction.TO_CRM)

    def get(self, run_id: int) -> Transfer:
        return Transfer.objects.select_related("created_by").get(pk=run_id)

    def prepare(self, run: Transfer) -> CrmClient:
        return CrmClient.from_settings(actor=run.created_by)

    def process_item(self, run: Transfer, context: CrmClient, item: TransferItem) -> None:
        State = TransferItem.State
        prospect = item.prospect
        if prospect is None:
            return self.mark(item, State.FAILED, "The prospect is no longer in the cache.")
        if not Prospect.objects.visible_to(run.created_by).filter(pk=prospect.pk).exists():
            return self.mark(item, State.FAILED, "Not your prospect any more.")
        try:
            existing = context.find_contact_by_email(prospect.email)
            if existing is not None:
                return self.mark(
                    item,
                    State.EXISTS,
                    "A contact with this email is already in the CRM; not changed.",
                    crm_contact_id=existing.id,
                )
            created = context.create_contact(contact_fields(prospect, run.lead_status.get("id")))
        except ApiValidationError as exc:
            return self.mark(item, State.INVALID, str(exc))
        except ApiError as exc:
            return self.mark(item, State.FAILED, str(exc))
        self.mark(item, State.CREATED, "", crm_contact_id=created.id)

    def outcomes_for(self, run: Transfer) -> tuple[background.Outcome, ...]:
        S = TransferItem.State
        return (
            background.Outcome("ok", "Created" if run.is_push else "Added", Q(state=S.CREATED)),
            background.Outcome(
                "existing", "Already there", Q(state=S.EXISTS) | Q(message__in=CACHED_REFUSALS)
            ),
            background.Outcome(
                "problems",
                "Not done",
                Q(state__in=[S.INVALID, S.FAILED])
                | (Q(state=S.SKIPPED) & ~Q(message__in=CACHED_REFUSALS)),
                problem=True,
            ),
        )


def retry_failed(transfer: Transfer) -> int:
    """Failed pushes (the CRM or the network let us down) go back in the queue.
    Invalid ones would fail the same way, so they stay."""
    if not transfer.is_push:
        return 0
    with transaction.atomic():
        count = transfer.items.filter(state=TransferItem.State.FAILED).update(
            state=TransferItem.State.PENDING, message="", finished_at=None
        )
        if count:
            Transfer.objects.filter(pk=transfer.pk).update(
                status=Transfer.Status.QUEUED, finished_at=None, error=""
            )
            background.start("crm_push", transfer.pk)
    return count


# -- progress -------------------------------------------------------------------


def progress(transfer: Transfer) -> background.Progress:
    """Counts by outcome: one aggregate query (two for an import, whose sent rows
    are the bulk engine's items)."""
    summary = background.get("crm_push").progress(transfer)
    if not transfer.bulk_job_id:
        return summary
    job = transfer.bulk_job
    # Klenty's "already exists" is the bulk engine's skipped, counted with cancelled.
    summary = summary.plus(
        bulk_progress(job),
        {"done": "ok", "cancelled": "existing", "failed": "problems"},
        finished=job.finished,
    )
    if job.finished and transfer.status != Transfer.Status.DONE:
        Transfer.objects.filter(pk=transfer.pk).update(
            status=Transfer.Status.DONE, finished_at=job.finished_at or timezone.now()
        )
    return summary


def result_rows(transfer: Transfer, limit: int = 500) -> list[dict]:
    """Per-item outcomes for the page: ours, then (imports) the bulk engine's."""
    rows = [
        {
            "email": i.email,
            "name": i.name,
            "state": i.state,
            "label": i.get_state_display(),
            "message": i.message,
        }
        for i in transfer.items.exclude(state__in=[TransferItem.State.PENDING])[:limit]
    ]
    if transfer.bulk_job_id:
        labels = {
            BulkJobItem.State.DONE: ("created", "Added to Klenty"),
            BulkJobItem.State.SKIPPED: ("exists", "Already in Klenty"),
            BulkJobItem.State.FAILED: ("failed", "Failed"),
            BulkJobItem.State.CANCELLED: ("failed", "Cancelled"),
        }
        for email, state, message in (
            transfer.bulk_job.items.exclude(
                state__in=[BulkJobItem.State.PENDING, BulkJobItem.State.SENDING]
            )
            .order_by("pk")
            .values_list("email", "state", "message")[:limit]
        ):
            key, label = labels.get(state, ("failed", state))
            # Klenty's "added" / "already exists" only repeat the outcome.
            shown = message if state == BulkJobItem.State.FAILED else ""
            rows.append(
                {"email": email, "name": "", "state": key, "label": label, "message": shown}
            )
    return rows
