"""Who an OpenID Connect sign-in may be, and with which role.

The identity provider vouches for the email and the groups; this module decides what
they mean here: an allowed email domain, and a role from OIDC_ROLE_MAP.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from klentyadmin.accounts.models import Role

# When someone is in several mapped groups, the most powerful role wins.
_ROLE_RANK = {Role.REP: 0, Role.MANAGER: 1, Role.ADMIN: 2}


class SignInRefused(Exception):
    """A sign-in the identity provider accepted but this console does not."""


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def domain_is_allowed(email: str) -> bool:
    return bool(email) and email_domain(email) in settings.OIDC_ALLOWED_DOMAINS


def groups_from_claims(claims: Iterable[dict]) -> set[str]:
    """The group claim, from the ID token and the userinfo answer alike: providers
    put it in one, the other or both, as a list or a single string."""
    groups: set[str] = set()
    for source in claims:
        value = source.get(settings.OIDC_GROUPS_CLAIM) or []
        groups.update([value] if isinstance(value, str) else (str(item) for item in value))
    return groups


def role_for_groups(groups: set[str]) -> str:
    roles = [
        Role(settings.OIDC_ROLE_MAP[group]) for group in groups if group in settings.OIDC_ROLE_MAP
    ]
    if not roles:
        raise SignInRefused(
            f"Your {settings.OIDC_NAME} account is not in a group that has a role in "
            "klentyadmin. Ask an Admin to add you to one."
        )
    return max(roles, key=_ROLE_RANK.__getitem__)


def refuse_unless_domain_allowed(email: str) -> None:
    if not email:
        raise SignInRefused(f"{settings.OIDC_NAME} did not tell us your email address.")
    if not domain_is_allowed(email):
        raise SignInRefused(
            f"Accounts for {email_domain(email)} addresses cannot sign in to klentyadmin."
        )
