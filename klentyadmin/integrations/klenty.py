"""The Klenty API: one method per documented endpoint, typed results.

Doc sections are named as in klenty-get-endpoints.txt and klenty-post-endpoints.txt
(with NOTES.md for what those pages leave out). Klenty's payloads are inconsistent
(field spellings, tags as "a , b" or "a|b" or a list, `List` meaning a list's name in
one answer and its id in another); the `parse_*` functions below turn every shape
into one dataclass, and no code outside this module sees a raw Klenty payload.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from klentyadmin.core.connections import KlentyTarget, klenty_target
from klentyadmin.integrations.errors import ApiNotFound, ApiValidationError
from klentyadmin.integrations.http import ApiSession, AuditInfo
from klentyadmin.integrations.values import (
    integer as _int,
)
from klentyadmin.integrations.values import (
    iso_timestamp,
)
from klentyadmin.integrations.values import (
    items as _list,
)
from klentyadmin.integrations.values import (
    number as _float,
)
from klentyadmin.integrations.values import (
    rate_limit_key as account_rate_limit_key,
)
from klentyadmin.integrations.values import (
    text as _text,
)

SERVICE = "klenty"
AUTH_HEADER = "x-API-key"
BULK_LIMIT = 100
LIST_PAGE_LIMIT = 1000
# Webhook events as Klenty spells them in requests (Add/Update a Webhook).
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
_EVENTS_BY_LOWER = {e.lower(): e for e in WEBHOOK_EVENTS}


# -- results -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Prospect:
    """A prospect as Klenty answers it. Its fields mirror `ProspectFields`, which is
    mutable so forms can fill it in; a frozen and a mutable dataclass cannot share
    a base, hence the two declarations."""

    id: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    middle_name: str = ""
    full_name: str = ""
    company: str = ""
    company_domain: str = ""
    account: str = ""
    department: str = ""
    title: str = ""
    location: str = ""
    phone: str = ""
    twitter_id: str = ""
    company_phone: str = ""
    company_email: str = ""
    linkedin_url: str = ""
    city: str = ""
    country: str = ""
    list_name: str = ""  # always the list's name, never its id
    list_id: str = ""  # only the by-list answer carries it
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, str] = field(default_factory=dict)
    owner: str = ""  # Klenty's assignTo: the team member who owns the prospect


@dataclass(frozen=True)
class ProspectStatus:
    cadence_status: str
    prospect_status: str


@dataclass(frozen=True)
class ProspectList:
    id: str
    name: str


@dataclass(frozen=True)
class Cadence:
    id: str
    name: str


@dataclass(frozen=True)
class Call:
    call_sid: str
    username: str  # the team member who made the call
    status: str
    disposition: str
    call_type: str
    purpose: str
    duration_seconds: int
    start_time: datetime | None  # null on some records
    end_time: datetime | None
    created_at: datetime | None
    from_number: str
    to_number: str
    prospect_phone: str
    sharable_link: str
    email: str
    first_name: str
    last_name: str
    full_name: str
    primary_phone: str
    company: str
    city: str
    country: str
    tags: list[str]
    comments: list[Any]
    notes: list[Any]
    source: str
    prospect_owner: str
    list_name: str
    outcome: str
    cadence_owner: str
    # The doc leaves `name` unexplained; it sits beside cadenceOwner and is empty on
    # one-off calls, so it is read as the cadence's name.
    cadence_name: str


@dataclass(frozen=True)
class CallPage:
    calls: list[Call]
    has_more: bool
    page: int


@dataclass(frozen=True)
class Webhook:
    id: str
    event: str  # canonical camelCase, e.g. "completeCadence"
    url: str


@dataclass(frozen=True)
class BulkAddResult:
    email: str
    status: str  # Klenty's sentence, e.g. "prospect added successfully"
    added: bool


@dataclass(frozen=True)
class EmailEngagement:
    prospects_added: int
    in_cadence_count: int
    prospects_completed: int
    open_count: int
    link_count: int
    reply_count: int
    unsubscribe_count: int
    bounce_count: int
    positive_count: int
    negative_count: int


@dataclass(frozen=True, kw_only=True)
class StepMetrics:
    """What a step, and each of its A/B options, counts."""

    mail_count: int = 0
    open_count: int = 0
    reply_count: int = 0
    link_count: int = 0
    positive_reply: int = 0
    negative_reply: int = 0
    open_percent: float = 0.0
    reply_percent: float = 0.0
    link_percent: float = 0.0
    positive_reply_percent: float = 0.0
    negative_reply_percent: float = 0.0
    template_name: str = ""
    subject: str = ""
    snippet: str = ""


@dataclass(frozen=True, kw_only=True)
class StepOption(StepMetrics):
    """One A/B variant of a mail step."""

    option: int = 0


@dataclass(frozen=True, kw_only=True)
class StepEngagement(StepMetrics):
    step_number: int = 0
    step_type: str = ""  # mail, task or call
    completed: int = 0
    task_count: int = 0
    call_count: int = 0
    completed_calls: float = 0.0
    options: list[StepOption] = field(default_factory=list)


# -- what we send ------------------------------------------------------------

# Our field name -> Klenty's key in write payloads (Create Prospects, Update Prospect).
PAYLOAD_KEYS = {
    "email": "Email",
    "first_name": "FirstName",
    "last_name": "LastName",
    "middle_name": "MiddleName",
    "full_name": "FullName",
    "company": "Company",
    "company_domain": "CompanyDomain",
    "account": "Account",
    "department": "Department",
    "title": "Title",
    "location": "Location",
    "phone": "Phone",
    "twitter_id": "TwitterId",
    "company_phone": "CompanyPhone",
    "company_email": "CompanyEmail",
    "linkedin_url": "LinkedinURL",
    "city": "City",
    "country": "Country",
    "list_name": "List",
    "tags": "Tags",
    "custom_fields": "CustomFields",
    "owner": "Owner",
    "outcome": "Outcome",
}


@dataclass
class ProspectFields:
    """Every input the prospect-writing endpoints document, in our spelling."""

    email: str = ""
    first_name: str = ""
    last_name: str = ""
    middle_name: str = ""
    full_name: str = ""
    company: str = ""
    company_domain: str = ""
    account: str = ""
    department: str = ""
    title: str = ""
    location: str = ""
    phone: str = ""
    twitter_id: str = ""
    company_phone: str = ""
    company_email: str = ""
    linkedin_url: str = ""
    city: str = ""
    country: str = ""
    list_name: str = ""
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, str] = field(default_factory=dict)
    owner: str = ""  # a team member's email
    outcome: str = ""  # case-sensitive, exactly as set up in Klenty (Update only)

    def to_payload(self) -> dict[str, Any]:
        """Klenty's PascalCase payload, with only the fields that have a value."""
        payload: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "tags":
                value = tags_value(value)
            elif f.name == "custom_fields":
                value = [{"key": k, "value": v} for k, v in value.items()]
            elif isinstance(value, str):
                value = value.strip()
            if value:
                payload[PAYLOAD_KEYS[f.name]] = value
        return payload


