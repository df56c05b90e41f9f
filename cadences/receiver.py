"""Klenty's webhook deliveries: validate, store, and apply what they say for certain.

Klenty neither signs deliveries nor gives them an id, so a delivery is trusted
only because it came to an unguessable per-subscription URL, and only for the event
that subscription is for: a click hook's token cannot unsubscribe anyone. A
delivery is the same event as one already stored when its identity (type,
prospect, moment) is the same, however its JSON is spelled and whichever of our
subscriptions to that event it came to; a replay is answered but stores nothing.
Everything that is not a well-formed delivery is refused with a reason and never
stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q, QuerySet

from cadences.models import Event, WebhookSubscription
from klentyadmin.integrations.klenty import WEBHOOK_EVENTS, parse_tags, parse_timestamp
from klentyadmin.lib.webhook_body import UNSTORABLE, Refused, decode_json_object
from klentyadmin.lib.webhook_identity import (
    canonical_json,
    delivery_id,
    identity_of,
    store_once,
)
from prospects.models import Prospect

EVENTS_BY_LOWER = {e.lower(): e for e in WEBHOOK_EVENTS}
# camelCase key → (our field, longest value we keep).
TEXT_FIELDS = {
    "fullName": ("full_name", 300),
    "cadenceName": ("cadence_name", 255),
    "cadenceOwner": ("cadence_owner", 254),
    "prospectOwner": ("prospect_owner", 254),
    "list": ("list_name", 255),
}
# Other keys Klenty sends that we read nothing from, type-checked all the same.
OTHER_TEXT_FIELDS = ("firstName", "lastName", "company")
MAX_TEXT = 2000
MAX_TAGS = 200


@dataclass(frozen=True)
class Delivery:
    event_type: str
    email: str
    fields: dict[str, str]
    tags: list[str]
    occurred_at: datetime | None


# -- checking and parsing ----------------------------------------------------------


def _text(body: dict[str, Any], key: str, limit: int = MAX_TEXT) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refused(f"{key} must be a string.")
    if UNSTORABLE.search(value):
        raise Refused(f"{key} holds characters that cannot be stored.")
    value = value.strip()
    if len(value) > limit:
        raise Refused(f"{key} is longer than {limit} characters.")
    return value


def _email(body: dict[str, Any], key: str, *, required: bool) -> str:
    value = _text(body, key, 254).lower()
    if not value:
        if required:
            raise Refused(f"{key} is required.")
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise Refused(f"{key} is not a valid email address.") from None
    return value


def _tags(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        if not all(isinstance(tag, str) for tag in value):
            raise Refused("tags must be text or a list of text.")
        value = ",".join(value)
    if not isinstance(value, str) or UNSTORABLE.search(value) or len(value) > MAX_TEXT:
        raise Refused("tags must be text or a list of text.")
    return parse_tags(value)[:MAX_TAGS]


def parse_delivery(body: dict[str, Any], subscribed_event: str) -> Delivery:
    """Reads a delivery; the subscription's event stands in when the body names none,
    and one that names another is refused (409)."""
    # Klenty answers Add a Webhook with the event in lowercase, and sends deliveries
    # with it in camelCase ("onMailBounce"): both are read as the canonical name.
    subscribed = EVENTS_BY_LOWER.get(subscribed_event.lower(), subscribed_event)
    named = _text(body, "event", 64)
    if named:
        event_type = EVENTS_BY_LOWER.get(named.lower())
        if event_type is None:
            raise Refused(f"{named[:64]} is not a Klenty webhook event.")
        if event_type != subscribed:
            raise Refused(
                f"This address receives {subscribed} events, not {event_type}.", status=409
            )
    else:
        event_type = subscribed
    email = _email(body, "email", required=True)
    fields = {}
    for key, (name, limit) in TEXT_FIELDS.items():
        fields[name] = _text(body, key, limit)
    for key in ("cadenceOwner", "prospectOwner"):
        _email(body, key, required=False)
    fields["cadence_owner"] = fields["cadence_owner"].lower()
    fields["prospect_owner"] = fields["prospect_owner"].lower()
    for key in OTHER_TEXT_FIELDS:
        _text(body, key)
    occurred_at = None
    if body.get("timestamp") is not None:
        occurred_at = parse_timestamp(_text(body, "timestamp", 64))
        if occurred_at is None:
            raise Refused("timestamp is not an ISO 8601 time.")
    return Delivery(event_type, email, fields, _tags(body.get("tags")), occurred_at)


# -- storing and applying ------------------------------------------------------------


def delivery_identity(
    event_type: str, email: str, occurred_at: datetime | None, body: dict[str, Any]
) -> str:
    """What makes a delivery one event: its type, prospect and moment (and an id, were
    Klenty to send one). Without a timestamp the whole body, canonically spelled,
    stands in for the moment, so only a true replay is taken for one."""
    moment = occurred_at.astimezone(UTC).isoformat() if occurred_at else canonical_json(body)
    return identity_of(event_type, email.lower(), moment, delivery_id(body))


def receive(subscription: WebhookSubscription, raw: bytes) -> tuple[Event, bool]:
    """Stores one delivery and applies it; (the stored event, False) for a replay.
    Raises Refused."""
    text, body = decode_json_object(raw)
    delivery = parse_delivery(body, subscription.event)
    identity = delivery_identity(delivery.event_type, delivery.email, delivery.occurred_at, body)
    prospect_id = Prospect.objects.filter(email=delivery.email).values_list("pk", flat=True).first()
    changes = prospect_changes(delivery) if prospect_id else {}
    if changes and overtaken(delivery, prospect_id):
        changes = {}

    def apply(event: Event) -> None:
        Prospect.objects.filter(pk=prospect_id).update(**changes)

    fields = {
        "subscription": subscription,
        "raw_body": text,
        "event_type": delivery.event_type,
        "email": delivery.email,
        "tags": delivery.tags,
        "occurred_at": delivery.occurred_at,
        "prospect_id": prospect_id,
        "applied": describe(changes),
        **delivery.fields,
    }
    return store_once(Event, identity, fields, then=apply if changes else None)


# Events that state a prospect's status for certain: (prospect status, cadence status).
STATUS_EFFECTS = {
    "unsubscribe": ("Unsubscribed", "Stopped"),
    "onMailBounce": ("Bounced", "Stopped"),
    "reply": ("Replied", "Stopped"),
    "startCadence": ("In Cadence", "In Cadence"),
    "completeCadence": ("Completed", "Completed"),
}


def prospect_changes(delivery: Delivery) -> dict[str, str]:
    """What the event says for certain about the cached prospect (nothing for opens,
    clicks and the like)."""
    effect = STATUS_EFFECTS.get(delivery.event_type)
    if effect is None:
        return {}
    changes = {"prospect_status": effect[0], "cadence_status": effect[1]}
    cadence = delivery.fields["cadence_name"]
    if cadence and delivery.event_type in {"startCadence", "completeCadence", "reply"}:
        changes["cadence_name"] = cadence
    return changes


def overtaken(delivery: Delivery, prospect_id: int) -> bool:
    """Deliveries can arrive out of order: a status event older than one already
    applied to the prospect must not undo it."""
    if delivery.occurred_at is None:
        return False
    newer = Event.objects.filter(
        prospect_id=prospect_id,
        event_type__in=list(STATUS_EFFECTS),
        occurred_at__gt=delivery.occurred_at,
    )
    return newer.exists()


def describe(changes: dict[str, str]) -> str:
    if not changes:
        return ""
    return f"status {changes['prospect_status']}, cadence {changes['cadence_status']}"


# -- reading -------------------------------------------------------------------------


def events_for_prospect(prospect: Prospect, limit: int = 50) -> QuerySet[Event]:
    """The prospect's webhook events, newest first (matched by id, or by email before
    the prospect reached the cache)."""
    events = Event.objects.filter(Q(prospect=prospect) | Q(email=prospect.email))
    return events.order_by("-received_at", "-id")[:limit]
