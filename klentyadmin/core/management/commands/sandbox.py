"""`manage.py sandbox`: starts the sandbox, `python -m sandbox`, with the same options.

The sandbox is a separate program in the repository's top-level `sandbox/` folder,
and the product never imports it: this command replaces itself with that program,
so its one line on stdout, its signals and its exit status are the sandbox's own.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def exec_sandbox(sandbox_args: list[str]) -> None:
    """Replaces this process with the sandbox; returns only if it cannot start."""
    root = str(settings.BASE_DIR)
    if not os.path.isfile(os.path.join(root, "sandbox", "__main__.py")):
        raise CommandError(
            f"There is no sandbox in {root}: it is in the repository, not in the product wheel."
        )
    # `-m sandbox` finds the package from the project root, wherever manage.py was run from.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    sys.stdout.flush()
    sys.stderr.flush()
    # No shell: the arguments go to the sandbox as the user typed them.
    os.execve(sys.executable, [sys.executable, "-m", "sandbox", *sandbox_args], env)  # noqa: S606


class Command(BaseCommand):
    help = (
        "Run the sandbox (simulated Klenty, Snov.io and CRM APIs) until interrupted. "
        "Every option is the sandbox's own: `manage.py sandbox --help` lists them."
    )
    requires_system_checks: list[str] = []  # the sandbox needs no database or apps

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "sandbox_args",
            nargs=argparse.REMAINDER,
            help="options of `python -m sandbox`, for example --port 0 --prospects 500",
        )

    def run_from_argv(self, argv: list[str]) -> None:
        # Everything after `sandbox` goes to the sandbox, `--help` included, so its
        # help lists its real options rather than Django's.
        try:
            exec_sandbox(argv[2:])
        except CommandError as error:
            self.stderr.write(f"CommandError: {error}")
            sys.exit(1)

    def handle(self, *args: Any, sandbox_args: list[str], **options: Any) -> None:
        exec_sandbox(sandbox_args)
