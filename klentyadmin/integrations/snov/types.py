"""What Snov.io answers, in our spelling, and the limits its doc states.

Doc sections are named as in snov-api.txt; the paths come from NOTES.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SERVICE = "snov"
TOKEN_PATH = "/v1/oauth/access_token"
TOKEN_MARGIN_SECONDS = 60  # renew this long before Snov.io says the token expires
VERIFY_BATCH = 10  # "Add emails for verification": at most 10 emails a call
PROSPECTS_PAGE = 20
MAX_POSITIONS = 10
WEBHOOK_OBJECTS = {
    "campaign_email": ("sent", "first_sent", "opened"),
    "campaign_reply": ("received", "first_received"),
}
# Each webhook event ("object.action"), as a person reads it (klentyadmin.lib.event_labels).
WEBHOOK_EVENT_LABELS = {
    "campaign_email.sent": "Campaign email sent",
    "campaign_email.first_sent": "First campaign email sent",
    "campaign_email.opened": "Campaign email opened",
    "campaign_reply.received": "Campaign reply received",
    "campaign_reply.first_received": "First campaign reply received",
}
RECIPIENT_STATUSES = ("Active", "Paused", "Unsubscribed")
DEFAULT_POLL_SECONDS = 20.0

# Credits per the doc's notes, shown before a call that spends them.
CREDIT_COST = {
    "domain_search": 1,  # per unique request
    "prospect_email": 1,  # per prospect profile with an email
    "add_names_to_find_emails": 1,
    "add_url_for_search": 1,
    "get_profile_by_email": 1,
    "add_emails_to_verification": 1,  # per email
}


# -- results -----------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: float  # wall clock

    def fresh(self, now: float) -> bool:
        return now < self.expires_at - TOKEN_MARGIN_SECONDS


@dataclass(frozen=True)
class TaskStarted:
    task_hash: str
    result_url: str = ""


@dataclass(frozen=True)
class CompanyInfo:
    domain: str
    company_name: str
    city: str
    founded: str
    website: str
    hq_phone: str
    industry: str
    size: str
    related_domains: list[str]
    prospects_count: int
    emails_count: int
    generic_contacts_count: int


@dataclass(frozen=True)
class DomainProspect:
    first_name: str
    last_name: str
    position: str
    source_page: str
    prospect_hash: str  # the last segment of `search_emails_start`

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class ProspectPage:
    domain: str
    page: int
    total_count: int
    prospects: list[DomainProspect]
    has_next: bool


@dataclass(frozen=True)
class FoundEmail:
    email: str
    status: str  # valid, not_valid or unknown (Snov.io's smtp_status / emailStatus)


@dataclass(frozen=True)
class EmailPage:
    domain: str
    total_count: int
    emails: list[str]
    next_token: str  # pass back as `next` for the following page; "" on the last


@dataclass(frozen=True)
class EmailCount:
    domain: str
    webmail: bool
    count: int


@dataclass(frozen=True)
class FinderResult:
    found: bool  # status.identifier is "complete"
    description: str
    first_name: str
    last_name: str
    emails: list[FoundEmail]


@dataclass(frozen=True)
class Job:
    company_name: str
    position: str
    site: str
    industry: str


@dataclass(frozen=True, kw_only=True)
class Profile:
    id: str = ""
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    source: str = ""
    industry: str = ""
    country: str = ""
    locality: str = ""
    social: list[dict[str, str]] = field(default_factory=list)
    current_jobs: list[Job] = field(default_factory=list)
    previous_jobs: list[Job] = field(default_factory=list)
    emails: list[FoundEmail] = field(default_factory=list)
    lists: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Verification:
    email: str
    verified: bool  # False: Snov.io has not verified it yet ("not_verified")
    status: str  # valid, not_valid, unknown, greylisted or "" when not verified
    reason: str  # catchall, greylisted, disposable, ... or ""
    description: str = ""

    @property
    def invalid(self) -> bool:
        return self.status == "not_valid"


@dataclass(frozen=True)
class CampaignAnalytics:
    counts: dict[str, int]
    rates: dict[str, float]  # "77%" -> 77.0


@dataclass(frozen=True)
class CampaignProgress:
    status: str
    unfinished: int
    progress: float


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    list_id: int
    status: str
    created_at: datetime | None
    updated_at: datetime | None
    started_at: datetime | None


@dataclass(frozen=True)
class CampaignActivity:
    """One row of replies, opens, clicks, sent emails or completed prospects."""

    id: str
    when: datetime | None
    campaign_id: int
    campaign: str
    prospect_id: str
    name: str
    email: str
    subject: str


@dataclass(frozen=True)
class UserList:
    id: int
    name: str
    contacts: int
    deleted: bool
    created_at: datetime | None


@dataclass(frozen=True)
class ListProspect:
    id: str
    name: str
    first_name: str
    last_name: str
    emails: list[str]


@dataclass(frozen=True)
class ListPage:
    name: str
    contacts: int
    prospects: list[ListProspect]


@dataclass(frozen=True)
class CustomField:
    key: str
    label: str
    required: bool
    type: str


@dataclass(frozen=True)
class Balance:
    balance: float
    teamwork: bool
    unique_recipients_used: int
    limit_resets_in: int
    expires_in: int


@dataclass(frozen=True)
class Webhook:
    id: int
    endpoint_url: str
    event_object: str
    event_action: str
    status: str
    created_at: datetime | None


@dataclass(frozen=True)
class AddedProspect:
    id: str
    added: bool
    updated: bool
