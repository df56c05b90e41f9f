"""Writing one prospect: Klenty first, then the cache row.

The cache only ever records what Klenty accepted. A failing call raises the
client's `ApiError` before anything local changes, so the caller can show
`str(exc)` with the user's input intact.
"""

from __future__ import annotations

import logging
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from klentyadmin.integrations import klenty
from klentyadmin.integrations.errors import ApiError, ApiNotFound, ApiValidationError
from prospects.edits import recording_changes
from prospects.models import Prospect, ProspectList

log = logging.getLogger(__name__)

# ProspectFields / klenty.Prospect attribute -> cache column, where they differ.
COLUMN_FOR = {"owner": "owner_email", "list_name": "prospect_list"}
TEXT_FIELDS = [
    f.name
    for f in dataclass_fields(klenty.ProspectFields)
    if f.name not in {"email", "list_name", "tags", "custom_fields", "owner", "outcome"}
]


class AlreadyInKlenty(ApiValidationError):
    """Klenty holds the email though the cache does not (yet)."""


def known_outcomes() -> list[str]:
    """The outcomes to offer: the configured ones (KLENTY_OUTCOMES) in their order, then
    the others already seen in the cache. Klenty has no endpoint that lists them, and
    matches them case-sensitively, so each is kept exactly as spelt."""
    seen = Prospect.objects.exclude(outcome="").values_list("outcome", flat=True).distinct()
    return list(dict.fromkeys([*settings.KLENTY_OUTCOMES, *sorted(seen)]))


def fields_from_form(cleaned: dict[str, Any], user) -> klenty.ProspectFields:
    values = {
        f.name: cleaned[f.name]
        for f in dataclass_fields(klenty.ProspectFields)
        if f.name in cleaned
    }
    result = klenty.ProspectFields(**values)
    if user.is_rep:
        result.owner = user.klenty_email
    return result


def list_named(name: str) -> ProspectList | None:
    if not name:
        return None
    found = ProspectList.objects.filter(name__iexact=name).first()
    return found or ProspectList.objects.get_or_create(name=name)[0]


def create_prospect(client: klenty.KlentyClient, values: klenty.ProspectFields) -> Prospect:
    """Create in Klenty, then cache it; read it back for its id and status when we can."""
    try:
        client.get_prospect(values.email)
    except ApiNotFound:
        pass
    else:
        # Create Prospects answers {"status": true} for an existing email and changes nothing.
        raise AlreadyInKlenty(
            "A prospect with this email already exists in Klenty.", service=klenty.SERVICE
        )
    prospect = Prospect(email=values.email)
    with recording_changes(prospect):
        send_new_prospect(client, values)
        with transaction.atomic():
            apply_fields(prospect, values)
            if not prospect.owner_email:
                prospect.owner_email = client.user_email.lower()
            prospect.created_on = timezone.localdate()
            prospect.updated_on = timezone.localdate()
            prospect.save()
    try:
        refresh_prospect(client, prospect)
    except ApiError as exc:
        # The prospect exists in Klenty; the next sync fills in what we could not read.
        log.warning("Created %s but could not read it back: %s", values.email, exc)
    return prospect


def send_new_prospect(client: klenty.KlentyClient, values: klenty.ProspectFields) -> None:
    """Create it through the documented endpoint that names what was given: Klenty
    documents "Add Tags to a Prospect" and "Add Prospect to List" as the create call
    with only an email, a first name and tags (or a list), so the audit log says which
    it was. Anything more is "Create Prospects"."""
    given = {f.name for f in dataclass_fields(values) if getattr(values, f.name)}
    if values.tags and given <= {"email", "first_name", "tags"}:
        client.add_prospect_with_tags(values.email, values.first_name, values.tags)
    elif values.list_name and given <= {"email", "first_name", "list_name"}:
        client.add_prospect_to_list(values.email, values.first_name, values.list_name)
    else:
        client.create_prospect(values)


