"""Merging a likely pair: the chosen values to Klenty on the kept prospect, and the
other one marked, through the bulk engine (prospects/bulk.py, action "merge").

What Klenty's API allows decides what "merge" can honestly mean:

- The kept prospect gets the chosen values through "Update Prospect"
  (klenty-post-endpoints.txt). Update sends only fields with a value, so a merge can
  fill or change a field but never empty one.
- Klenty has no endpoint that deletes or merges prospects. The other prospect, when it
  is in Klenty, is tagged ``merged-duplicate`` (Update adds tags) and taken out of every
  cadence ("Stop Cadence" without a cadence name), so it is sent nothing more. It stays
  in Klenty, where someone can delete it by hand.
- The contacts CRM's API documents only reading and creating contacts
  (connect-crm-api.txt): a CRM contact, the other side of a pair or linked to the kept
  prospect by its email, cannot be changed from here, and is left as it is.

Every write goes through the Klenty client, so each is in the audit log under the
user who started the merge.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from dedupe.models import DedupeKey, DuplicatePair, ResolvedPair, Source
from dedupe.rules import reasons
from klentyadmin.integrations.errors import ApiValidationError
from klentyadmin.integrations.klenty import KlentyClient, ProspectFields
from prospects import bulk
from prospects.models import EXTRA_ACTION_LABELS, BulkJob, Prospect

MERGE = "merge"
MERGED_TAG = "merged-duplicate"
EXTRA_ACTION_LABELS[MERGE] = "Merge duplicates"

# The fields a merge may choose, in the order the merge page shows them.
MERGE_FIELDS = (
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("full_name", "Full name"),
    ("company", "Company"),
    ("company_domain", "Company domain"),
    ("title", "Title"),
    ("department", "Department"),
    ("phone", "Phone"),
    ("company_phone", "Company phone"),
    ("linkedin_url", "LinkedIn URL"),
    ("location", "Location"),
    ("city", "City"),
    ("country", "Country"),
)
FIELD_NAMES = tuple(name for name, _ in MERGE_FIELDS)


class MergeRefused(ApiValidationError):
    """The pair changed since the merge was queued (an owner, a prospect gone)."""


def value_of(key: DedupeKey, field: str) -> str:
    if key.source == Source.KLENTY:
        return getattr(key.prospect, field, "") or "" if key.prospect else ""
    return (key.details or {}).get(field, "") or ""


@dataclass(frozen=True)
class Side:
    key: DedupeKey

    @property
    def is_klenty(self) -> bool:
        return self.key.source == Source.KLENTY and self.key.prospect is not None

    @property
    def label(self) -> str:
        return {Source.KLENTY: "Klenty prospect", Source.CRM: "CRM contact"}.get(
            self.key.source, "Snov.io list prospect"
        )


def pair_reasons(pair: DuplicatePair) -> list[str]:
    return reasons(pair.left.email, pair.right.email, pair.same_email, pair.same_name)


def differences(pair: DuplicatePair) -> list[dict]:
    """One row per field either side has: the two values and whether they differ."""
    rows = []
    for name, label in MERGE_FIELDS:
        left, right = value_of(pair.left, name), value_of(pair.right, name)
        if left or right:
            rows.append(
                {"name": name, "label": label, "left": left, "right": right, "same": left == right}
            )
    return rows


def keepable(pair: DuplicatePair) -> list[str]:
    """Which sides can be kept: only a Klenty prospect can take the values."""
    return [side for side in ("left", "right") if Side(getattr(pair, side)).is_klenty]


def default_choices(pair: DuplicatePair) -> tuple[str, dict[str, str]]:
    """For a bulk merge: keep the older Klenty prospect, fill only its empty fields."""
    kept = keepable(pair)[0]
    return kept, {row["name"]: kept if row[kept] else other_side(kept) for row in differences(pair)}


def other_side(side: str) -> str:
    return "right" if side == "left" else "left"


def plan_for(pair: DuplicatePair, kept_side: str, choices: dict[str, str]) -> dict:
    """What the job item sends: the chosen values that change the kept prospect."""
    kept, other = getattr(pair, kept_side), getattr(pair, other_side(kept_side))
    fields = {}
    for name in FIELD_NAMES:
        side = choices.get(name, kept_side)
        value = value_of(getattr(pair, side), name).strip()
        if value and value != value_of(kept, name):
            fields[name] = value
    return {
        "pair": pair.pk,
        "left": [pair.left.source, pair.left.record_id],
        "right": [pair.right.source, pair.right.record_id],
        "other_source": other.source,
        "other_email": other.email,
        "other_prospect": other.prospect_id,
        "fields": fields,
    }


def start_merge(*, user, plans: dict[int, dict], description: str) -> BulkJob:
    """One job over the kept prospects ({kept prospect pk: plan}); each is merged once."""
    emails = dict(Prospect.objects.filter(pk__in=list(plans)).values_list("pk", "email"))
    params = {
        "pairs": {emails[pk]: plan for pk, plan in plans.items() if pk in emails},
        # A Rep's merge stays within the Rep's prospects until it runs (see _send).
        "only_owner": "" if user.is_manager_or_admin else user.klenty_email,
    }
    return bulk.create_job(
        user=user, action=MERGE, params=params, prospect_ids=list(plans), description=description
    )


# -- the bulk engine's action ---------------------------------------------------


def _send(client: KlentyClient, email: str, params: dict) -> None:
    plan = params["pairs"][email]
    if plan["other_source"] == Source.KLENTY:
        other = Prospect.objects.filter(pk=plan["other_prospect"]).first()
        if other is None:
            raise MergeRefused("The other prospect is no longer in the dashboard's cache.")
        if params.get("only_owner") and other.owner_email != params["only_owner"]:
            raise MergeRefused("Not your prospect: a Rep may merge only prospects they own.")
    if plan["fields"]:
        client.update_prospect(email, ProspectFields(**plan["fields"]))
    if plan["other_source"] == Source.KLENTY:
        client.update_prospect(plan["other_email"], ProspectFields(tags=[MERGED_TAG]))
        client.stop_cadence(plan["other_email"])


def _apply_locally(prospect: Prospect, params: dict) -> None:
    plan = params["pairs"][prospect.email]
    for name, value in plan["fields"].items():
        setattr(prospect, name, value)
    with transaction.atomic():
        if plan["other_source"] == Source.KLENTY:
            other = Prospect.objects.filter(pk=plan["other_prospect"]).first()
            if other is not None:
                if MERGED_TAG not in other.tags:
                    other.tags = [*other.tags, MERGED_TAG]
                if other.cadence_status == bulk.IN_CADENCE:
                    other.prospect_status, other.cadence_status = "Manually Stopped", "Stopped"
                other.save()
        (ls, lr), (rs, rr) = plan["left"], plan["right"]
        ResolvedPair.objects.get_or_create(
            left_source=ls, left_record=lr, right_source=rs, right_record=rr
        )
        DuplicatePair.objects.filter(
            left__source=ls, left__record_id=lr, right__source=rs, right__record_id=rr
        ).delete()


bulk.ACTIONS[MERGE] = bulk.ActionSpec(
    send=_send,
    # Sending again is harmless: the same values, a tag Klenty already has, and a stop
    # of cadences already stopped.
    took_effect=None,
    apply_locally=_apply_locally,
)
