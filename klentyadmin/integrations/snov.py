"""The Snov.io API: one method per documented endpoint, typed results.

Doc sections are named as in snov-api.txt; the paths come from NOTES.md (the page
lost its URLs). Snov.io's payloads mix snake_case (v2) and camelCase (v1), answer
some writes as a one-element array, and spell the same verification result three
ways; the `parse_*` functions below turn every shape into one dataclass, and no code
outside this module sees a raw Snov.io payload.

Authentication is OAuth client credentials. The token is kept per process and in
Django's cache (shared by every process when the cache is Redis) until a minute
before it expires; a 401 fetches a new one once.

Request bodies go as JSON (ApiSession's one body encoding); Snov.io takes JSON as
well as form fields, and the sandbox accepts both.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache

from klentyadmin.core.connections import SnovTarget, snov_target
from klentyadmin.integrations.errors import ApiAuthError, ApiError, ApiValidationError
from klentyadmin.integrations.http import ApiSession, AuditInfo
from klentyadmin.integrations.values import (
    integer as _int,
)
from klentyadmin.integrations.values import (
    items as _list,
)
from klentyadmin.integrations.values import (
    mapping as _dict,
)
from klentyadmin.integrations.values import (
    number as _float,
)
from klentyadmin.integrations.values import (
    text as _text,
)

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


class SnovStillWorking(ApiError):
    """An async task did not complete within the bounded wait."""

    retryable = True

    def default_message(self, name: str) -> str:
        return f"{name} is still working on it; try again in a minute."


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


# -- normalisation: the only code that reads Snov.io's payloads ---------------


def _unwrap(body: Any) -> Any:
    """Some writes answer `[{"success": true, "data": ...}]`: one element, unwrapped."""
    if isinstance(body, list) and len(body) == 1 and isinstance(body[0], dict):
        if "success" in body[0]:
            return body[0]
    return body


def parse_when(value: Any) -> datetime | None:
    """Snov.io's times: Unix seconds, "2020-07-14 13:10:46.000000", or
    {"date": ..., "timezone": "UTC"}."""
    if isinstance(value, dict):
        value = value.get("date")
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    text = _text(value)
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_task(body: Any) -> TaskStarted:
    body = _dict(body)
    task_hash = _text(_dict(body.get("meta")).get("task_hash"))
    links = _dict(body.get("links"))
    return TaskStarted(task_hash=task_hash, result_url=_text(links.get("result")))


def is_completed(body: Any) -> bool:
    return _text(_dict(body).get("status")).lower() == "completed"


def parse_company(body: Any) -> CompanyInfo:
    body = _dict(body)
    data, meta = _dict(body.get("data")), _dict(body.get("meta"))
    return CompanyInfo(
        domain=_text(meta.get("domain")),
        company_name=_text(data.get("company_name")),
        city=_text(data.get("city")),
        founded=_text(data.get("founded")),
        website=_text(data.get("website")),
        hq_phone=_text(data.get("hq_phone")),
        industry=_text(data.get("industry")),
        size=_text(data.get("size")),
        related_domains=[d for d in map(_text, _list(data.get("related_domains"))) if d],
        prospects_count=_int(meta.get("prospects_count")),
        emails_count=_int(meta.get("emails_count")),
        generic_contacts_count=_int(meta.get("generic_contacts_count")),
    )


def prospect_hash_from(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1] if url else ""


def parse_prospect_page(body: Any) -> ProspectPage:
    body = _dict(body)
    meta = _dict(body.get("meta"))
    prospects = [
        DomainProspect(
            first_name=_text(p.get("first_name")),
            last_name=_text(p.get("last_name")),
            position=_text(p.get("position")),
            source_page=_text(p.get("source_page")),
            prospect_hash=prospect_hash_from(_text(p.get("search_emails_start"))),
        )
        for p in _list(body.get("data"))
        if isinstance(p, dict)
    ]
    return ProspectPage(
        domain=_text(meta.get("domain")),
        page=_int(meta.get("page")) or 1,
        total_count=_int(meta.get("total_count")),
        prospects=prospects,
        has_next=bool(_text(_dict(body.get("links")).get("next"))),
    )


def _status_of(raw: dict) -> str:
    status = raw.get("smtp_status", raw.get("emailStatus", raw.get("status")))
    return _text(status).lower()


def parse_found_emails(items: Any) -> list[FoundEmail]:
    emails = []
    for item in _list(items):
        if isinstance(item, dict) and _text(item.get("email")):
            emails.append(FoundEmail(_text(item["email"]).lower(), _status_of(item)))
    return emails


def parse_prospect_emails(body: Any) -> list[FoundEmail]:
    return parse_found_emails(_dict(_dict(body).get("data")).get("emails"))


def parse_email_page(body: Any) -> EmailPage:
    body = _dict(body)
    meta = _dict(body.get("meta"))
    emails = [_text(e.get("email")).lower() for e in _list(body.get("data")) if isinstance(e, dict)]
    return EmailPage(
        domain=_text(meta.get("domain")),
        total_count=_int(meta.get("total_count")),
        emails=[e for e in emails if e],
        next_token=_text(meta.get("next")),
    )


def parse_email_count(body: Any) -> EmailCount:
    body = _dict(body)
    return EmailCount(
        _text(body.get("domain")), bool(body.get("webmail")), _int(body.get("result"))
    )


def parse_finder(body: Any) -> FinderResult:
    body = _dict(body)
    status, data = _dict(body.get("status")), _dict(body.get("data"))
    return FinderResult(
        found=_text(status.get("identifier")) == "complete",
        description=_text(status.get("description")),
        first_name=_text(data.get("firstName")),
        last_name=_text(data.get("lastName")),
        emails=parse_found_emails(data.get("emails")),
    )


def _jobs(items: Any) -> list[Job]:
    return [
        Job(
            _text(j.get("companyName")),
            _text(j.get("position")),
            _text(j.get("site")),
            _text(j.get("industry")),
        )
        for j in _list(items)
        if isinstance(j, dict)
    ]


def parse_profile(raw: Any) -> Profile:
    raw = _dict(raw)
    return Profile(
        id=_text(raw.get("id")),
        name=_text(raw.get("name")),
        first_name=_text(raw.get("firstName")),
        last_name=_text(raw.get("lastName")),
        source=_text(raw.get("source")),
        industry=_text(raw.get("industry")),
        country=_text(raw.get("country")),
        locality=_text(raw.get("locality")),
        social=[s for s in _list(raw.get("social")) if isinstance(s, dict)],
        current_jobs=_jobs(raw.get("currentJobs", raw.get("currentJob"))),
        previous_jobs=_jobs(raw.get("previousJobs", raw.get("previousJob"))),
        emails=parse_found_emails(raw.get("emails")),
        lists=[x for x in _list(raw.get("lists")) if isinstance(x, dict)],
        campaigns=_list(raw.get("campaigns")),
    )


def parse_profiles(body: Any) -> list[Profile]:
    data = _dict(body).get("data")
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return [parse_profile(p) for p in items]


_REASONS = (
    ("isCatchall", "catchall"),
    ("isGreylist", "greylisted"),
    ("isDisposable", "disposable"),
    ("isGibberish", "gibberish"),
    ("isBannedError", "banned"),
    ("isConnectionError", "connection error"),
)


def parse_verifications(body: Any) -> list[Verification]:
    """`{"a@x": {"status": {"identifier", "description"}, "data": {...}}, ...}`."""
    results = []
    for email, entry in _dict(body).items():
        entry = _dict(entry)
        status, data = _dict(entry.get("status")), _dict(entry.get("data"))
        verified = _text(status.get("identifier")) == "complete"
        smtp = _text(data.get("smtpStatus", data.get("smtp_status"))).lower()
        reasons = [label for key, label in _REASONS if data.get(key) is True]
        if data.get("isValidFormat") is False:
            reasons.insert(0, "bad format")
        if smtp == "greylisted" and "greylisted" not in reasons:
            reasons.append("greylisted")
        results.append(
            Verification(
                email=_text(data.get("email") or email).lower(),
                verified=verified,
                status=smtp if verified else "",
                reason=", ".join(reasons),
                description=_text(status.get("description")),
            )
        )
    return results


def parse_sent(body: Any) -> dict[str, bool]:
    """Add names/emails for verification: `{"a@x": {"sent": true}}` or `{"sent": true}`."""
    body = _dict(body)
    if "sent" in body:
        return {"": bool(body["sent"])}
    return {k: bool(_dict(v).get("sent")) for k, v in body.items()}


def parse_analytics(body: Any) -> CampaignAnalytics:
    counts, rates = {}, {}
    for key, value in _dict(body).items():
        if key.endswith("_rate"):
            rates[key[: -len("_rate")]] = _float(value)
        elif isinstance(value, int | float | str) and not isinstance(value, bool):
            counts[key] = _int(value)
    return CampaignAnalytics(counts, rates)


def parse_progress(body: Any) -> CampaignProgress:
    body = _dict(body)
    return CampaignProgress(
        _text(body.get("status")), _int(body.get("unfinished")), _float(body.get("progress"))
    )


def parse_campaign(raw: dict) -> Campaign:
    return Campaign(
        id=_int(raw.get("id")),
        name=_text(raw.get("campaign")),
        list_id=_int(raw.get("list_id")),
        status=_text(raw.get("status")),
        created_at=parse_when(raw.get("created_at")),
        updated_at=parse_when(raw.get("updated_at")),
        started_at=parse_when(raw.get("started_at")),
    )


def parse_activity(raw: dict) -> CampaignActivity:
    first_last = f"{_text(raw.get('prospectFirstName'))} {_text(raw.get('prospectLastName'))}"
    return CampaignActivity(
        id=_text(raw.get("id")),
        when=parse_when(raw.get("visitedAt") or raw.get("sentDate")),
        campaign_id=_int(raw.get("campaignId")),
        campaign=_text(raw.get("campaign")),
        prospect_id=_text(raw.get("prospectId")),
        name=_text(raw.get("prospectName") or raw.get("userName")) or first_last.strip(),
        email=_text(raw.get("prospectEmail") or raw.get("userEmail")).lower(),
        subject=_text(raw.get("emailSubject")).strip('"'),
    )


def parse_user_list(raw: dict) -> UserList:
    return UserList(
        id=_int(raw.get("id")),
        name=_text(raw.get("name")),
        contacts=_int(raw.get("contacts")),
        deleted=bool(raw.get("isDeleted")),
        created_at=parse_when(raw.get("creationDate")),
    )


def parse_list_page(body: Any) -> ListPage:
    body = _dict(body)
    info = _dict(body.get("list"))
    prospects = [
        ListProspect(
            id=_text(p.get("id")),
            name=_text(p.get("name")),
            first_name=_text(p.get("firstName")),
            last_name=_text(p.get("lastName")),
            emails=[e.email for e in parse_found_emails(p.get("emails"))],
        )
        for p in _list(body.get("prospects"))
        if isinstance(p, dict)
    ]
    return ListPage(_text(info.get("name")), _int(info.get("contacts")), prospects)


def parse_balance(body: Any) -> Balance:
    data = _dict(_dict(body).get("data"))
    return Balance(
        balance=_float(data.get("balance")),
        teamwork=bool(data.get("teamwork")),
        unique_recipients_used=_int(data.get("unique_recipients_used")),
        limit_resets_in=_int(data.get("limit_resets_in")),
        expires_in=_int(data.get("expires_in")),
    )


def parse_webhook(raw: Any) -> Webhook:
    raw = _dict(raw)
    if "data" in raw and isinstance(raw["data"], dict):  # the list wraps each one again
        raw = raw["data"]
    return Webhook(
        id=_int(raw.get("id")),
        endpoint_url=_text(raw.get("end_point") or raw.get("endpoint_url")),
        event_object=_text(raw.get("event_object")),
        event_action=_text(raw.get("event_action")),
        status=_text(raw.get("status")),
        created_at=parse_when(raw.get("created_at")),
    )


def parse_token(body: Any, now: float) -> Token:
    body = _dict(body)
    return Token(_text(body.get("access_token")), now + (_int(body.get("expires_in")) or 3600))


def account_key(client_id: str) -> str:
    return hashlib.sha256(client_id.encode()).hexdigest()[:16]


# -- the client ----------------------------------------------------------------

_process_tokens: dict[str, Token] = {}
_token_lock = threading.Lock()


def forget_tokens() -> None:
    """Drop every cached token (tests; a changed secret on the settings page)."""
    with _token_lock:
        for key in list(_process_tokens):
            cache.delete(_cache_key(key))
        _process_tokens.clear()


def _cache_key(account: str) -> str:
    return f"snov:token:{account}"


class SnovClient:
    """Snov.io, as one account sees it. Everything that fails raises an ApiError."""

    def __init__(
        self,
        target: SnovTarget,
        *,
        actor: Any = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        limiter: Any = None,
    ) -> None:
        self.target = target
        self.actor = actor
        self.clock = clock
        self.sleep = sleep
        self.account = account_key(target.client_id)
        self._limiter = limiter
        self._sessions: dict[str, ApiSession] = {}

    @classmethod
    def from_settings(cls, actor: Any = None) -> SnovClient:
        return cls(snov_target(), actor=actor)

    # -- plumbing ---------------------------------------------------------------

    def _session(self, token: str) -> ApiSession:
        session = self._sessions.get(token)
        if session is None:
            self._sessions.clear()  # an old token's session is of no more use
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            session = ApiSession(
                service=SERVICE,
                base_url=self.target.api_base,
                auth_headers=headers,
                rate_key=f"snov-{self.account}",
                per_minute=self.target.rate_limit_per_min,
                sandbox=self.target.sandbox,
                limiter=self._limiter,
                sleep=self.sleep,
            )
            self._sessions[token] = session
        return session

    def token(self, *, renew: bool = False) -> str:
        now = self.clock()
        with _token_lock:
            cached = None if renew else _process_tokens.get(self.account)
            if cached is None and not renew:
                cached = cache.get(_cache_key(self.account))
            if cached is not None and cached.fresh(now):
                _process_tokens[self.account] = cached
                return cached.access_token
        # "Authentication": client credentials for a Bearer token.
        body = ApiSession(
            service=SERVICE,
            base_url=self.target.api_base,
            auth_headers={},
            rate_key=f"snov-{self.account}",
            per_minute=self.target.rate_limit_per_min,
            sandbox=self.target.sandbox,
            limiter=self._limiter,
            sleep=self.sleep,
        ).post(
            TOKEN_PATH,
            endpoint="access_token",
            json={
                "grant_type": "client_credentials",
                "client_id": self.target.client_id,
                "client_secret": self.target.client_secret,
            },
        )
        token = parse_token(body, now)
        if not token.access_token:
            raise ApiAuthError(service=SERVICE, endpoint="access_token")
        with _token_lock:
            _process_tokens[self.account] = token
            timeout = max(1, int(token.expires_at - now - TOKEN_MARGIN_SECONDS))
            cache.set(_cache_key(self.account), token, timeout)
        return token.access_token

    def _call(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        params: dict | None = None,
        json: Any = None,
        audit: str | None = None,
    ) -> Any:
        audit_info = None
        if audit is not None:
            audit_info = AuditInfo(self.actor, endpoint, audit, {"path": path})
        for renewed in (False, True):
            session = self._session(self.token(renew=renewed))
            try:
                return session.request(
                    method, path, endpoint=endpoint, params=params, json=json, audit=audit_info
                )
            except ApiAuthError as exc:
                # An expired or revoked token: fetch a new one, once.
                if renewed or exc.status_code != 401:
                    raise
        raise AssertionError("unreachable")

    def _ok(self, body: Any, endpoint: str) -> Any:
        """Snov.io answers some refusals with HTTP 200 and `success: false`."""
        body = _unwrap(body)
        if isinstance(body, dict) and body.get("success") is False:
            message = _text(body.get("message") or body.get("error") or body.get("errors"))
            raise ApiValidationError(
                f"Snov.io did not accept the request: {message or 'no reason given'}.",
                service=SERVICE,
                endpoint=endpoint,
            )
        return body

    def _invalid(self, endpoint: str, message: str) -> ApiValidationError:
        return ApiValidationError(message, service=SERVICE, endpoint=endpoint)

    def _poll(self, endpoint: str, path: str) -> Any:
        """GET `path` until its status is completed, within the bounded wait."""
        limit = float(getattr(settings, "SNOV_POLL_SECONDS", DEFAULT_POLL_SECONDS))
        deadline = time.monotonic() + limit
        delay = 0.25
        while True:
            body = self._call("GET", path, endpoint)
            if is_completed(body):
                return body
            if time.monotonic() + delay > deadline:
                raise SnovStillWorking(service=SERVICE, endpoint=endpoint)
            self.sleep(delay)
            delay = min(delay * 2, 2.0)

    @staticmethod
    def _domain(domain: str) -> str:
        return domain.strip().lower().removeprefix("https://").removeprefix("http://").strip("/")

    def _domain_page(self, domain: str, next_token: str) -> dict[str, str]:
        """The body of a paged domain start call: the domain, and `next` after page one."""
        payload = {"domain": self._domain(domain)}
        if next_token:
            payload["next"] = next_token
        return payload

    # -- Domain search (v2, async) -------------------------------------------------

    def domain_search_start(self, domain: str) -> TaskStarted:
        # "Domain search": start. 1 credit per unique request with results.
        body = self._call(
            "POST", "/v2/domain-search/start", "domain_search_start", json={"domain": domain}
        )
        return parse_task(body)

    def domain_search_result(self, task_hash: str) -> CompanyInfo:
        # "Domain search": result.
        path = f"/v2/domain-search/result/{quote(task_hash)}"
        return parse_company(self._poll("domain_search_result", path))

    def domain_search(self, domain: str) -> CompanyInfo:
        return self.domain_search_result(self.domain_search_start(self._domain(domain)).task_hash)

    def prospects_start(
        self, domain: str, page: int = 1, positions: list[str] | None = None
    ) -> TaskStarted:
        # "Prospects" (domain search prospects): start; 20 a page.
        positions = [p for p in (positions or []) if p.strip()]
        if len(positions) > MAX_POSITIONS:
            raise self._invalid("prospects_start", "Filter by at most 10 positions.")
        payload: dict[str, Any] = {"domain": self._domain(domain), "page": max(1, page)}
        if positions:
            payload["positions"] = positions
        body = self._call(
            "POST", "/v2/domain-search/prospects/start", "prospects_start", json=payload
        )
        return parse_task(body)

    def prospects_result(self, task_hash: str) -> ProspectPage:
        # "Prospects": result.
        path = f"/v2/domain-search/prospects/result/{quote(task_hash)}"
        return parse_prospect_page(self._poll("prospects_result", path))

    def domain_prospects(
        self, domain: str, page: int = 1, positions: list[str] | None = None
    ) -> ProspectPage:
        return self.prospects_result(self.prospects_start(domain, page, positions).task_hash)

    def prospect_emails_start(self, prospect_hash: str) -> TaskStarted:
        # "Search prospect email": start. 1 credit per prospect with an email.
        if not prospect_hash:
            raise self._invalid("prospect_emails_start", "This prospect has no search link.")
        path = f"/v2/domain-search/prospects/search-emails/start/{quote(prospect_hash)}"
        return parse_task(self._call("POST", path, "prospect_emails_start"))

    def prospect_emails_result(self, task_hash: str) -> list[FoundEmail]:
        # "Search prospect email": result.
        path = f"/v2/domain-search/prospects/search-emails/result/{quote(task_hash)}"
        return parse_prospect_emails(self._poll("prospect_emails_result", path))

    def prospect_emails(self, prospect_hash: str) -> list[FoundEmail]:
        return self.prospect_emails_result(self.prospect_emails_start(prospect_hash).task_hash)

    def domain_emails_start(self, domain: str, next_token: str = "") -> TaskStarted:
        # "Domain emails": start; 50 a page, `next` for the following one.
        payload = self._domain_page(domain, next_token)
        path = "/v2/domain-search/domain-emails/start"
        return parse_task(self._call("POST", path, "domain_emails_start", json=payload))

    def domain_emails_result(self, task_hash: str) -> EmailPage:
        # "Domain emails": result.
        path = f"/v2/domain-search/domain-emails/result/{quote(task_hash)}"
        return parse_email_page(self._poll("domain_emails_result", path))

    def domain_emails(self, domain: str, next_token: str = "") -> EmailPage:
        return self.domain_emails_result(self.domain_emails_start(domain, next_token).task_hash)

    def generic_contacts_start(self, domain: str, next_token: str = "") -> TaskStarted:
        # "Generic contacts": start.
        payload = self._domain_page(domain, next_token)
        path = "/v2/domain-search/generic-contacts/start"
        return parse_task(self._call("POST", path, "generic_contacts_start", json=payload))

    def generic_contacts_result(self, task_hash: str) -> EmailPage:
        # "Generic contacts": result.
        path = f"/v2/domain-search/generic-contacts/result/{quote(task_hash)}"
        return parse_email_page(self._poll("generic_contacts_result", path))

    def generic_contacts(self, domain: str, next_token: str = "") -> EmailPage:
        return self.generic_contacts_result(
            self.generic_contacts_start(domain, next_token).task_hash
        )

    # -- v1 finders ---------------------------------------------------------------------

    def email_count(self, domain: str) -> EmailCount:
        # "Email count" (free).
        body = self._call(
            "POST",
            "/v1/get-domain-emails-count",
            "email_count",
            json={"domain": self._domain(domain)},
        )
        return parse_email_count(self._ok(body, "email_count"))

    def _names(self, endpoint: str, first_name: str, last_name: str, domain: str) -> dict:
        if not (first_name.strip() and last_name.strip() and domain.strip()):
            raise self._invalid(endpoint, "A first name, a last name and a domain are needed.")
        return {
            "firstName": first_name.strip(),
            "lastName": last_name.strip(),
            "domain": self._domain(domain),
        }

    def email_finder(self, first_name: str, last_name: str, domain: str) -> FinderResult:
        # "Email Finder" (free).
        payload = self._names("email_finder", first_name, last_name, domain)
        body = self._call("POST", "/v1/get-emails-from-names", "email_finder", json=payload)
        return parse_finder(self._ok(body, "email_finder"))

    def add_names_to_find_emails(self, first_name: str, last_name: str, domain: str) -> bool:
        # "Add names to find emails": 1 credit per request.
        payload = self._names("add_names_to_find_emails", first_name, last_name, domain)
        body = self._call(
            "POST", "/v1/add-names-to-find-emails", "add_names_to_find_emails", json=payload
        )
        return all(parse_sent(self._ok(body, "add_names_to_find_emails")).values())

    def add_url_for_search(self, url: str) -> bool:
        # "Add URL to search for prospect": 1 credit per request.
        if not url.strip():
            raise self._invalid("add_url_for_search", "A profile URL is needed.")
        body = self._call(
            "POST", "/v1/add-url-for-search", "add_url_for_search", json={"url": url.strip()}
        )
        return bool(_dict(self._ok(body, "add_url_for_search")).get("success"))

    def get_emails_from_url(self, url: str) -> list[Profile]:
        # "Get prospect with URL" (free).
        body = self._call(
            "POST", "/v1/get-emails-from-url", "get_emails_from_url", json={"url": url.strip()}
        )
        return parse_profiles(self._ok(body, "get_emails_from_url"))

    def get_profile_by_email(self, email: str) -> Profile:
        # "Get profile with email": 1 credit when found.
        body = self._call(
            "POST",
            "/v1/get-profile-by-email",
            "get_profile_by_email",
            json={"email": email.strip()},
        )
        return parse_profile(self._ok(body, "get_profile_by_email"))

    # -- verification ---------------------------------------------------------------

    def _emails(self, endpoint: str, emails: list[str]) -> list[str]:
        cleaned = list(dict.fromkeys(e.strip().lower() for e in emails if e and e.strip()))
        if not cleaned:
            raise self._invalid(endpoint, "Give at least one email address.")
        if len(cleaned) > VERIFY_BATCH:
            raise self._invalid(endpoint, f"Snov.io takes at most {VERIFY_BATCH} emails a call.")
        return cleaned

    def email_verifier(self, emails: list[str]) -> list[Verification]:
        # "Email Verifier" (free): results for emails already verified.
        payload = {"emails": self._emails("email_verifier", emails)}
        body = self._call(
            "POST", "/v1/get-emails-verification-status", "email_verifier", json=payload
        )
        return parse_verifications(self._ok(body, "email_verifier"))

    def add_emails_to_verification(self, emails: list[str]) -> dict[str, bool]:
        # "Add emails for verification": 1 credit per email, at most 10 a call.
        payload = {"emails": self._emails("add_emails_to_verification", emails)}
        body = self._call(
            "POST", "/v1/add-emails-to-verification", "add_emails_to_verification", json=payload
        )
        return parse_sent(self._ok(body, "add_emails_to_verification"))

    def verify_emails(
        self,
        emails: list[str],
        progress: Callable[[int, int], None] | None = None,
        *,
        push: bool = True,
        before_push: Callable[[list[str]], None] | None = None,
    ) -> list[Verification]:
        """Verify any number of emails, 10 a call: ask, push the ones Snov.io has not
        verified (1 credit each), then ask again until they are done or the bounded wait
        is over. Emails still unverified come back with verified=False.

        `before_push` is told which emails are about to be pushed, so a caller can record
        that before the credits are spent; `push=False` only asks and waits (for emails
        pushed by an earlier attempt, which must not be paid for twice)."""
        unique = list(dict.fromkeys(e.strip().lower() for e in emails if e and e.strip()))
        results: dict[str, Verification] = {}
        batches = [unique[i : i + VERIFY_BATCH] for i in range(0, len(unique), VERIFY_BATCH)]

        def ask(batch: list[str]) -> None:
            for v in self.email_verifier(batch):
                results[v.email] = v
            if progress is not None:
                progress(sum(1 for v in results.values() if v.verified), len(unique))

        def pending(batch: list[str]) -> list[str]:
            return [e for e in batch if e not in results or not results[e].verified]

        for batch in batches:
            ask(batch)
        for batch in batches:
            if push and pending(batch):
                if before_push is not None:
                    before_push(pending(batch))
                self.add_emails_to_verification(pending(batch))
        limit = float(getattr(settings, "SNOV_POLL_SECONDS", DEFAULT_POLL_SECONDS))
        pushed_at, delay = time.monotonic(), 0.25
        while any(pending(b) for b in batches) and time.monotonic() - pushed_at + delay <= limit:
            self.sleep(delay)
            delay = min(delay * 2, 2.0)
            for batch in batches:
                if pending(batch):
                    ask(pending(batch))
        return [results.get(e) or Verification(e, False, "", "") for e in unique]

    # -- campaigns ---------------------------------------------------------------------

    def campaign_analytics(
        self,
        campaign_ids: list[int] | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        sender_email: str = "",
        campaign_owner: str = "",
    ) -> CampaignAnalytics:
        # "Get campaign analytics" (free).
        params: dict[str, str] = {}
        if campaign_ids:
            params["campaign_id"] = ",".join(str(i) for i in campaign_ids)
        if date_from:
            params["date_from"] = date_from.isoformat()
        if date_to:
            params["date_to"] = date_to.isoformat()
        if sender_email:
            params["sender_email"] = sender_email
        if campaign_owner:
            params["campaign_owner"] = campaign_owner
        body = self._call(
            "GET", "/v2/statistics/campaign-analytics", "campaign_analytics", params=params
        )
        return parse_analytics(self._ok(body, "campaign_analytics"))

    def campaign_progress(self, campaign_id: int) -> CampaignProgress:
        # "View campaign progress" (free).
        path = f"/v2/campaigns/{int(campaign_id)}/progress"
        return parse_progress(
            self._ok(self._call("GET", path, "campaign_progress"), "campaign_progress")
        )

    def change_recipient_status(self, email: str, campaign_id: int, status: str) -> None:
        # "Change recipient's status" (free). Finished or Moved recipients cannot change.
        if status not in RECIPIENT_STATUSES:
            raise self._invalid("change_recipient_status", "Choose Active, Paused or Unsubscribed.")
        payload = {"email": email.strip(), "campaign_id": str(campaign_id), "status": status}
        body = self._call(
            "POST",
            "/v1/change-recipient-status",
            "change_recipient_status",
            json=payload,
            audit=email.strip(),
        )
        self._ok(body, "change_recipient_status")

    def _activity(self, endpoint: str, path: str, campaign_id: int, offset: int) -> list:
        params = {"campaignId": str(int(campaign_id))}
        if offset:
            params["offset"] = str(offset)
        body = self._ok(self._call("GET", path, endpoint, params=params), endpoint)
        return [parse_activity(r) for r in _list(body) if isinstance(r, dict)]

    def completed_prospects(self, campaign_id: int) -> list[CampaignActivity]:
        # "See list of completed prospects".
        return self._activity("completed_prospects", "/v1/prospect-finished", campaign_id, 0)

    def campaign_replies(self, campaign_id: int, offset: int = 0) -> list[CampaignActivity]:
        # "See campaign replies": 10,000 at most per call, `offset` for more.
        return self._activity("campaign_replies", "/v1/get-emails-replies", campaign_id, offset)

    def campaign_opens(self, campaign_id: int, offset: int = 0) -> list[CampaignActivity]:
        # "Get info about campaign opens".
        return self._activity("campaign_opens", "/v1/get-emails-opened", campaign_id, offset)

    def campaign_clicks(self, campaign_id: int, offset: int = 0) -> list[CampaignActivity]:
        # "Check link clicks".
        return self._activity("campaign_clicks", "/v1/get-emails-clicked", campaign_id, offset)

    def sent_emails(self, campaign_id: int, offset: int = 0) -> list[CampaignActivity]:
        # "View sent emails".
        return self._activity("sent_emails", "/v1/emails-sent", campaign_id, offset)

    def campaigns(self) -> list[Campaign]:
        # "View all campaigns".
        body = self._ok(self._call("GET", "/v1/get-user-campaigns", "campaigns"), "campaigns")
        return [parse_campaign(r) for r in _list(body) if isinstance(r, dict)]

    # -- prospects and lists --------------------------------------------------------------

    def add_to_do_not_email_list(self, items: list[str], list_id: int | str) -> list[str]:
        # "Add to Do-not-email List": returns the items that were already there.
        items = [i.strip() for i in items if i and i.strip()]
        if not items:
            raise self._invalid("do_not_email_list", "Give an email or a domain.")
        body = self._call(
            "POST",
            "/v1/do-not-email-list",
            "do_not_email_list",
            json={"items": items, "listId": str(list_id)},
            audit=", ".join(items)[:200],
        )
        data = _dict(_dict(self._ok(body, "do_not_email_list")).get("data"))
        return [_text(d) for d in _list(data.get("duplicates"))]

    def add_prospect_to_list(
        self, list_id: int | str, email: str, *, update: bool = False, **fields: Any
    ) -> AddedProspect:
        # "Add prospect to list": fields in Snov.io's spelling (firstName, position, ...).
        if not email.strip():
            raise self._invalid("add_prospect_to_list", "An email is needed.")
        payload = {k: v for k, v in fields.items() if v not in (None, "")}
        payload.update(email=email.strip(), listId=str(list_id), updateContact=update)
        body = self._call(
            "POST", "/v1/add-prospect-to-list", "add_prospect_to_list", json=payload, audit=email
        )
        body = _dict(self._ok(body, "add_prospect_to_list"))
        return AddedProspect(
            _text(body.get("id")), bool(body.get("added")), bool(body.get("updated"))
        )

    def get_prospect_by_id(self, prospect_id: str) -> Profile:
        # "Find prospect by ID".
        body = self._call(
            "POST", "/v1/get-prospect-by-id", "get_prospect_by_id", json={"id": prospect_id}
        )
        profiles = parse_profiles(self._ok(body, "get_prospect_by_id"))
        return profiles[0] if profiles else Profile()

    def get_prospects_by_email(self, email: str) -> list[Profile]:
        # "Find prospect by email".
        body = self._call(
            "POST", "/v1/get-prospects-by-email", "get_prospects_by_email", json={"email": email}
        )
        return parse_profiles(self._ok(body, "get_prospects_by_email"))

    def custom_fields(self) -> list[CustomField]:
        # "Find prospect's custom fields".
        body = self._ok(
            self._call("GET", "/v1/prospect-custom-fields", "custom_fields"), "custom_fields"
        )
        return [
            CustomField(
                _text(r.get("key")),
                _text(r.get("label")),
                bool(r.get("required")),
                _text(r.get("type")),
            )
            for r in _list(body)
            if isinstance(r, dict)
        ]

    def user_lists(self) -> list[UserList]:
        # "See user lists".
        body = self._ok(self._call("GET", "/v1/get-user-lists", "user_lists"), "user_lists")
        return [parse_user_list(r) for r in _list(body) if isinstance(r, dict)]

    def prospects_in_list(self, list_id: int | str, page: int = 1, per_page: int = 100) -> ListPage:
        # "View prospects in list": at most 100 a page, newest first.
        payload = {
            "listId": str(list_id),
            "page": max(1, page),
            "perPage": min(max(1, per_page), 100),
        }
        body = self._call("POST", "/v1/prospect-list", "prospects_in_list", json=payload)
        return parse_list_page(self._ok(body, "prospects_in_list"))

    def create_list(self, name: str) -> int:
        # "Create new prospect list".
        if not name.strip():
            raise self._invalid("create_list", "Name the list.")
        body = self._call(
            "POST", "/v1/lists", "create_list", json={"name": name.strip()}, audit=name
        )
        return _int(_dict(_dict(self._ok(body, "create_list")).get("data")).get("id"))

    def balance(self) -> Balance:
        # "Check user balance".
        return parse_balance(self._ok(self._call("GET", "/v1/get-balance", "balance"), "balance"))

    # -- webhooks -------------------------------------------------------------------

    def webhooks(self) -> list[Webhook]:
        # "List all webhooks".
        body = self._call("GET", "/v2/webhooks", "webhooks")
        return [parse_webhook(r) for r in _list(_dict(body).get("data"))]

    def add_webhook(self, event_object: str, event_action: str, endpoint_url: str) -> Webhook:
        # "Add webhook": at most 50 per account.
        if event_action not in WEBHOOK_OBJECTS.get(event_object, ()):
            raise self._invalid("add_webhook", "Choose one of the documented webhook events.")
        payload = {
            "event_object": event_object,
            "event_action": event_action,
            "endpoint_url": endpoint_url,
        }
        body = self._call(
            "POST",
            "/v2/webhooks",
            "add_webhook",
            json=payload,
            audit=f"{event_object}.{event_action}",
        )
        return parse_webhook(_dict(body).get("data"))

    def change_webhook_status(self, webhook_id: int, active: bool) -> Webhook:
        # "Change webhook status".
        payload = {"status": "active" if active else "deactivated"}
        body = self._call(
            "PUT",
            f"/v2/webhooks/{int(webhook_id)}",
            "change_webhook_status",
            json=payload,
            audit=str(webhook_id),
        )
        return parse_webhook(_dict(body).get("data"))

    def delete_webhook(self, webhook_id: int) -> bool:
        # "Delete a webhook".
        body = self._call(
            "DELETE", f"/v2/webhooks/{int(webhook_id)}", "delete_webhook", audit=str(webhook_id)
        )
        return bool(_dict(_dict(body).get("data")).get("success"))
