"""Every webhook event name, Klenty's and Snov.io's, as a person reads it.

The pages show `event_label(name)`, never the API's name (`completeCadence`,
`onMailBounce`, `campaign_email.opened`). A name neither vendor documents (a new
event, a different spelling) is split into words rather than shown raw.
"""

from __future__ import annotations

import re

from klentyadmin.integrations.klenty.types import WEBHOOK_EVENT_LABELS as KLENTY_LABELS
from klentyadmin.integrations.snov.types import WEBHOOK_EVENT_LABELS as SNOV_LABELS

# Keyed lower-case: Klenty answers some events lower-cased (zapier/hooks).
_LABELS = {name.lower(): label for name, label in {**KLENTY_LABELS, **SNOV_LABELS}.items()}
_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s._\-]+")


def event_label(name: str) -> str:
    """ "Cadence completed" for `completeCadence`; "On mail sync" for an unknown `onMailSync`."""
    name = (name or "").strip()
    known = _LABELS.get(name.lower())
    if known:
        return known
    words = _SEPARATORS.sub(" ", _WORD_START.sub(" ", name)).split()
    if not words:
        return "Unnamed event"
    return " ".join(words).lower().capitalize()
