"""Verifying many emails with Snov.io in the background, and acting on the invalid ones.

A `VerificationRun` has one item per email, worked by the background framework
(klentyadmin.core.background) ten at a time, as Snov.io takes them. Asking Snov.io
about an email is free; pushing it for verification costs a credit, so an item is
marked "pushed" before the push: a runner that takes over from a dead one only
asks about pushed items and waits for them, and never pays for an email twice.

When every item is finished, the invalid prospects are tagged (and, if asked, marked
Do-Not-Contact) through the bulk engine, in the same transaction that ends the run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from enrichment.models import VerificationItem, VerificationRun
from klentyadmin.core import background, leases
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.snov import VERIFY_BATCH, SnovClient, Verification
from prospects import bulk
from prospects.models import BulkAction, Prospect

State = VerificationItem.State
NOT_VERIFIED_YET = "not verified yet"


def create_verification_run(
    *,
    user,
    prospect_ids: list[int] | None = None,
    emails: list[str] | None = None,
    tag: str = "",
    mark_dnc: bool = False,
) -> VerificationRun:
    """A run over the user's own prospects among `prospect_ids`, or else over pasted
    `emails`; queued once committed."""
    prospects = list(
        Prospect.objects.visible_to(user)
        .filter(pk__in=prospect_ids or [])
        .values_list("pk", "email")
    )
    ids = [pk for pk, _ in prospects]
    if prospects:
        targets = {email.strip().lower(): pk for pk, email in prospects}
    else:
        targets = dict.fromkeys(e.strip().lower() for e in emails or [] if e.strip())
    with transaction.atomic():
        run = VerificationRun.objects.create(
            created_by=user,
            prospect_ids=ids,
            emails=[] if ids else list(emails or []),
            tag=tag,
            mark_dnc=mark_dnc and user.is_manager_or_admin,
            total=len(targets),
        )
        VerificationItem.objects.bulk_create(
            [VerificationItem(run=run, email=e, prospect_id=pk) for e, pk in targets.items()],
            batch_size=1000,
        )
        background.start("snov_verification", run.pk)
    return run


@background.kind("snov_verification")
class SnovVerification(background.Kind):
    label = "Snov.io verification run"
    model = VerificationRun
    item_model = VerificationItem
    outcomes = (
        background.Outcome("valid", "Valid", Q(state=State.VERIFIED, status="valid")),
        background.Outcome(
            "invalid", "Invalid", Q(state=State.VERIFIED, status="not_valid"), problem=True
        ),
        background.Outcome(
            "unknown",
            "Unknown or not verified yet",
            Q(state=State.UNVERIFIED)
            | (Q(state=State.VERIFIED) & ~Q(status__in=["valid", "not_valid"])),
        ),
    )

    def lease_seconds(self) -> int:
        # One batch: a question, a push and further questions until Snov.io's bounded wait ends.
        return leases.lease_seconds(requests_per_item=3) + int(settings.SNOV_POLL_SECONDS)

    def get(self, run_id: int) -> VerificationRun:
        return VerificationRun.objects.select_related("created_by").get(pk=run_id)

    def prepare(self, run: VerificationRun) -> SnovClient:
        return SnovClient.from_settings(actor=run.created_by)

    def step(self, run: VerificationRun, context: SnovClient) -> bool:
        # Items pushed by a runner that died: only asked about, never pushed again.
        pushed = list(self.items(run).filter(state=State.PUSHED)[:VERIFY_BATCH])
        if pushed:
            self.verify(context, pushed, push=False)
            return True
        batch = list(self.items(run).filter(state=State.PENDING)[:VERIFY_BATCH])
        if not batch:
            return False
        claimed = [item for item in batch if self.claim_item(item)]
        if claimed:
            self.verify(context, claimed, push=True)
        return True

    def verify(self, client: SnovClient, items: list[VerificationItem], *, push: bool) -> None:
        by_email = {item.email: item for item in items}

        def before_push(emails: list[str]) -> None:
            VerificationItem.objects.filter(
                pk__in=[by_email[e].pk for e in emails if e in by_email]
            ).update(state=State.PUSHED)

        try:
            results = client.verify_emails(list(by_email), push=push, before_push=before_push)
        except ApiError as exc:
            raise background.RunFailed(str(exc)) from exc
        for result in results:
            if result.email in by_email:
                self.record(by_email.pop(result.email), result)
        for item in by_email.values():  # Snov.io said nothing about it (not an email)
            self.mark(item, State.UNVERIFIED, NOT_VERIFIED_YET)

    def record(self, item: VerificationItem, result: Verification) -> None:
        if result.verified:
            self.mark(item, State.VERIFIED, status=result.status, reason=result.reason[:100])
        else:
            self.mark(item, State.UNVERIFIED, NOT_VERIFIED_YET)

    def finish(self, run: VerificationRun) -> None:
        """Counts the outcome and queues the jobs for the invalid prospects; in the
        transaction that ends the run, so they are queued once."""
        summary = self.progress(run)
        invalid_ids = list(
            self.items(run)
            .filter(state=State.VERIFIED, status="not_valid", prospect__isnull=False)
            .values_list("prospect_id", flat=True)
        )
        run.valid, run.invalid, run.unknown = summary.valid, summary.invalid, summary.unknown
        if invalid_ids and run.tag:
            run.tag_job = bulk.create_job(
                user=run.created_by,
                action=BulkAction.ADD_TAGS,
                params={"tags": [run.tag]},
                prospect_ids=invalid_ids,
                description=f"Tag {len(invalid_ids)} invalid emails ({run.tag})",
            )
            if run.mark_dnc:
                run.dnc_job = bulk.create_job(
                    user=run.created_by,
                    action=BulkAction.MARK_DNC,
                    params={},
                    prospect_ids=invalid_ids,
                    description=f"Do-Not-Contact for {len(invalid_ids)} invalid emails",
                )
        run.save(update_fields=["valid", "invalid", "unknown", "tag_job", "dnc_job"])
