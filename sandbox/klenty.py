"""The Klenty sandbox: the 31 documented endpoints (12 GET, 19 POST) over a KlentyState.

Answers follow the docs' samples, quirks included (GET by Email answers an
object but with customFields=true an array; `Tags` is " , "-joined text
except when paging a list, where it is an array and `List` is the list's id).
Where the docs are silent the choices are written down in docs/sandbox.md.

Input parsing lives in klenty_input.py, the computed reports in
klenty_reports.py, the /_sandbox/ extras and the activity thread in
klenty_control.py.
"""

from __future__ import annotations

import gc
import random
import time
from collections import Counter, OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

from sandbox.klenty_control import ActivitySimulator, KlentyControl
from sandbox.klenty_data import (
    ACTIVE,
    ACTIVITY_EVENTS,
    BOUNCED,
    COMPLETED,
    DEFAULT_LIST_NAME,
    DO_NOT_CONTACT,
    IN_CADENCE,
    MANUALLY_STOPPED,
    NOT_CONTACTED,
    OUTCOMES,
    PAUSED,
    PROFILE_FIELDS,
    PROSPECT_STATUSES,
    REPLIED,
    STOPPED,
    UNSUBSCRIBED,
    Cadence,
    Event,
    KlentyState,
    ListRecord,
    Membership,
    Prospect,
    Webhook,
    iso,
)
from sandbox.klenty_input import (
    bad,
    bad_date,
    custom_fields,
    int_param,
    not_found,
    parse_when,
    split_tags,
    text,
    valid_email,
)
from sandbox.klenty_reports import calls_page, email_engagements, step_wise
from sandbox.klenty_seed import DAY, build_state
from sandbox.server import ApiError, Request, Route, Router, SandboxApp, Service

MAX_BULK = 100
# "Add value to a Prospect's Custom Field": the create call with only these keys.
CUSTOM_FIELD_CALL = {"Email", "FirstName", "CustomFields"}
MAX_PAGE = 1000
CALL_DAYS_BACK = 29

