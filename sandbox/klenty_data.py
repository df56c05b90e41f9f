"""The Klenty sandbox's records and the indexed state that holds them.

Plain classes and dicts, no behaviour beyond bookkeeping: the rules (what a
start-cadence does to a status) live in klenty.py, the demo data in
klenty_seed.py. The state is copied on every `/_sandbox/reset`, so `copy()`
is written for speed: records that never change after seeding (lists,
cadences, calls, webhooks) are shared, prospects are copied.
"""

from __future__ import annotations

import random
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# Prospect statuses ("prospectStatus").
NOT_CONTACTED = "Not Contacted"
IN_CADENCE = "In Cadence"
PAUSED = "Paused"
COMPLETED = "Completed"
REPLIED = "Replied"
BOUNCED = "Bounced"
UNSUBSCRIBED = "Unsubscribed"
DO_NOT_CONTACT = "Do Not Contact"
MANUALLY_STOPPED = "Manually Stopped"
PROSPECT_STATUSES = (
    NOT_CONTACTED,
    IN_CADENCE,
    PAUSED,
    COMPLETED,
    REPLIED,
    BOUNCED,
    UNSUBSCRIBED,
    DO_NOT_CONTACT,
    MANUALLY_STOPPED,
)

# Membership statuses ("cadenceStatus"); "Not In Cadence" when there is none.
NOT_IN_CADENCE = "Not In Cadence"
STOPPED = "Stopped"
ACTIVE = (IN_CADENCE, PAUSED)

OUTCOMES = ("Interested", "Not Interested", "Meeting Booked", "Bad Timing", "Won", "Lost")

# Writable profile fields, in the order the docs' samples print them.
PROFILE_FIELDS = (
    "FullName",
    "FirstName",
    "LastName",
    "MiddleName",
    "Account",
    "Department",
    "Company",
    "CompanyDomain",
    "Title",
    "Location",
    "Phone",
    "TwitterId",
    "CompanyEmail",
    "CompanyPhone",
    "City",
    "Country",
    "LinkedinURL",
)

DEFAULT_LIST_NAME = "Default List"

# Simulated activity (and the matching control endpoint): kind → webhook event.
ACTIVITY_EVENTS = {
    "sent": "sendProspect",
    "open": "open",
    "click": "click",
    "reply": "reply",
    "bounce": "onMailBounce",
    "unsubscribe": "unsubscribe",
    "completed": "completeCadence",
}


class Event(NamedTuple):
    """Something that happened to a prospect in a cadence.

    kind: sent, open, click, reply, bounce, unsubscribe, task, task_done, call,
    call_done, completed. `option` is the A/B variant of a mail step (1 or 2),
    `detail` the sentiment of a reply (positive, negative or neutral).
    """

    ts: float
    kind: str
    cadence_id: str
    step: int = 0
    option: int = 0
    detail: str = ""


@dataclass(slots=True)
class Membership:
    cadence_id: str
    status: str  # In Cadence, Paused, Completed or Stopped
    added: float
    step: int = 0  # the last step executed; 0 = none yet
    ended: float | None = None
    replied: bool = False  # so only the first reply fires cadenceFirstReply

    def copy(self) -> Membership:
        return Membership(
            self.cadence_id, self.status, self.added, self.step, self.ended, self.replied
        )


@dataclass(slots=True)
class Prospect:
    """A prospect. `fields` is replaced, never changed in place, so copies may share it."""

    id: str
    email: str
    fields: dict[str, str]
    list_id: str
    tags: list[str]
    custom: dict[str, str]
    owner: str
    status: str
    created: float
    updated: float
    outcome: str = ""
    status_before_dnc: str = ""
    memberships: dict[str, Membership] = field(default_factory=dict)  # by cadence id
    events: list[Event] = field(default_factory=list)

    def copy(self) -> Prospect:
        return Prospect(
            self.id,
            self.email,
            self.fields,
            self.list_id,
            list(self.tags),
            dict(self.custom),
            self.owner,
            self.status,
            self.created,
            self.updated,
            self.outcome,
            self.status_before_dnc,
            {cid: m.copy() for cid, m in self.memberships.items()},
            list(self.events),
        )

    def latest_membership(self) -> Membership | None:
        if not self.memberships:
            return None
        return max(self.memberships.values(), key=lambda m: m.added)

    def active_memberships(self) -> list[Membership]:
        return [m for m in self.memberships.values() if m.status in ACTIVE]

    @property
    def cadence_status(self) -> str:
        latest = self.latest_membership()
        return latest.status if latest else NOT_IN_CADENCE


@dataclass(frozen=True, slots=True)
class ListRecord:
    id: str
    name: str
    created: float


@dataclass(frozen=True, slots=True)
class MailOption:
    number: int
    template_name: str
    subject: str
    snippet: str


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    type: str  # mail, task or call
    day: int  # days after the previous step
    options: tuple[MailOption, ...] = ()


