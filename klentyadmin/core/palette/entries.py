"""What one palette line is, and the checks every provider shares."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from django.urls import Resolver404, resolve, reverse

from klentyadmin.accounts.models import Role


@dataclass(frozen=True)
class Entry:
    """One line of the palette. `method` "post" is an action sent as a form (sign out)."""

    kind: str  # "Page", "Prospect", "Action": shown before the label
    label: str
    url: str
    hint: str = ""
    method: str = "get"

    def as_json(self) -> dict:
        return asdict(self)


def role_of(user) -> str:
    return Role.ADMIN if user.is_superuser else user.role


def may_open(user, url: str) -> bool:
    """Whether the view behind `url` lets this user's role in: the role declaration
    the view carries (klentyadmin.accounts.roles), the same one the server enforces.
    A view without one is open to every signed-in user (password change, sign out)."""
    try:
        view = resolve(url.split("?", 1)[0]).func
    except Resolver404:
        return False
    allowed = getattr(view, "allowed_roles", None)
    return allowed is None or role_of(user) in allowed


def url_if_allowed(user, url_name: str) -> str | None:
    url = reverse(url_name)
    return url if may_open(user, url) else None


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def matches(typed: list[str], *texts: str) -> bool:
    """Every typed word starts a word of the texts ("imp csv" finds "Import CSV")."""
    have = words(" ".join(texts))
    return all(any(word.startswith(t) for word in have) for t in typed)
