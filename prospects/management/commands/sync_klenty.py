"""`manage.py sync_klenty [--full|--incremental]`: a sync, here and now, to the end."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from prospects.models import SyncRun
from prospects.sync import run_sync


class Command(BaseCommand):
    help = "Copy Klenty's prospects into the cache (resuming an interrupted run of that kind)."

    def add_arguments(self, parser) -> None:
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument("--full", action="store_const", const="full", dest="kind")
        kind.add_argument("--incremental", action="store_const", const="incremental", dest="kind")
        parser.set_defaults(kind="incremental")

    def handle(self, *args, kind: str, **options) -> None:
        run = run_sync(kind, slice_seconds=None)
        seconds = run.duration.total_seconds()
        self.stdout.write(
            f"{run.get_kind_display()} sync {run.pk}: {run.get_status_display()} in {seconds:.1f} s\n"
            f"  lists {run.lists_done}/{run.lists_total}, seen {run.seen}, created {run.created}, "
            f"updated {run.updated}, moved {run.moved}"
        )
        if run.status == SyncRun.Status.FAILED:
            raise CommandError(f"The sync failed; the next run resumes it.\n{run.errors}")
        if run.status == SyncRun.Status.RUNNING:
            self.stdout.write("Another runner holds this sync; it is still running.")
