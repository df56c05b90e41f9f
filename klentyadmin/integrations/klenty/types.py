"""What Klenty answers and what we send it, in our spelling.

Doc sections are named as in klenty-get-endpoints.txt and klenty-post-endpoints.txt
(with NOTES.md for what those pages leave out).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any

from klentyadmin.integrations.errors import ApiValidationError

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
# What each event means, as a person reads it (see klentyadmin.lib.event_labels).
WEBHOOK_EVENT_LABELS = {
    "reply": "Replied",
    "cadenceFirstReply": "First reply in the cadence",
    "sendProspect": "Email sent to the prospect",
    "prospect": "Prospect added",
    "startCadence": "Cadence started",
    "completeCadence": "Cadence completed",
    "onMailBounce": "Email bounced",
    "open": "Email opened",
    "click": "Link clicked",
    "unsubscribe": "Unsubscribed",
}


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
