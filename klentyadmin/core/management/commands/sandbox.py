"""`manage.py sandbox`: the embedded sandbox, with the options of `python -m klentyadmin.sandbox`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from klentyadmin.sandbox.cli import OPTION_NAMES, add_arguments, serve


class Command(BaseCommand):
    help = "Run the embedded sandbox (a simulated Klenty API) until interrupted."
    requires_system_checks: list[str] = []  # the sandbox needs no database or apps

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        serve(**{name: options[name] for name in OPTION_NAMES})
