"""What the console knows of the CRM's lead statuses, for the outcome funnel.

The console does not cache a prospect's current lead status in the CRM: it reads the
CRM only to push contacts and to import them. What it keeps is the lead status each
push gave its new contacts (contacts.Transfer.lead_status), so the funnel shows how many
prospects were pushed with each status in the range, and says that this is not the
CRM's stage today. One GROUP BY; a Rep counts only the prospects they own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from contacts.models import Transfer, TransferItem
from reporting.forms import ReportFilters

NO_STATUS = "No lead status"


@dataclass(frozen=True)
class StageCount:
    status: str
    contacts: int


def pushed_by_status(user, filters: ReportFilters) -> list[StageCount]:
    items = TransferItem.objects.filter(
        transfer__direction=Transfer.Direction.TO_CRM,
        state__in=TransferItem.FINAL_OK,
        transfer__created_at__date__gte=filters.start,
        transfer__created_at__date__lte=filters.end,
    )
    if not user.is_manager_or_admin:
        if not user.klenty_email:
            return []
        items = items.filter(prospect__owner_email=user.klenty_email.lower())
    if filters.cadences:
        items = items.filter(prospect__cadence_name__in=filters.cadences)
    rows = (
        items.values("transfer__lead_status__label")
        .annotate(n=Count("pk"))
        .order_by("-n", "transfer__lead_status__label")
    )
    return [StageCount(r["transfer__lead_status__label"] or NO_STATUS, r["n"]) for r in rows]