def tags_value(tags: list[str]) -> str:
    """Tags as Klenty takes them: "Tag1|Tag2"."""
    cleaned = [t.strip() for t in tags if t and t.strip()]
    for tag in cleaned:
        if "|" in tag:
            raise ApiValidationError(
                f"The tag {tag!r} contains '|', which Klenty uses to separate tags.",
                service=SERVICE,
            )
    return "|".join(cleaned)


def prospect_date(d: date) -> str:
    """Prospect date filters are sent as yyyy/mm/dd."""
    return d.strftime("%Y/%m/%d")


def dash_date(d: date) -> str:
    """Calls and engagements take yyyy-mm-dd (engagements also a UTC timestamp)."""
    if isinstance(d, datetime):
        return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return d.isoformat()


# -- normalisation: the only code that reads Klenty's payloads ----------------


@functools.lru_cache(maxsize=512)
def _fold(key: str) -> str:
    return re.sub(r"[\s_]", "", key).lower()


def _keys(raw: dict) -> dict[str, Any]:
    """Keys folded so "Custom Fields", "CustomFields" and "customFields" (or "Id",
    "id" and "_id") are one key. A sync folds the same few dozen keys millions of
    times, hence the cache."""
    return {_fold(str(k)): v for k, v in raw.items()}


def _pick(k: dict[str, Any], *names: str) -> Any:
    for name in names:
        if k.get(name) is not None:
            return k[name]
    return None


def parse_tags(value: Any) -> list[str]:
    """Tags from "paid , new , sales", "Tag1|Tag2", "Tag1,Tag2", a list, "" or None."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[|,]", str(value))
    return [t for t in (_text(item) for item in items) if t]


def parse_custom_fields(value: Any) -> dict[str, str]:
    """Custom fields from a dict, a list of {"key", "value"}, or JSON text of either."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if isinstance(value, dict):
        return {str(k): _text(v) for k, v in value.items()}
    result: dict[str, str] = {}
    for item in _list(value):
        if isinstance(item, dict):
            k = _keys(item)
            if _text(k.get("key")):
                result[_text(k["key"])] = _text(k.get("value"))
    return result


