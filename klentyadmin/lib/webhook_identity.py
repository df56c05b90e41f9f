"""What makes two webhook deliveries the same event, for every vendor's receiver.

Vendors resend a delivery they think failed (Snov.io up to seven times), and a
resend may be spelled differently (other whitespace, other key order) or arrive at
another of our subscriptions to the same event. Each receiver names the parts that
identify one event of its vendor (type, prospect, moment, the vendor's id where one
exists); `identity_of` turns them into a digest for a unique `identity` column, and
the receiver stores with `store_once`, so a replay, even one that races the
original, stores nothing new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models, transaction


def canonical_json(value: Any) -> str:
    """One spelling of a JSON value, whatever whitespace and key order it came in."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def delivery_id(body: dict[str, Any]) -> str:
    """The vendor's own id of the delivery, if it sends one. Neither Klenty nor Snov.io
    documents one, so it is taken when present and never required."""
    value = body.get("id", body.get("_id"))
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""


def identity_of(*parts: Any) -> str:
    """A digest of the parts that identify one event: 64 hex characters."""
    return hashlib.sha256(canonical_json(parts).encode()).hexdigest()


def store_once[EventModel: models.Model](
    model: type[EventModel],
    identity: str,
    fields: dict[str, Any],
    then: Callable[[EventModel], None] | None = None,
) -> tuple[EventModel, bool]:
    """Stores an event unless one of the same identity is stored: (the event, whether
    it is new). `then` runs in the same transaction, for a new event only.

    The insert comes first (get_or_create's read first would cost every new event a
    query): the unique column refuses a replay, even one racing the original."""
    try:
        with transaction.atomic():
            event = model._default_manager.create(identity=identity, **fields)
            if then is not None:
                then(event)
    except IntegrityError:
        stored = model._default_manager.filter(identity=identity).first()
        if stored is None:  # another constraint refused it: not a replay
            raise
        return stored, False
    return event, True


def fill_identities(events: models.QuerySet, identity: Callable[[Any], str]) -> None:
    """Gives events stored before identities were kept theirs (for a migration). The
    first of each identity keeps it; the replays stored after it keep none."""
    seen, batch = set(), []
    for event in events.order_by("pk").iterator(chunk_size=1000):
        value = identity(event)
        if value not in seen:
            seen.add(value)
            event.identity = value
            batch.append(event)
    events.model._default_manager.bulk_update(batch, ["identity"], batch_size=500)
