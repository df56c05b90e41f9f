"""Who owns the prospects a user adds to Klenty, and how a refused duplicate is worded.

Every way of adding prospects (the form, the CSV import, the CRM import, Send to
Klenty from enrichment) asks these, so a Rep is treated the same whichever door
they use.
"""

from __future__ import annotations

from collections.abc import Iterable

from prospects.models import Prospect

NOT_LINKED = (
    "Your account is not linked to a Klenty team member, so the prospects you add "
    "would have no owner. Ask an Admin to link it."
)

# A Rep sees only their own prospects, so "already in the dashboard" would tell them
# a colleague has this person. Reps get words that also cover Klenty's own refusal
# of an email it holds (see `emails_already_added`).
DUPLICATE_FOR_MANAGERS = "A prospect with this email is already in the dashboard."
DUPLICATE_FOR_REPS = "This email cannot be added: it is already in Klenty or not allowed."
DUPLICATE_REFUSALS = (DUPLICATE_FOR_MANAGERS, DUPLICATE_FOR_REPS)


class NotLinkedToKlenty(ValueError):
    """A Rep without a Klenty email: what they add would be owned by the API user."""


def owner_of_new_prospects(user, chosen: str = "") -> str:
    """The Owner Klenty gets for what `user` adds: a Rep's own Klenty email, or the
    team member a Manager chose ("" leaves it to Klenty, the API's team member)."""
    if user.is_manager_or_admin:
        return chosen.strip().lower()
    if not user.klenty_email:
        raise NotLinkedToKlenty(NOT_LINKED)
    return user.klenty_email


def duplicate_refusal(viewer) -> str:
    """Why an email already in the cache is not added, in words for `viewer`."""
    return DUPLICATE_FOR_MANAGERS if viewer.is_manager_or_admin else DUPLICATE_FOR_REPS


CACHE_QUERY_CHUNK = 900  # below SQLite's oldest limit on query parameters


def emails_already_added(viewer, emails: Iterable[str]) -> set[str]:
    """Which of `emails` are cached prospects that `viewer` may see, to refuse before
    sending. A colleague's prospect is not among them for a Rep: Klenty refuses it
    itself, as it does any email it holds that the cache has not seen, so a preview
    never tells a Rep that somebody else has this person."""
    emails = sorted(set(emails))
    visible = Prospect.objects.visible_to(viewer)
    found: set[str] = set()
    for start in range(0, len(emails), CACHE_QUERY_CHUNK):
        chunk = emails[start : start + CACHE_QUERY_CHUNK]
        found.update(visible.filter(email__in=chunk).values_list("email", flat=True))
    return found
