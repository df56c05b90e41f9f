"""The demo sign-ins that `bin/run` prints: one per role, linked to the sandbox team.

Their Klenty emails come from settings (DEMO_MANAGER_KLENTY_EMAIL, DEMO_REP_KLENTY_EMAIL).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from klentyadmin.accounts.models import Role, User


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    klenty_email: str
    first_name: str
    last_name: str


def demo_logins() -> list[DemoLogin]:
    manager, rep = settings.DEMO_MANAGER_KLENTY_EMAIL, settings.DEMO_REP_KLENTY_EMAIL
    return [
        DemoLogin("admin", "klenty-admin", Role.ADMIN, "", "Alex", "Admin"),
        DemoLogin("manager", "klenty-manager", Role.MANAGER, manager, "Morgan", "Hale"),
        DemoLogin("rep", "klenty-rep", Role.REP, rep, "Priya", "Natarajan"),
    ]


def ensure_demo_users() -> list[DemoLogin]:
    """Creates the demo users, or resets their role and password if they exist."""
    logins = demo_logins()
    for login in logins:
        user, _ = User.objects.get_or_create(username=login.username)
        user.role = login.role
        user.klenty_email = login.klenty_email
        user.first_name = login.first_name
        user.last_name = login.last_name
        user.email = f"{login.username}@northwind.example"
        user.is_staff = login.role == Role.ADMIN
        user.is_superuser = login.role == Role.ADMIN
        user.set_password(login.password)
        user.save()
    return logins