def set_custom_field(
    client: klenty.KlentyClient, prospect: Prospect, key: str, value: str
) -> Prospect:
    """One custom field value, by "Add value to a Prospect's Custom Field". That call is
    Klenty's create call, which may ignore an email it already holds (as it does for
    tags and lists), so the value is read back and, if it did not hold, sent by Update
    instead: either way the cache records only what Klenty holds. The audit entry of the
    write says what changed, before and after."""
    with recording_changes(prospect):
        client.add_custom_field_values(prospect.email, prospect.first_name, {key: value})
        remote = client.get_prospect_with_custom_fields(prospect.email)
        if remote.custom_fields.get(key) != value:
            fields = klenty.ProspectFields(custom_fields={key: value})
            client.update_prospect(prospect.email, fields)
        prospect.custom_fields = {**prospect.custom_fields, key: value}
        prospect.updated_on = timezone.localdate()
        prospect.save(update_fields=["custom_fields", "updated_on"])
    return prospect


def update_prospect(
    client: klenty.KlentyClient, prospect: Prospect, values: klenty.ProspectFields
) -> Prospect:
    """Update in Klenty (which adds tags), remove the tags that were dropped, then cache;
    the audit entry of the update says what changed, before and after."""
    with recording_changes(prospect):
        return _update_prospect(client, prospect, values)


def _update_prospect(
    client: klenty.KlentyClient, prospect: Prospect, values: klenty.ProspectFields
) -> Prospect:
    old_tags = list(prospect.tags)
    client.update_prospect(prospect.email, values)
    kept = {t.lower() for t in values.tags}
    dropped = [t for t in old_tags if t.lower() not in kept]
    # Klenty now holds the old tags plus the new ones; cache exactly that first.
    values_with_old = replace(values, tags=old_tags + values.tags)
    apply_fields(prospect, values_with_old)
    prospect.updated_on = timezone.localdate()
    prospect.save()
    if dropped:
        client.remove_tags(prospect.email, dropped)
        prospect.tags = list(values.tags)
        prospect.save()
    return prospect


def apply_fields(prospect: Prospect, values: klenty.ProspectFields) -> None:
    """Klenty's Update semantics on the cache row: given fields replace, empty ones are
    not sent and so keep their value, tags add, custom fields merge."""
    for name in TEXT_FIELDS:
        value = getattr(values, name).strip()
        if value:
            setattr(prospect, name, value)
    if values.list_name.strip():
        prospect.prospect_list = list_named(values.list_name.strip())
    tags = list(prospect.tags)
    for tag in values.tags:
        if tag.lower() not in {t.lower() for t in tags}:
            tags.append(tag)
    prospect.tags = tags
    prospect.custom_fields = {**prospect.custom_fields, **values.custom_fields}
    if values.owner:
        prospect.owner_email = values.owner.lower()
    if values.outcome:
        prospect.outcome = values.outcome


def refresh_prospect(client: klenty.KlentyClient, prospect: Prospect) -> Prospect:
    """Re-read one prospect and its statuses from Klenty; nothing changes if either fails."""
    remote = client.get_prospect_with_custom_fields(prospect.email)
    # By Klenty's id when it is known: the id is what Klenty keys a prospect by.
    prospect_id = remote.id or prospect.klenty_id
    if prospect_id:
        status = client.get_prospect_status_by_id(prospect_id)
    else:
        status = client.get_prospect_status(prospect.email)
    now = timezone.now()
    for name in TEXT_FIELDS:
        setattr(prospect, name, getattr(remote, name))
    if (
        remote.id
        and not Prospect.objects.filter(klenty_id=remote.id).exclude(pk=prospect.pk).exists()
    ):
        prospect.klenty_id = remote.id
    prospect.prospect_list = list_named(remote.list_name)
    prospect.tags = list(remote.tags)
    prospect.custom_fields = dict(remote.custom_fields)
    if remote.owner:
        prospect.owner_email = remote.owner
    prospect.prospect_status = status.prospect_status
    prospect.cadence_status = status.cadence_status
    prospect.last_synced_at = now
    prospect.status_checked_at = now
    prospect.save()
    return prospect
