"""Who must use two-factor sign-in (MFA_REQUIRED_ROLES), and who has enrolled."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings

from klentyadmin.accounts.models import Role


def has_enrolled(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def must_enroll(user) -> bool:
    """A signed-in user whose role requires a second factor and who has none yet."""
    role = Role.ADMIN if user.is_superuser else user.role
    return role in settings.MFA_REQUIRED_ROLES and not has_enrolled(user)
