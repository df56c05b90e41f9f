from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from klentyadmin.accounts.demo import ensure_demo_users


class Command(BaseCommand):
    help = "Create the demo users (admin, manager, rep) and print their sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow it in production settings.")

    def handle(self, *args, force: bool = False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError("Demo users are for local use; pass --force to create them anyway.")
        for login in ensure_demo_users():
            self.stdout.write(f"  {login.role:<8} {login.username} / {login.password}")
        if settings.MFA_REQUIRED_ROLES:
            roles = " and ".join(f"{role.capitalize()}s" for role in settings.MFA_REQUIRED_ROLES)
            self.stdout.write(
                f"  {roles} set up two-factor sign-in (an authenticator app) at first sign-in."
            )
