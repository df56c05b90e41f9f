"""One framework for background work: runs of items, worked in slices under a lease.

Every kind of background work (a bulk job, a CRM transfer, a verification run...)
is a *run* row, usually with *item* rows, that one django-q2 task works through:

- `models.BackgroundRun` / `models.BackgroundItem`: abstract models with the
  columns every kind shares (status, times, lease, error; state, attempts,
  message). A kind's models subclass them and add their own columns.
- `runner.run(kind, run_id)`: the one task. It claims the run under a lease
  (klentyadmin/core/leases.py), lets the kind recover items a dead runner left
  in flight, works one slice until a deadline, then finishes the run or queues
  its own continuation. A cancelled run stops at the next item.
- `runner.resume_stalled()`: the one schedule. Every minute it re-queues the
  runs of every registered kind whose lease lapsed (their worker died).
- `progress.Progress`: counts by outcome, computed in one aggregate query.
- `views.poll_response`: renders a progress partial, with 286 (htmx: stop
  polling) once the run is finished; `templates/background/progress.html` is
  the one progress partial.

Adding a kind means writing only what differs::

    from klentyadmin.core import background

    @background.kind("crm_push")
    class CrmPush(background.Kind):
        model = Transfer            # subclasses BackgroundRun
        item_model = TransferItem   # subclasses BackgroundItem; FK named by `item_run_field`
        item_run_field = "transfer"
        requests_per_item = 2       # sizes the lease

        def prepare(self, run):     # once per slice: a client, say
            return CrmClient.from_settings(actor=run.created_by)

        def process_item(self, run, context, item):
            ...                     # send it, then self.mark(item, state, message)

Create the run (and its items) and call `background.start("crm_push", run.pk)`
inside the transaction: it queues the task on commit. Then import the module
from your AppConfig.ready() so the kind is registered in every process, and add
a scenario for it to tests/faults/test_background_faults.py: a test fails while
a concrete BackgroundRun subclass is not registered, or a kind has no scenario.

Defaults worth knowing: `recover` puts items left "sending" back to "pending"
(right when sending twice is harmless or `process_item` checks first: override
it otherwise); `step` claims and processes the next pending item in pk order
(override it for batches: it returns False once nothing is left); `finish` runs in
the transaction that marks the run done (follow-up work queued exactly once);
raising `RunFailed` ends the run "failed" with its message.
"""

from klentyadmin.core.background.progress import Outcome, Progress, summarise
from klentyadmin.core.background.registry import KINDS, Kind, get, kind
from klentyadmin.core.background.runner import RunFailed, queue, resume_stalled, run, start

__all__ = [
    "KINDS",
    "Kind",
    "Outcome",
    "Progress",
    "RunFailed",
    "get",
    "kind",
    "queue",
    "resume_stalled",
    "run",
    "start",
    "summarise",
]