WEBHOOK_EVENTS = (
    "reply",
    "cadenceFirstReply",
    "sendProspect",
    "prospect",
    "startCadence",
    "completeCadence",
    "onMailBounce",
    "open",
    "click",
    "unsubscribe",
)
CANONICAL_EVENTS = {event.lower(): event for event in WEBHOOK_EVENTS}
# Statuses a cadence may not be started for: Klenty will not mail them.
UNMAILABLE = (UNSUBSCRIBED, DO_NOT_CONTACT, BOUNCED)
# Output key order of a prospect, as in the docs' samples.
HEAD_FIELDS = PROFILE_FIELDS[:11]  # FullName … Phone, then Email
TAIL_FIELDS = PROFILE_FIELDS[11:]  # TwitterId … LinkedinURL


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building or copying ~10^5 objects runs 3x faster without cyclic GC passes.

    Afterwards the objects move to the permanent generation: they hold no
    reference cycles, so refcounting frees them, and later collections need not
    walk a million long-lived objects (a pause of a second at 100,000 prospects).
    """
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


class KlentyService(Service):
    name = "klenty"
    prefix = "/klenty/apis/v1"
    bad_input_code = "K2001"
    config_keys = ("simulate_activity", "activity_interval_ms")
    pristine_cache_size = 3

    def __init__(self, app: SandboxApp, *, key: str, seed: int, prospects: int):
        super().__init__()
        self.app = app
        self.key = key
        self.default_seed = seed
        self.default_prospects = prospects
        self._pristine: OrderedDict[tuple[int, int, int], KlentyState] = OrderedDict()
        self.state = self._fresh_state(seed, prospects)
        self.activity = ActivitySimulator(self)
        user = "/user/{user}"
        prospect = user + "/prospects/{ref}"
        self.router = Router(
            [
                ("GET", user + "/prospects", self.get_prospects),
                ("GET", prospect + "/status", self.get_status),
                ("GET", user + "/lists", self.get_lists),
                ("GET", user + "/cadences", self.get_cadences),
                ("GET", user + "/calls", self.get_calls),
                ("GET", user + "/webhook/getall", self.get_webhooks),
                ("POST", user + "/prospects", self.create_prospects),
                ("POST", prospect, self.update_prospect),
                ("POST", prospect + "/removeTags", self.remove_tags),
                ("POST", prospect + "/unsubscribe", self.unsubscribe),
                ("POST", prospect + "/changeStatusToDoNotContact", self.do_not_contact),
                ("POST", prospect + "/revertStatusToDoNotContact", self.revert_do_not_contact),
                ("POST", prospect + "/stop", self.stop_mails),
                ("POST", user + "/startcadence", self.start_cadence),
                ("POST", user + "/stopcadence", self.stop_cadence),
                ("POST", user + "/cadences/resume", self.resume_cadence),
                ("POST", user + "/emailEngagements", self.email_engagements),
                ("POST", user + "/stepWiseEngagements", self.step_wise_engagements),
                ("POST", user + "/zapier/hooks", self.add_webhook),
                ("POST", user + "/webhook/update", self.update_webhook),
                ("POST", user + "/webhook/delete", self.delete_webhook),
            ]
        )

    # Service hooks --------------------------------------------------------------

    def authenticate(self, request: Request) -> str:
        key = request.headers.get("x-api-key") or ""
        if key != self.key:
            raise ApiError(401, "UNAUTHORIZED", "Invalid or missing API key")
        return key

    def error_body(self, code: str, message: str) -> dict[str, Any]:
        return {"status": False, "errors": [{"code": code, "errorMessage": message}]}

    def reset(self, options: dict[str, Any]) -> dict[str, Any]:
        seed = options.get("seed", self.default_seed)
        count = options.get("prospects", self.default_prospects)
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1_000_000:
            raise ApiError(400, None, "prospects must be a whole number from 0 to 1000000")
        self.activity.stop()
        self.activity.interval = 2.0
        self.state = self._fresh_state(seed, count)
        return {"seed": seed, "prospects": count}

    def configure(self, options: dict[str, Any]) -> None:
        if "activity_interval_ms" in options:
            interval = options["activity_interval_ms"]
            if isinstance(interval, bool) or not isinstance(interval, int):
                raise ApiError(400, None, "activity_interval_ms must be a whole number")
            self.activity.interval = min(max(interval, 50), 60_000) / 1000
        if "simulate_activity" in options:
            if not isinstance(options["simulate_activity"], bool):
                raise ApiError(400, None, "simulate_activity must be true or false")
            if options["simulate_activity"]:
                self.activity.start()
            else:
                self.activity.stop()

    def config(self) -> dict[str, Any]:
        return {
            "simulate_activity": self.activity.running,
            "activity_interval_ms": int(self.activity.interval * 1000),
        }

    def control_routes(self) -> list[Route]:
        return KlentyControl(self).routes()

    def stats(self) -> dict[str, Any]:
        state = self.state
        by_status = Counter(p.status for p in state.prospects.values())
        return {
            "seed": state.seed,
            "prospects": len(state.prospects),
            "by_status": {status: by_status.get(status, 0) for status in PROSPECT_STATUSES},
            "lists": len(state.lists),
            "cadences": len(state.cadences),
            "calls": sum(len(calls) for calls in state.calls.values()),
            "calls_by_member": {member: len(calls) for member, calls in state.calls.items()},
            "events": sum(len(p.events) for p in state.prospects.values()),
            "webhooks": len(state.webhooks),
            "simulate_activity": self.activity.running,
        }

    def close(self) -> None:
        self.activity.stop()

    def _fresh_state(self, seed: int, count: int) -> KlentyState:
        # Seeding is cached per day: a reset before every test then costs one copy.
        key = (seed, count, int(time.time() // DAY))
        with gc_paused():
            pristine = self._pristine.get(key)
            if pristine is None:
                pristine = self._pristine[key] = build_state(seed, count)
                while len(self._pristine) > self.pristine_cache_size:
                    self._pristine.popitem(last=False)
            self._pristine.move_to_end(key)
            return pristine.copy()

    # Shared helpers ---------------------------------------------------------------

    def _member(self, user: str) -> str:
        email = user.strip().lower()
        if email not in self.state.team:
            raise ApiError(403, "FORBIDDEN", f"{user[:100]} is not a member of this team")
        return email

    def _prospect(self, ref: str) -> Prospect:
        prospect = self.state.find(ref)
        if prospect is None:
            raise not_found(f"No prospect {ref[:100]}")
        return prospect

    def body_object(self, request: Request) -> dict[str, Any]:
        body = request.json(default={})
        if not isinstance(body, dict):
            raise bad("The body must be a JSON object")
        return body

    def list_name(self, prospect: Prospect) -> str:
        return self.state.lists[prospect.list_id].name

    def _list_for(self, name: str, now: float) -> ListRecord:
        """The list named `name` (any case), created if new; "" is the default list."""
        name = name or DEFAULT_LIST_NAME
        return self.state.list_named(name) or self.state.add_list(name, now)

    def _prospect_json(self, prospect: Prospect) -> dict[str, Any]:
        fields = prospect.fields
        result: dict[str, Any] = {"id": prospect.id}
        for key in HEAD_FIELDS:
            result[key] = fields.get(key, "")
        result["Email"] = prospect.email
        for key in TAIL_FIELDS:
            result[key] = fields.get(key, "")
        result["Tags"] = " , ".join(prospect.tags)
        result["List"] = self.list_name(prospect)
        result["assignTo"] = prospect.owner
        return result

    def _touch(self, prospect: Prospect, status: str | None = None) -> float:
        now = time.time()
        if status is not None:
            prospect.status = status
        prospect.updated = now
        return now

    def _stop_active(self, prospect: Prospect, now: float) -> Membership | None:
        """Stop every running cadence of the prospect; return the one that was running."""
        stopped = None
        for membership in prospect.active_memberships():
            membership.status, membership.ended = STOPPED, now
            stopped = membership
        return stopped

    def _fire(self, event: str, prospect: Prospect, cadence: Cadence | None = None) -> None:
        """Queue a webhook delivery to every subscription to `event` (team-wide)."""
        urls = [w.url for w in self.state.webhooks.values() if w.event.lower() == event.lower()]
        if not urls:
            return
        fields = prospect.fields
        payload = {
            "event": event,
            "email": prospect.email,
            "firstName": fields.get("FirstName", ""),
            "lastName": fields.get("LastName", ""),
            "fullName": fields.get("FullName", ""),
            "company": fields.get("Company", ""),
            "cadenceName": cadence.name if cadence else "",
            "cadenceOwner": cadence.owner if cadence else "",
            "prospectOwner": prospect.owner,
            "list": self.list_name(prospect),
            "tags": ",".join(prospect.tags),
            "timestamp": iso(time.time(), millis=True),
        }
        for url in urls:
            self.app.deliverer.deliver(url, payload)

    # GET endpoints --------------------------------------------------------------------

    def get_prospects(self, request: Request, user: str) -> Any:
        """Get prospect by Email (also with customFields), by created or updated dates, by list."""
        self._member(user)
        query = request.query
        if "Email" in query:
            prospect = self._prospect(valid_email(query["Email"].strip()))
            if query.get("customFields", "").lower() == "true":
                return [{**self._prospect_json(prospect), "Custom Fields": dict(prospect.custom)}]
            return self._prospect_json(prospect)
        if "listName" in query:
            return self._list_page(query)
        if "startDate" in query or "endDate" in query:
            start, end = self._day_range(query, "startDate", "endDate")
            return [self._prospect_json(p) for p in self.state.created_between(start, end)]
        if "lastUpdatedDateStart" in query or "lastUpdatedDateEnd" in query:
            start, end = self._day_range(query, "lastUpdatedDateStart", "lastUpdatedDateEnd")
            matching = [p for p in self.state.prospects.values() if start <= p.updated < end]
            matching.sort(key=lambda p: p.updated)
            return [self._prospect_json(p) for p in matching]
        raise bad("Give Email, listName, startDate or lastUpdatedDateStart")

    def _day_range(
        self, query: dict[str, str], start_key: str, end_key: str
    ) -> tuple[float, float]:
        """[start, end] with whole days; no end means until now."""
        if not query.get(start_key):
            raise bad_date(f"{start_key} is required")
        start, _ = parse_when(query[start_key], start_key)
        if not query.get(end_key):
            return start, time.time() + 1
        end, whole_day = parse_when(query[end_key], end_key)
        if end < start:
            raise bad_date(f"{end_key} is before {start_key}")
        return start, end + (DAY if whole_day else 0)

    def _list_page(self, query: dict[str, str]) -> list[dict[str, Any]]:
        record = self.state.list_named(query["listName"])
        if record is None:
            raise not_found(f"No list named {query['listName'][:100]}")
        # `start` is a page number from 1 (0 is read as 1), as the docs' example shows.
        page = max(int_param(query, "start", 1, 0, 10**9), 1)
        limit = int_param(query, "limit", MAX_PAGE, 1, MAX_PAGE)
        first = (page - 1) * limit
        ids = islice(self.state.list_members[record.id], first, first + limit)
        result = []
        for pid in ids:
            prospect = self.state.prospects[pid]
            fields = prospect.fields
            result.append(
                {
                    "id": prospect.id,
                    "FullName": fields.get("FullName", ""),
                    "FirstName": fields.get("FirstName", ""),
                    "LastName": fields.get("LastName", ""),
                    "Email": prospect.email,
                    "Company": fields.get("Company", ""),
                    "Tags": list(prospect.tags),
                    "List": record.id,
                    "assignTo": prospect.owner,
                    "listName": record.name,
                }
            )
        return result

    def get_status(self, request: Request, user: str, ref: str) -> dict[str, str]:
        """Get prospect status by Email, and by ID."""
        self._member(user)
        prospect = self._prospect(ref)
        return {"cadenceStatus": prospect.cadence_status, "prospectStatus": prospect.status}

    def get_lists(self, request: Request, user: str) -> list[dict[str, str]]:
        self._member(user)
        return [{"id": record.id, "name": record.name} for record in self.state.lists.values()]

    def get_cadences(self, request: Request, user: str) -> list[dict[str, str]]:
        """Company cadences; with ?username= only the ones that member owns (User cadences)."""
        self._member(user)
        owner = self._member(request.query["username"]) if "username" in request.query else None
        return [
            {"id": cadence.id, "name": cadence.name}
            for cadence in self.state.cadences.values()
            if owner is None or cadence.owner == owner
        ]

    def get_calls(self, request: Request, user: str) -> dict[str, Any]:
        """Call completion details: the path member's calls in [startDate, endDate), 200 a page."""
        member = self._member(user)
        query = request.query
        start, _ = parse_when(query.get("startDate"), "startDate")
        if query.get("endDate"):
            end, _ = parse_when(query["endDate"], "endDate")
        else:
            end = time.time() + DAY
        now = time.time()
        oldest = now - now % DAY - CALL_DAYS_BACK * DAY
        if start < oldest:
            raise bad_date(f"startDate must be within the last {CALL_DAYS_BACK} days")
        if end < start:
            raise bad_date("endDate is before startDate")
        page = int_param(query, "page", 0, 0, 10**6)
        calls, has_more = calls_page(self.state, member, start, end, page)
        if not calls:
            # Klenty answers "no record" for an empty (or same-day) range.
            raise not_found("No call records for this range")
        return {"status": True, "data": {"callData": calls, "hasMore": has_more}}

    def get_webhooks(self, request: Request, user: str) -> dict[str, Any]:
        member = self._member(user)
        return {
            "_id": self.state.user_ids[member],
            "webhooks": [
                {"_id": hook.id, "url": hook.url, "event": hook.event}
                for hook in self.state.webhooks.values()
                if hook.user == member
            ],
        }

    # Prospect writes -----------------------------------------------------------------

    def create_prospects(self, request: Request, user: str) -> dict[str, Any]:
        """Create, Add to List, Add Tags, Add Custom Field values (an object); Bulk Add (an array)."""
        member = self._member(user)
        body = request.json()
        if isinstance(body, dict):
            self._create(member, body)
            return {"status": True}
        if not isinstance(body, list):
            raise bad("The body must be a prospect object or an array of them")
        if not body:
            raise bad("The array holds no prospects")
        if len(body) > MAX_BULK:
            raise bad(f"Bulk add takes at most {MAX_BULK} prospects, not {len(body)}")
        if not all(isinstance(item, dict) for item in body):
            raise bad("Every item of the array must be a prospect object")
        details = []
        for item in body:
            email = item.get("Email")
            try:
                created = self._create(member, item)
                status = "prospect added successfully" if created else None
            except ApiError as error:
                status = error.message  # e.g. "invalid email: …", "Email is required"
            details.append(
                {
                    "prospect": email if isinstance(email, str) else None,
                    "status": status or "prospect already exists in Klenty",
                }
            )
        return {"status": True, "details": details}

    def _create(self, member: str, body: dict[str, Any]) -> bool:
        """Create a prospect; False (and no change) when the email exists, except for
        the documented custom-field call (only Email, FirstName and CustomFields)."""
        email = valid_email(text(body, "Email", required=True) or "")
        values = {key: text(body, key) for key in PROFILE_FIELDS}
        tags = split_tags(body["Tags"], "Tags", "|") if body.get("Tags") is not None else []
        custom = custom_fields(body["CustomFields"]) if body.get("CustomFields") is not None else {}
        owner = self._member_field(body, "Owner") or member
        outcome = self._outcome(body)
        list_name = text(body, "List") or ""
        if email in self.state.ids_by_email:
            if custom and set(body) <= CUSTOM_FIELD_CALL:
                # "Add value to a Prospect's Custom Field": unlike tags and lists, the
                # page does not say an existing prospect is left alone, so it is not.
                prospect = self._prospect(email)
                prospect.custom.update(custom)
                self._touch(prospect)
            return False
        now = time.time()
        fields = {key: value or "" for key, value in values.items()}
        if not fields["FullName"]:
            names = (fields["FirstName"], fields["MiddleName"], fields["LastName"])
            fields["FullName"] = " ".join(name for name in names if name)
        prospect = Prospect(
            id=self.state.new_id(),
            email=email,
            fields=fields,
            list_id=self._list_for(list_name, now).id,
            tags=[],
            custom=custom,
            owner=owner,
            status=NOT_CONTACTED,
            created=now,
            updated=now,
            outcome=outcome or "",
        )
        self._add_tags(prospect, tags)
        self.state.add_prospect(prospect)
        self._fire("prospect", prospect)
        return True

    def _member_field(self, body: dict[str, Any], key: str) -> str | None:
        value = text(body, key)
        if not value:
            return None
        if value.lower() not in self.state.team:
            raise bad(f"{key} {value[:100]} is not a member of this team")
        return value.lower()

    def _outcome(self, body: dict[str, Any]) -> str | None:
        value = body.get("Outcome")
        if value is None:
            return None
        if value != "" and value not in OUTCOMES:
            raise bad(f"Outcome must be one of {', '.join(OUTCOMES)} (case-sensitive)")
        return value

    @staticmethod
    def _add_tags(prospect: Prospect, tags: list[str]) -> None:
        have = {tag.lower() for tag in prospect.tags}
        for tag in tags:
            if tag.lower() not in have:
                prospect.tags.append(tag)
                have.add(tag.lower())

    def update_prospect(self, request: Request, user: str, ref: str) -> dict[str, bool]:
        """Update: given fields replace, Tags add, CustomFields merge, List moves."""
        self._member(user)
        prospect = self._prospect(ref)
        body = self.body_object(request)
        email = text(body, "Email")
        if email and valid_email(email) != prospect.email:
            raise bad("Email in the body differs from the prospect in the path")
        values = {key: value for key in PROFILE_FIELDS if (value := text(body, key)) is not None}
        tags = split_tags(body["Tags"], "Tags", "|") if body.get("Tags") is not None else []
        custom = custom_fields(body["CustomFields"]) if body.get("CustomFields") is not None else {}
        owner = self._member_field(body, "Owner")
        outcome = self._outcome(body)
        list_name = text(body, "List")
        now = self._touch(prospect)
        prospect.fields = {**prospect.fields, **values}
        self._add_tags(prospect, tags)
        prospect.custom.update(custom)
        if owner:
            prospect.owner = owner
        if outcome is not None:
            prospect.outcome = outcome
        if list_name is not None:
            self.state.move_to_list(prospect, self._list_for(list_name, now).id)
        return {"status": True}

    def remove_tags(self, request: Request, user: str, ref: str) -> dict[str, bool]:
        self._member(user)
        prospect = self._prospect(ref)
        body = self.body_object(request)
        if body.get("tag") in (None, "", []):
            raise bad("tag is required")
        remove = {tag.lower() for tag in split_tags(body["tag"], "tag", ",")}
        prospect.tags = [tag for tag in prospect.tags if tag.lower() not in remove]
        self._touch(prospect)
        return {"status": True}

    def unsubscribe(self, request: Request, user: str, ref: str) -> dict[str, bool]:
        """Unsubscribed is final: nothing changes it back."""
        self._member(user)
        prospect = self._prospect(ref)
        self.body_object(request)  # the body's Email is redundant with the path; only checked
        if prospect.status != UNSUBSCRIBED:
            self._end(prospect, "unsubscribe", UNSUBSCRIBED)
        return {"status": True}

    def do_not_contact(self, request: Request, user: str, ref: str) -> dict[str, bool]:
        self._member(user)
        prospect = self._prospect(ref)
        self.body_object(request)
        if prospect.status == UNSUBSCRIBED:
            raise bad("The prospect unsubscribed; that status is final")
        if prospect.status != DO_NOT_CONTACT:
            prospect.status_before_dnc = prospect.status
            self._stop_active(prospect, self._touch(prospect, DO_NOT_CONTACT))
        return {"status": True}

    def revert_do_not_contact(self, request: Request, user: str, ref: str) -> dict[str, bool]:
        self._member(user)
        prospect = self._prospect(ref)
        self.body_object(request)
        if prospect.status != DO_NOT_CONTACT:
            raise bad(f"The prospect is not in Do Not Contact but {prospect.status}")
        before = prospect.status_before_dnc
        prospect.status_before_dnc = ""
        self._touch(prospect, NOT_CONTACTED if before == NOT_CONTACTED else MANUALLY_STOPPED)
        return {"status": True}

    def stop_mails(self, request: Request, user: str, ref: str) -> dict[str, bool]:
        """Stop Mails pauses the running cadence; Resume cadence continues it."""
        self._member(user)
        prospect = self._prospect(ref)
        self.body_object(request)
        running = [m for m in prospect.memberships.values() if m.status == IN_CADENCE]
        if not running:
            if prospect.status == PAUSED:
                return {"status": True}
            raise bad(f"The prospect has no running cadence ({prospect.status})")
        for membership in running:
            membership.status = PAUSED
        self._touch(prospect, PAUSED)
        return {"status": True}

    # Cadence writes ---------------------------------------------------------------------

    def _cadence_body(self, request: Request) -> tuple[dict[str, Any], Prospect]:
        body = self.body_object(request)
        email = valid_email(text(body, "Email", required=True) or "")
        text(body, "cadenceName")  # type check before any lookup
        return body, self._prospect(email)

    def _cadence(self, name: str) -> Cadence:
        cadence = self.state.cadence_named(name)
        if cadence is None:
            raise not_found(f"No cadence named {name[:100]}")
        return cadence

    def start_cadence(self, request: Request, user: str) -> dict[str, bool]:
        """Start (or resume) the cadence; any other running cadence of the prospect stops."""
        self._member(user)
        body, prospect = self._cadence_body(request)
        cadence = self._cadence(text(body, "cadenceName", required=True) or "")
        if prospect.status in UNMAILABLE:
            raise bad(f"The prospect is {prospect.status}: Klenty will not start a cadence")
        membership = prospect.memberships.get(cadence.id)
        if membership and membership.status == IN_CADENCE:
            return {"status": True}
        now = self._touch(prospect, IN_CADENCE)
        if membership and membership.status == PAUSED:
            membership.status = IN_CADENCE
            return {"status": True}
        self._stop_active(prospect, now)
        prospect.memberships[cadence.id] = Membership(cadence.id, IN_CADENCE, now)
        self._fire("startCadence", prospect, cadence)
        return {"status": True}

    def stop_cadence(self, request: Request, user: str) -> dict[str, bool]:
        """Stop the named cadence (K2003 when the prospect is not in it), or all of them."""
        self._member(user)
        body, prospect = self._cadence_body(request)
        name = text(body, "cadenceName")
        if name:
            membership = prospect.memberships.get(self._cadence(name).id)
            if membership is None or membership.status not in ACTIVE:
                raise not_found(f"The prospect is not in the cadence {name[:100]}")
            stopping = [membership]
        else:
            stopping = prospect.active_memberships()
        if stopping:
            now = self._touch(prospect)
            for membership in stopping:
                membership.status, membership.ended = STOPPED, now
            if not prospect.active_memberships() and prospect.status in ACTIVE:
                prospect.status = MANUALLY_STOPPED
        return {"status": True}

    def resume_cadence(self, request: Request, user: str) -> dict[str, bool]:
        self._member(user)
        _, prospect = self._cadence_body(request)
        paused = [m for m in prospect.memberships.values() if m.status == PAUSED]
        if not paused:
            raise bad(f"The prospect has no paused cadence ({prospect.status})")
        for membership in paused:
            membership.status = IN_CADENCE
        self._touch(prospect, IN_CADENCE)
        return {"status": True}

    # Engagement reports ------------------------------------------------------------------

    def _report_range(self, request: Request) -> tuple[Cadence, float, float]:
        body = self.body_object(request)
        name = text(body, "cadenceName", required=True) or ""
        start, _ = parse_when(body.get("startDate"), "startDate")
        end, whole_day = parse_when(body.get("endDate"), "endDate")
        if end < start:
            raise bad_date("endDate is before startDate")
        end += DAY if whole_day else 0  # a date as end means the whole of that day
        return self._cadence(name), start, end

    def email_engagements(self, request: Request, user: str) -> dict[str, int]:
        self._member(user)
        return email_engagements(self.state, *self._report_range(request))

    def step_wise_engagements(self, request: Request, user: str) -> list[dict[str, Any]]:
        self._member(user)
        return step_wise(self.state, *self._report_range(request))

    # Webhooks ----------------------------------------------------------------------------

    def _event(self, body: dict[str, Any], *, required: bool) -> str | None:
        event = text(body, "event", required=required)
        if event is None:
            return None
        if event.lower() not in CANONICAL_EVENTS:
            raise bad(f"Unknown event {event[:50]}; accepted: {', '.join(WEBHOOK_EVENTS)}")
        return event

    def add_webhook(self, request: Request, user: str) -> dict[str, str]:
        member = self._member(user)
        body = self.body_object(request)
        event = self._event(body, required=True) or ""
        url = text(body, "subscription_url", required=True) or ""
        hook = Webhook(self.state.new_id(), member, url, event)
        self.state.webhooks[hook.id] = hook
        # The docs' sample answers the event lower-cased; getall keeps the spelling.
        return {"_id": hook.id, "url": hook.url, "event": event.lower()}

    def _webhook(self, member: str, hook_id: str | None) -> Webhook:
        hook = self.state.webhooks.get(hook_id or "")
        if hook is None or hook.user != member:
            raise not_found(f"No webhook {str(hook_id)[:50]}")
        return hook

    def update_webhook(self, request: Request, user: str) -> dict[str, bool]:
        member = self._member(user)
        body = self.body_object(request)
        hook = self._webhook(member, text(body, "_id", required=True))
        event = self._event(body, required=False)
        url = text(body, "subscription_url")
        if not event and not url:
            raise bad("Give event or subscription_url to change")
        self.state.webhooks[hook.id] = Webhook(
            hook.id, member, url or hook.url, event or hook.event
        )
        return {"status": True}

    def delete_webhook(self, request: Request, user: str) -> dict[str, bool]:
        member = self._member(user)
        body = self.body_object(request)
        hook = self._webhook(member, text(body, "webhookId", required=True))
        del self.state.webhooks[hook.id]
        return {"status": True}

    # Activity: the simulator and the control endpoint share these rules -----------------

    def _end(self, prospect: Prospect, kind: str, status: str) -> None:
        """Record a final event (unsubscribe, bounce) and stop the running cadence."""
        now = self._touch(prospect, status)
        running = self._stop_active(prospect, now)
        cadence = self.state.cadences[running.cadence_id] if running else None
        step = running.step if running else 0
        prospect.events.append(Event(now, kind, cadence.id if cadence else "", step))
        self._fire(ACTIVITY_EVENTS[kind], prospect, cadence)

    def apply_activity(
        self, prospect: Prospect, kind: str, rng: random.Random, sentiment: str = ""
    ) -> str:
        """Make `kind` happen to a prospect in a running cadence; return what happened."""
        running = [m for m in prospect.memberships.values() if m.status == IN_CADENCE]
        if not running:
            raise bad(f"The prospect has no running cadence ({prospect.status})")
        membership = running[0]
        cadence = self.state.cadences[membership.cadence_id]
        mails = [e for e in prospect.events if e.cadence_id == cadence.id and e.kind == "sent"]
        if kind in ("open", "click", "reply", "bounce") and not mails:
            kind = "sent"  # nothing mailed yet: the first mail goes out instead
        if kind in ("sent", "completed"):
            return self._advance(prospect, membership, cadence, rng, finish=kind == "completed")
        if kind == "unsubscribe":
            self._end(prospect, "unsubscribe", UNSUBSCRIBED)
            return kind
        last = mails[-1]
        now = self._touch(prospect)
        if kind == "bounce":
            self._end(prospect, "bounce", BOUNCED)
            return kind
        detail = ""
        if kind == "reply":
            detail = sentiment or rng.choice(("positive", "negative", "neutral"))
            membership.status, membership.ended = STOPPED, now
            prospect.status = REPLIED
        prospect.events.append(Event(now, kind, cadence.id, last.step, last.option, detail))
        self._fire(ACTIVITY_EVENTS[kind], prospect, cadence)
        if kind == "reply" and not membership.replied:
            membership.replied = True
            self._fire("cadenceFirstReply", prospect, cadence)
        return kind

    def _advance(
        self,
        prospect: Prospect,
        membership: Membership,
        cadence: Cadence,
        rng: random.Random,
        finish: bool,
    ) -> str:
        """Run the next step of the cadence, or complete it after the last step."""
        now = self._touch(prospect)
        if finish or membership.step >= len(cadence.steps):
            membership.status, membership.ended = COMPLETED, now
            prospect.status = COMPLETED
            prospect.events.append(Event(now, "completed", cadence.id, membership.step))
            self._fire("completeCadence", prospect, cadence)
            return "completed"
        step = cadence.steps[membership.step]
        membership.step = step.number
        if step.type != "mail":
            prospect.events.append(Event(now, step.type, cadence.id, step.number))
            return step.type
        option = rng.choice(step.options).number
        prospect.events.append(Event(now, "sent", cadence.id, step.number, option))
        self._fire("sendProspect", prospect, cadence)
        return "sent"

    def simulate_tick(self, rng: random.Random) -> None:
        running = [p for p in self.state.prospects.values() if p.status == IN_CADENCE]
        for prospect in rng.sample(running, min(len(running), rng.randint(2, 5))):
            kind = rng.choices(
                ("open", "click", "reply", "bounce", "unsubscribe", "sent"), (30, 15, 10, 4, 1, 40)
            )[0]
            self.apply_activity(prospect, kind, rng)