@dataclass(frozen=True, slots=True)
class Cadence:
    id: str
    name: str
    owner: str
    created: float
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    user: str
    url: str
    event: str  # as the client spelled it


class KlentyState:
    """The whole simulated Klenty account, with the indexes the endpoints need."""

    def __init__(self, seed: int, team: list[str], rng: random.Random):
        self.seed = seed
        self.team = list(team)
        self.rng = rng  # ids for everything created later through the API
        self.seeded_at = time.time()
        self.user_ids: dict[str, str] = {}
        self.lists: dict[str, ListRecord] = {}
        self.list_ids_by_name: dict[str, str] = {}  # lower-cased name → id
        self.list_members: dict[str, dict[str, None]] = {}  # list id → prospect ids, in order
        self.prospects: dict[str, Prospect] = {}
        self.ids_by_email: dict[str, str] = {}
        self.cadences: dict[str, Cadence] = {}
        self.cadence_ids_by_name: dict[str, str] = {}
        # member → [(created, call)], newest first
        self.calls: dict[str, list[tuple[float, dict[str, Any]]]] = {}
        self.webhooks: dict[str, Webhook] = {}
        # Prospect ids in creation order, with their creation times, built when first
        # asked for and dropped when a prospect is added (no endpoint changes `created`).
        self._by_created: tuple[list[float], list[str]] | None = None

    def copy(self) -> KlentyState:
        rng = random.Random()
        rng.setstate(self.rng.getstate())
        other = KlentyState(self.seed, self.team, rng)
        other.seeded_at = self.seeded_at
        other.user_ids = self.user_ids
        other.lists = dict(self.lists)
        other.list_ids_by_name = dict(self.list_ids_by_name)
        other.list_members = {lid: dict(members) for lid, members in self.list_members.items()}
        other.prospects = {pid: p.copy() for pid, p in self.prospects.items()}
        other.ids_by_email = dict(self.ids_by_email)
        other.cadences = self.cadences  # no endpoint changes cadences
        other.cadence_ids_by_name = self.cadence_ids_by_name
        other.calls = self.calls  # nor calls
        other.webhooks = dict(self.webhooks)
        other._by_created = self._by_created  # replaced, never changed in place
        return other

    def new_id(self) -> str:
        """A 24-hex id shaped like Klenty's (MongoDB ObjectIds)."""
        return f"{self.rng.getrandbits(96):024x}"

    def add_list(self, name: str, created: float, list_id: str | None = None) -> ListRecord:
        record = ListRecord(list_id or self.new_id(), name, created)
        self.lists[record.id] = record
        self.list_ids_by_name[name.lower()] = record.id
        self.list_members[record.id] = {}
        return record

    def list_named(self, name: str) -> ListRecord | None:
        list_id = self.list_ids_by_name.get(name.strip().lower())
        return self.lists[list_id] if list_id else None

    def add_prospect(self, prospect: Prospect) -> None:
        self.prospects[prospect.id] = prospect
        self.ids_by_email[prospect.email] = prospect.id
        self.list_members[prospect.list_id][prospect.id] = None
        self._by_created = None

    def created_between(self, start: float, end: float) -> list[Prospect]:
        """Prospects created in [start, end), oldest first, without a scan of them all."""
        if self._by_created is None:
            ordered = sorted(self.prospects.values(), key=lambda p: p.created)
            self._by_created = ([p.created for p in ordered], [p.id for p in ordered])
        times, ids = self._by_created
        first, last = bisect_left(times, start), bisect_left(times, end)
        return [self.prospects[pid] for pid in ids[first:last]]

    def move_to_list(self, prospect: Prospect, list_id: str) -> None:
        if prospect.list_id == list_id:
            return
        self.list_members[prospect.list_id].pop(prospect.id, None)
        self.list_members[list_id][prospect.id] = None
        prospect.list_id = list_id

    def find(self, ref: str) -> Prospect | None:
        """A prospect by email (any case) or by id."""
        pid = self.ids_by_email.get(ref.strip().lower(), ref)
        return self.prospects.get(pid)

    def add_cadence(self, cadence: Cadence) -> None:
        self.cadences[cadence.id] = cadence
        self.cadence_ids_by_name[cadence.name.lower()] = cadence.id

    def cadence_named(self, name: str) -> Cadence | None:
        cid = self.cadence_ids_by_name.get(name.strip().lower())
        return self.cadences[cid] if cid else None


def iso(ts: float, millis: bool = False) -> str:
    """`2023-10-09T20:16:01.678Z` (millis) or `2023-10-09T20:16:02.000Z`, like the calls sample."""
    ms = int(ts * 1000) % 1000 if millis else 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{ms:03d}Z"
