"""The demo sign-ins that `bin/run` prints: one per role, linked to the sandbox team."""

from __future__ import annotations

from dataclasses import dataclass

from klentyadmin.accounts.models import Role, User
from klentyadmin.sandbox.team import DEMO_REP_EMAIL, MANAGER_EMAIL


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    klenty_email: str
    first_name: str
    last_name: str


DEMO_LOGINS = [
    DemoLogin("admin", "klenty-admin", Role.ADMIN, "", "Alex", "Admin"),
    DemoLogin("manager", "klenty-manager", Role.MANAGER, MANAGER_EMAIL, "Morgan", "Hale"),
    DemoLogin("rep", "klenty-rep", Role.REP, DEMO_REP_EMAIL, "Priya", "Natarajan"),
]


def ensure_demo_users() -> list[DemoLogin]:
    """Creates the demo users, or resets their role and password if they exist."""
    for login in DEMO_LOGINS:
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
    return DEMO_LOGINS
