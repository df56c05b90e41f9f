"""Role checks for views. Every view states who may use it; the server decides."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied

from klentyadmin.accounts.models import Role

MANAGERS = (Role.ADMIN, Role.MANAGER)
EVERYONE = (Role.ADMIN, Role.MANAGER, Role.REP)


def role_required(*roles: str) -> Callable:
    """Allow only signed-in users with one of `roles`; anyone else gets a 403.

    Anonymous users never reach here: LoginRequiredMiddleware sends them to the
    login page first.
    """

    allowed = set(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            role = Role.ADMIN if user.is_superuser else user.role
            if role not in allowed:
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(allowed)
        return wrapper

    return decorator


admin_required = role_required(Role.ADMIN)
manager_required = role_required(*MANAGERS)
any_role = role_required(*EVERYONE)