def parse_timestamp(value: Any) -> datetime | None:
    """ISO timestamps such as "2023-10-09T20:16:10.000Z" -> aware UTC datetime."""
    return iso_timestamp(value) if value else None


def parse_date(value: Any) -> date | None:
    """Dates as Klenty writes them: "2023/01/01", "2023-9-20", or a timestamp."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})", text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    stamp = parse_timestamp(text)
    return stamp.date() if stamp else None


def normalise_event(value: Any) -> str:
    """Webhook events in their canonical camelCase (Add a Webhook answers lowercase)."""
    text = _text(value)
    return _EVENTS_BY_LOWER.get(text.lower(), text)


# Profile fields that are plain text, read under the key they are written with.
_TEXT_FIELDS = tuple(
    name
    for name in PAYLOAD_KEYS
    if name not in {"list_name", "tags", "custom_fields", "owner", "outcome"}
)


# The key a reader uses for a field the payload lacks: never in a payload, so .get() is None.
_ABSENT = object()


@dataclass(frozen=True)
class _ProspectReader:
    """Where each of our fields is in a prospect payload of one shape (one set of keys).

    A sync reads 10^5 prospects whose payloads share two or three shapes, so the key
    folding and the choice between spellings (the rules of `_keys` and `_pick`) are
    worked out once per shape, not once per record.
    """

    text: tuple[tuple[str, Any], ...]  # (our field, the payload's key)
    ids: tuple[Any, ...]  # keys that may hold the id, preferred first
    owners: tuple[Any, ...]
    tags: Any
    custom_fields: Any
    list_key: Any
    list_name_key: Any  # only Get Prospects by List has one; `List` is then the list's id

    @staticmethod
    @functools.lru_cache(maxsize=256)
    def for_keys(keys: tuple[Any, ...]) -> _ProspectReader:
        folded: dict[str, Any] = {}
        for key in keys:
            folded[_fold(str(key))] = key  # a later spelling wins, as in _keys

        def candidates(*names: str) -> tuple[Any, ...]:
            return tuple(folded[name] for name in names if name in folded)

        return _ProspectReader(
            text=tuple((n, folded.get(PAYLOAD_KEYS[n].lower(), _ABSENT)) for n in _TEXT_FIELDS),
            ids=candidates("id", "prospectid"),
            owners=candidates("assignto", "owner"),
            tags=folded.get("tags", _ABSENT),
            custom_fields=folded.get("customfields", _ABSENT),
            list_key=folded.get("list", _ABSENT),
            list_name_key=folded.get("listname", _ABSENT),
        )

    def values(self, raw: dict) -> dict[str, Any]:
        """Every Prospect field, by name, from one payload."""
        get = raw.get
        values = {}
        for name, key in self.text:
            value = get(key)
            values[name] = value.strip() if type(value) is str else _text(value)
        values["id"] = _text(next((raw[k] for k in self.ids if raw[k] is not None), None))
        values["owner"] = _text(next((raw[k] for k in self.owners if raw[k] is not None), None))
        values["tags"] = parse_tags(get(self.tags))
        values["custom_fields"] = parse_custom_fields(get(self.custom_fields))
        if self.list_name_key is _ABSENT:
            # Everywhere but Get Prospects by List, `List` is the list's name.
            values["list_id"], values["list_name"] = "", _text(get(self.list_key))
        else:
            values["list_id"] = _text(get(self.list_key))
            values["list_name"] = _text(raw[self.list_name_key])
        return values


def _prospect(values: dict[str, Any]) -> Prospect:
    """A Prospect from a value for every field, without the frozen dataclass's __init__
    (an object.__setattr__ per field costs five times the rest of reading a record)."""
    prospect = object.__new__(Prospect)
    prospect.__dict__.update(values)
    return prospect


def parse_prospect(raw: dict) -> Prospect:
    return _prospect(_ProspectReader.for_keys(tuple(raw)).values(raw))


def parse_prospect_status(raw: dict) -> ProspectStatus:
    k = _keys(raw)
    return ProspectStatus(
        cadence_status=_text(k.get("cadencestatus")),
        prospect_status=_text(k.get("prospectstatus")),
    )


def parse_list(raw: dict) -> ProspectList:
    k = _keys(raw)
    return ProspectList(id=_text(k.get("id")), name=_text(k.get("name")))


def parse_cadence(raw: dict) -> Cadence:
    k = _keys(raw)
    return Cadence(id=_text(k.get("id")), name=_text(k.get("name")))


def parse_call(raw: dict) -> Call:
    k = _keys(raw)
    return Call(
        call_sid=_text(k.get("callsid")),
        username=_text(k.get("username")),
        status=_text(k.get("status")),
        disposition=_text(k.get("disposition")),
        call_type=_text(k.get("type")),
        purpose=_text(k.get("purpose")),
        duration_seconds=_int(k.get("duration")),
        start_time=parse_timestamp(k.get("starttime")),
        end_time=parse_timestamp(k.get("endtime")),
        created_at=parse_timestamp(k.get("createddate")),
        from_number=_text(k.get("fromnumber")),
        to_number=_text(k.get("tonumber")),
        prospect_phone=_text(k.get("prospectphoneno")),
        sharable_link=_text(k.get("sharablelink")),
        email=_text(k.get("email")),
        first_name=_text(k.get("firstname")),
        last_name=_text(k.get("lastname")),
        full_name=_text(k.get("fullname")),
        primary_phone=_text(k.get("primaryphone")),
        company=_text(k.get("company")),
        city=_text(k.get("city")),
        country=_text(k.get("country")),
        tags=parse_tags(k.get("tags")),
        comments=_list(k.get("comments")),
        notes=_list(k.get("notes")),
        source=_text(k.get("source")),
        prospect_owner=_text(k.get("prospectowner")),
        list_name=_text(k.get("list")),
        outcome=_text(k.get("outcome")),
        cadence_owner=_text(k.get("cadenceowner")),
        cadence_name=_text(_pick(k, "cadencename", "name")),
    )


def parse_call_page(body: Any, page: int) -> CallPage:
    data = body.get("data") if isinstance(body, dict) else None
    data = data if isinstance(data, dict) else {}
    calls = [parse_call(c) for c in _list(data.get("callData")) if isinstance(c, dict)]
    return CallPage(calls=calls, has_more=bool(data.get("hasMore")), page=page)


def parse_webhook(raw: dict) -> Webhook:
    k = _keys(raw)
    return Webhook(
        id=_text(k.get("id")),
        event=normalise_event(k.get("event")),
        url=_text(_pick(k, "url", "subscriptionurl")),
    )


def parse_webhooks(body: Any) -> list[Webhook]:
    # Get All Webhooks wraps them: {"_id": <the user's id>, "webhooks": [...]}.
    items = body.get("webhooks") if isinstance(body, dict) else body
    return [parse_webhook(w) for w in _list(items) if isinstance(w, dict)]


def parse_bulk_results(body: Any) -> list[BulkAddResult]:
    results = []
    for item in _list(body.get("details") if isinstance(body, dict) else body):
        if isinstance(item, dict):
            k = _keys(item)
            status = _text(k.get("status"))
            results.append(
                BulkAddResult(
                    email=_text(_pick(k, "prospect", "email")),
                    status=status,
                    added="added" in status.lower() and "exist" not in status.lower(),
                )
            )
    return results


def parse_email_engagement(raw: dict) -> EmailEngagement:
    k = _keys(raw)
    return EmailEngagement(
        prospects_added=_int(k.get("prospectsadded")),
        in_cadence_count=_int(k.get("incadencecount")),
        prospects_completed=_int(k.get("prospectscompleted")),
        open_count=_int(k.get("opencount")),
        link_count=_int(k.get("linkcount")),
        reply_count=_int(k.get("replycount")),
        unsubscribe_count=_int(k.get("unsubscribecount")),
        bounce_count=_int(k.get("bouncecount")),
        positive_count=_int(k.get("positivecount")),
        negative_count=_int(k.get("negativecount")),
    )


def _step_metrics(k: dict[str, Any]) -> dict[str, Any]:
    """The metrics a step and its options share; Klenty spells "negative" as
    "negetive" in its answers, and the doc's table as "negative"."""
    return {
        "mail_count": _int(k.get("mailcount")),
        "open_count": _int(k.get("opencount")),
        "reply_count": _int(k.get("replycount")),
        "link_count": _int(k.get("linkcount")),
        "positive_reply": _int(k.get("positivereply")),
        "negative_reply": _int(_pick(k, "negativereply", "negetivereply")),
        "open_percent": _float(k.get("openpercent")),
        "reply_percent": _float(k.get("replypercent")),
        "link_percent": _float(k.get("linkpercent")),
        "positive_reply_percent": _float(k.get("positivereplypercent")),
        "negative_reply_percent": _float(_pick(k, "negativereplypercent", "negetivereplypercent")),
        "template_name": _text(k.get("templatename")),
        "subject": _text(k.get("subject")),
        "snippet": _text(k.get("snippet")),
    }


