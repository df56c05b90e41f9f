"""manage.py refresh_reports: run the report pulls now, in this process."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from reporting import pulls
from reporting.models import PullRun


class Command(BaseCommand):
    help = "Pull email engagement, step-wise engagement and calls from Klenty into the reports."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            choices=PullRun.Kind.values,
            action="append",
            help="Run only this pull (may be given more than once).",
        )

    def handle(self, *args, only=None, **options):
        failed = False
        for kind in only or PullRun.Kind.values:
            started = time.monotonic()
            run = pulls.run_pull(kind)
            seconds = time.monotonic() - started
            self.stdout.write(
                f"{run.get_kind_display()}: {run.get_status_display()}, {run.rows} rows, "
                f"{run.requests} requests, {seconds:.1f} s"
            )
            for line in [*run.errors.splitlines(), *filter(None, [run.error])]:
                self.stderr.write(f"  {line}")
            failed = failed or run.status == PullRun.Status.FAILED
        if failed:
            raise CommandError("A pull failed; see the errors above.")