def parse_step_engagement(raw: dict) -> StepEngagement:
    k = _keys(raw)
    options = [
        StepOption(option=_int(_keys(o).get("option")), **_step_metrics(_keys(o)))
        for o in _list(k.get("options"))
        if isinstance(o, dict)
    ]
    return StepEngagement(
        step_number=_int(k.get("stepnumber")),
        step_type=_text(k.get("steptype")),
        completed=_int(k.get("completed")),
        task_count=_int(k.get("taskcount")),
        call_count=_int(k.get("callcount")),
        completed_calls=_float(k.get("completedcalls")),
        options=options,
        **_step_metrics(k),
    )


def parse_step_engagements(body: Any) -> list[StepEngagement]:
    items = [body] if isinstance(body, dict) else _list(body)
    return [parse_step_engagement(s) for s in items if isinstance(s, dict)]


def _records(body: Any) -> list[dict]:
    """Answers that are a bare array, or a single object where the doc shows one."""
    if isinstance(body, dict):
        return [body]
    return [item for item in _list(body) if isinstance(item, dict)]


# -- the client --------------------------------------------------------------


class KlentyClient:
    """Klenty, as one team member (`user_email`) sees it.

    Writes are recorded in the audit log under `actor` (a User, or None for the
    system). Everything that fails raises an `errors.ApiError` subclass.
    """

    def __init__(
        self,
        target: KlentyTarget,
        *,
        actor: Any = None,
        user_email: str | None = None,
        session: ApiSession | None = None,
    ) -> None:
        self.target = target
        self.actor = actor
        self.user_email = (user_email or target.default_user).strip()
        self.session = session or ApiSession(
            service=SERVICE,
            base_url=target.api_base,
            auth_headers={AUTH_HEADER: target.api_key},
            rate_key=rate_limit_key(target),
            per_minute=target.rate_limit_per_min,
            sandbox=target.sandbox,
        )

    @classmethod
    def from_settings(cls, actor: Any = None, user_email: str | None = None) -> KlentyClient:
        return cls(klenty_target(), actor=actor, user_email=user_email)

    def as_user(self, email: str) -> KlentyClient:
        """The same connection, acting as another team member."""
        self._check_email(email, "as_user", "team member's")
        return KlentyClient(self.target, actor=self.actor, user_email=email, session=self.session)

    # -- GET (klenty-get-endpoints.txt) ---------------------------------------

    def get_prospect(self, email: str) -> Prospect:
        # "Get prospect detail by Email"
        self._check_email(email, "get_prospect")
        body = self._get("get_prospect", "/prospects", {"Email": email})
        return self._first(body, "get_prospect", email)

    def get_prospect_status(self, email: str) -> ProspectStatus:
        # "Get prospect status by Email"
        self._check_email(email, "get_prospect_status")
        body = self._get("get_prospect_status", f"/prospects/{_segment(email)}/status")
        return parse_prospect_status(body or {})

    def get_prospects_created_between(self, start: date, end: date | None = None) -> list[Prospect]:
        # "Get prospect detail by Prospect created date"; no end date means today.
        self._check_range(start, end, "get_prospects_created_between")
        params = {"startDate": prospect_date(start)}
        if end:
            params["endDate"] = prospect_date(end)
        return self._prospects("get_prospects_created_between", params)

    def get_prospects_updated_since(self, start: date, end: date | None = None) -> list[Prospect]:
        # "Get prospect detail by the last updated date"; no end date means today.
        self._check_range(start, end, "get_prospects_updated_since")
        params = {"lastUpdatedDateStart": prospect_date(start)}
        if end:
            params["lastUpdatedDateEnd"] = prospect_date(end)
        return self._prospects("get_prospects_updated_since", params)

    def get_prospect_status_by_id(self, prospect_id: str) -> ProspectStatus:
        # "Get Prospect status by ID"
        if not _text(prospect_id):
            raise self._invalid("get_prospect_status_by_id", "A prospect id is needed.")
        path = f"/prospects/{_segment(prospect_id)}/status"
        return parse_prospect_status(self._get("get_prospect_status_by_id", path) or {})

    def get_prospect_with_custom_fields(self, email: str) -> Prospect:
        # "Get Prospect details with Custom fields" (answers an array of one)
        self._check_email(email, "get_prospect_with_custom_fields")
        params = {"Email": email, "customFields": "true"}
        body = self._get("get_prospect_with_custom_fields", "/prospects", params)
        return self._first(body, "get_prospect_with_custom_fields", email)

    def get_lists(self) -> list[ProspectList]:
        # "Get Lists"
        return [parse_list(r) for r in _records(self._get("get_lists", "/lists"))]

    def get_prospects_in_list(
        self, list_name: str, page: int = 1, limit: int = LIST_PAGE_LIMIT
    ) -> list[Prospect]:
        # "Get Prospects by List": `start` is a 1-based page index of `limit` records.
        if not _text(list_name):
            raise self._invalid("get_prospects_in_list", "A list name is needed.")
        if page < 1 or not 1 <= limit <= LIST_PAGE_LIMIT:
            raise self._invalid(
                "get_prospects_in_list",
                f"Pages start at 1 and hold at most {LIST_PAGE_LIMIT} prospects.",
            )
        params = {"listName": list_name, "start": page, "limit": limit}
        # K2003 here means the list is unknown, which the caller should hear about.
        return self._prospects("get_prospects_in_list", params, empty_on_not_found=False)

    def iter_prospects_in_list(
        self, list_name: str, limit: int = LIST_PAGE_LIMIT
    ) -> Iterator[Prospect]:
        """Every prospect in the list, page by page; a short page is the last."""
        page = 1
        while True:
            try:
                batch = self.get_prospects_in_list(list_name, page=page, limit=limit)
            except ApiNotFound:
                if page == 1:
                    raise
                return  # the previous page was exactly full and the list ended there
            yield from batch
            if len(batch) < limit:
                return
            page += 1

    def get_user_cadences(self, username: str) -> list[Cadence]:
        # "Get User cadences": the cadences owned by `username`, a team member.
        self._check_email(username, "get_user_cadences", "team member's")
        body = self._get("get_user_cadences", "/cadences", {"username": username})
        return [parse_cadence(r) for r in _records(body)]

    def get_company_cadences(self) -> list[Cadence]:
        # "Get Company Cadences"
        return [parse_cadence(r) for r in _records(self._get("get_company_cadences", "/cadences"))]

    def get_calls(self, start: date, end: date, page: int = 0) -> CallPage:
        # "Get Call completion details" (on the app host). `end` is exclusive and
        # Klenty keeps about 29 days; an empty range answers K2003, which we read as
        # "no calls" rather than an error.
        if end <= start:
            raise self._invalid(
                "get_calls",
                "The end date must be after the start date: Klenty does not include the "
                "end date, so one day's calls run from that day to the next.",
            )
        params = {"startDate": dash_date(start), "endDate": dash_date(end), "page": page}
        try:
            body = self.session.get(
                self._path("/calls"),
                endpoint="get_calls",
                params=params,
                base_url=self.target.app_base,
            )
        except ApiNotFound:
            return CallPage(calls=[], has_more=False, page=page)
        return parse_call_page(body, page)

    def iter_calls(self, start: date, end: date) -> Iterator[Call]:
        """Every call in the range, following `hasMore` from page 0."""
        page = 0
        while True:
            result = self.get_calls(start, end, page=page)
            yield from result.calls
            if not result.has_more or not result.calls:
                return
            page += 1

    def get_webhooks(self) -> list[Webhook]:
        # "Get All Webhooks"
        return parse_webhooks(self._get("get_webhooks", "/webhook/getall"))

    def test_connection(self) -> list[ProspectList]:
        """The cheap call that proves the key works (there is no "who am I")."""
        return [parse_list(r) for r in _records(self._get("test_connection", "/lists"))]

    # -- POST (klenty-post-endpoints.txt) -------------------------------------

    def create_prospect(self, fields: ProspectFields) -> None:
        # "Create Prospects"
        self._check_prospect_fields(fields, "create_prospect", require_email=True)
        payload = fields.to_payload()
        self._write("create_prospect", "/prospects", payload, target=fields.email)

    def update_prospect(self, email: str, fields: ProspectFields) -> None:
        # "Update Prospect"
        self._check_email(email, "update_prospect")
        self._check_prospect_fields(fields, "update_prospect", require_email=False)
        path = f"/prospects/{_segment(email)}"
        self._write("update_prospect", path, fields.to_payload(), target=email)

    def add_prospect_to_list(self, email: str, first_name: str, list_name: str) -> None:
        # "Add Prospect to List" (Klenty ignores it for prospects that already exist)
        self._check_email(email, "add_prospect_to_list")
        if not _text(list_name):
            raise self._invalid("add_prospect_to_list", "A list name is needed.")
        payload = {"Email": email, "FirstName": first_name, "List": list_name}
        self._write("add_prospect_to_list", "/prospects", payload, target=email)

    def add_prospect_with_tags(self, email: str, first_name: str, tags: list[str]) -> None:
        # "Add Tags to a Prospect" (Klenty ignores it for prospects that already exist)
        self._check_email(email, "add_prospect_with_tags")
        joined = self._tags(tags, "add_prospect_with_tags")
        payload = {"Email": email, "FirstName": first_name, "Tags": joined}
        self._write("add_prospect_with_tags", "/prospects", payload, target=email)

    def add_custom_field_values(
        self, email: str, first_name: str, custom_fields: dict[str, str]
    ) -> None:
        # "Add value to a Prospect's Custom Field"
        self._check_email(email, "add_custom_field_values")
        if not custom_fields:
            raise self._invalid("add_custom_field_values", "At least one custom field is needed.")
        payload = {
            "Email": email,
            "FirstName": first_name,
            "CustomFields": [{"key": k, "value": v} for k, v in custom_fields.items()],
        }
        self._write("add_custom_field_values", "/prospects", payload, target=email)

    def bulk_add_prospects(self, items: list[ProspectFields]) -> list[BulkAddResult]:
        # "Bulk Add Prospects": at most 100 per call.
        if len(items) > BULK_LIMIT:
            raise ValueError(f"Klenty takes at most {BULK_LIMIT} prospects per bulk add")
        if not items:
            return []
        for item in items:
            self._check_prospect_fields(item, "bulk_add_prospects", require_email=True)
        payload = [item.to_payload() for item in items]
        body = self._write(
            "bulk_add_prospects", "/prospects", payload, target=f"{len(items)} prospects"
        )
        return parse_bulk_results(body)

    def remove_tags(self, email: str, tags: list[str]) -> None:
        # "Remove Tags"
        self._check_email(email, "remove_tags")
        cleaned = [t.strip() for t in tags if t and t.strip()]
        if not cleaned:
            raise self._invalid("remove_tags", "Name at least one tag to remove.")
        path = f"/prospects/{_segment(email)}/removeTags"
        self._write("remove_tags", path, {"tag": cleaned}, target=email)

    def unsubscribe(self, email: str) -> None:
        # "Unsubscribe Prospect"
        self._prospect_action("unsubscribe", email, "unsubscribe")

    def mark_do_not_contact(self, email: str) -> None:
        # "Change Prospect Status to DoNotContact"
        self._prospect_action("mark_do_not_contact", email, "changeStatusToDoNotContact")

    def revert_do_not_contact(self, email: str) -> None:
        # "Revert from DoNotContact status"
        self._prospect_action("revert_do_not_contact", email, "revertStatusToDoNotContact")

    def start_cadence(self, email: str, cadence_name: str) -> None:
        # "Start Cadence"
        self._check_email(email, "start_cadence")
        if not _text(cadence_name):
            raise self._invalid("start_cadence", "Choose a cadence to start.")
        payload = {"Email": email, "cadenceName": cadence_name}
        self._write("start_cadence", "/startcadence", payload, target=email)

    def stop_cadence(self, email: str, cadence_name: str | None = None) -> None:
        # "Stop Cadence for a prospect": without a name, every cadence is stopped.
        self._check_email(email, "stop_cadence")
        payload = {"Email": email}
        if _text(cadence_name):
            payload["cadenceName"] = cadence_name
        self._write("stop_cadence", "/stopcadence", payload, target=email)

    def resume_cadence(self, email: str) -> None:
        # "Resume cadence"
        self._check_email(email, "resume_cadence")
        self._write("resume_cadence", "/cadences/resume", {"Email": email}, target=email)

    def stop_mails(self, email: str) -> None:
        # "Stop Mails"
        self._prospect_action("stop_mails", email, "stop")

    def get_email_engagement(self, cadence_name: str, start: date, end: date) -> EmailEngagement:
        # "Email Engagements": a POST that only reads, so not audited and safe to retry.
        body = self._engagement(
            "get_email_engagement", "/emailEngagements", cadence_name, start, end
        )
        return parse_email_engagement(body if isinstance(body, dict) else {})

    def get_stepwise_engagement(
        self, cadence_name: str, start: date, end: date
    ) -> list[StepEngagement]:
        # "StepWise Metric Engagement": a POST that only reads.
        body = self._engagement(
            "get_stepwise_engagement", "/stepWiseEngagements", cadence_name, start, end
        )
        return parse_step_engagements(body)

    def add_webhook(self, event: str, url: str) -> Webhook:
        # "Add a Webhook"
        event = self._check_webhook(event, url, "add_webhook")
        payload = {"subscription_url": url, "event": event}
        body = self._write("add_webhook", "/zapier/hooks", payload, target=event)
        return parse_webhook(body if isinstance(body, dict) else {})

    def update_webhook(self, webhook_id: str, event: str, url: str) -> None:
        # "Update a Webhook"
        event = self._check_webhook(event, url, "update_webhook")
        if not _text(webhook_id):
            raise self._invalid("update_webhook", "A webhook id is needed.")
        payload = {"_id": webhook_id, "subscription_url": url, "event": event}
        self._write("update_webhook", "/webhook/update", payload, target=webhook_id)

    def delete_webhook(self, webhook_id: str) -> None:
        # "Delete Webhook"
        if not _text(webhook_id):
            raise self._invalid("delete_webhook", "A webhook id is needed.")
        payload = {"webhookId": webhook_id}
        self._write("delete_webhook", "/webhook/delete", payload, target=webhook_id)

    # -- plumbing -------------------------------------------------------------

    def _path(self, rest: str) -> str:
        if not self.user_email:
            raise self._invalid(
                "",
                "No Klenty team member is set up: add the team's emails on the Connections page.",
            )
        return f"/user/{_segment(self.user_email)}{rest}"

    def _get(self, endpoint: str, rest: str, params: dict | None = None) -> Any:
        return self.session.get(self._path(rest), endpoint=endpoint, params=params)

    def _prospects(
        self, endpoint: str, params: dict, *, empty_on_not_found: bool = True
    ) -> list[Prospect]:
        # A date search that matches nothing answers K2003: an empty result to us.
        try:
            body = self._get(endpoint, "/prospects", params)
        except ApiNotFound:
            if not empty_on_not_found:
                raise
            return []
        return [parse_prospect(r) for r in _records(body)]

    def _first(self, body: Any, endpoint: str, email: str) -> Prospect:
        records = _records(body)
        if not records:
            raise ApiNotFound(
                f"Klenty has no prospect with the email {email}.",
                service=SERVICE,
                endpoint=endpoint,
            )
        return parse_prospect(records[0])

    def _write(self, endpoint: str, rest: str, payload: Any, *, target: str) -> Any:
        details = {"user": self.user_email, "payload": payload}
        audit = AuditInfo(actor=self.actor, action=endpoint, target=target, details=details)
        return self.session.post(self._path(rest), endpoint=endpoint, json=payload, audit=audit)

    def _prospect_action(self, endpoint: str, email: str, action: str) -> None:
        self._check_email(email, endpoint)
        path = f"/prospects/{_segment(email)}/{action}"
        self._write(endpoint, path, {"Email": email}, target=email)

    def _engagement(
        self, endpoint: str, rest: str, cadence_name: str, start: date, end: date
    ) -> Any:
        if not _text(cadence_name):
            raise self._invalid(endpoint, "Choose a cadence.")
        self._check_range(start, end, endpoint)
        payload = {
            "startDate": dash_date(start),
            "endDate": dash_date(end),
            "cadenceName": cadence_name,
        }
        path = self._path(rest)
        return self.session.post(path, endpoint=endpoint, json=payload, idempotent=True)

    def _invalid(self, endpoint: str, message: str) -> ApiValidationError:
        return ApiValidationError(message, service=SERVICE, endpoint=endpoint)

    def _check_email(self, email: str, endpoint: str, whose: str = "") -> None:
        try:
            validate_email(_text(email))
        except ValidationError:
            label = f"{whose} email" if whose else "email"
            shown = repr(_text(email)) if _text(email) else "An empty value"
            raise self._invalid(endpoint, f"{shown} is not a valid {label} address.") from None

    def _check_range(self, start: date, end: date | None, endpoint: str) -> None:
        if end is not None and _as_date(end) < _as_date(start):
            raise self._invalid(endpoint, "The end date must not be before the start date.")

    def _check_prospect_fields(
        self, fields: ProspectFields, endpoint: str, *, require_email: bool
    ) -> None:
        if require_email or fields.email:
            self._check_email(fields.email, endpoint)
        if fields.owner:
            self._check_email(fields.owner, endpoint, "owner's")
        self._tags(fields.tags, endpoint, required=False)

    def _tags(self, tags: list[str], endpoint: str, *, required: bool = True) -> str:
        try:
            joined = tags_value(tags)
        except ApiValidationError as exc:
            raise self._invalid(endpoint, exc.message) from None
        if required and not joined:
            raise self._invalid(endpoint, "Name at least one tag.")
        return joined

    def _check_webhook(self, event: str, url: str, endpoint: str) -> str:
        canonical = _EVENTS_BY_LOWER.get(_text(event).lower())
        if canonical is None:
            raise self._invalid(
                endpoint,
                f"{_text(event) or 'An empty event'} is not a Klenty webhook event; "
                f"choose one of: {', '.join(WEBHOOK_EVENTS)}.",
            )
        if not _text(url):
            raise self._invalid(endpoint, "A URL for the webhook to call is needed.")
        return canonical


def rate_limit_key(target: KlentyTarget) -> str:
    return account_rate_limit_key(SERVICE, target.api_base, target.api_key)


def _segment(value: str) -> str:
    """A path segment, URL-encoded (emails included: "@" becomes %40)."""
    return quote(_text(value), safe="")


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value
