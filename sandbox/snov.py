"""The Snov.io sandbox: every documented method, answered in the documented shapes.

- Token: `POST /snov/v1/oauth/access_token` (form, JSON or query fields); tokens live
  `snov_token_ttl` seconds (config). Methods take `Authorization: Bearer` or an
  `access_token` form/query/JSON field.
- Async v2 searches complete `snov_task_delay_ms` after their start (config, 1 s by
  default); until then the result answers `"status": "in_progress"`.
- Credits (`snov_balance`, 500 by default) are spent as the doc's notes say: domain
  search 1 per request with results, a prospect's email 1 when found, add names /
  add URL / profile by email 1 each, add emails for verification 1 per email.
- Snov.io's own limit: `snov_rate_limit_per_min` (60) per account, on top of the
  sandbox-wide limit.
- Verification: unknown emails answer `not_verified` until added for verification
  and the task delay has passed; the outcome per email is fixed (snov_seed).
- Webhooks: `POST /_sandbox/snov/webhook-event` fires an event to the active ones.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs

from sandbox.server import (
    ApiError,
    RateLimiter,
    Request,
    Route,
    Router,
    SandboxApp,
    Service,
)
from sandbox.snov_seed import (
    Company,
    seed_campaigns,
    seed_companies,
    stable_hash,
    verification_outcome,
    when,
)

DEFAULT_BALANCE = 500
DEFAULT_TOKEN_TTL = 3600
DEFAULT_TASK_DELAY_MS = 1000
DEFAULT_RATE_LIMIT = 60
MAX_WEBHOOKS = 50
WEBHOOK_EVENTS = {
    "campaign_email": ("sent", "first_sent", "opened"),
    "campaign_reply": ("received", "first_received"),
}
TOKEN_PATH = "/snov/v1/oauth/access_token"


def bad(message: str, status: int = 400) -> ApiError:
    return ApiError(status, "BAD_REQUEST", message)


def fields(request: Request) -> dict[str, Any]:
    """Query, form and JSON fields together; `x[]` and repeated keys become lists."""
    merged: dict[str, Any] = dict(request.query)
    body = request.raw_body.strip()
    if body:
        content_type = (request.headers.get("Content-Type") or "").lower()
        if "json" in content_type or body[:1] in (b"{", b"["):
            parsed = request.json(default={})
            if not isinstance(parsed, dict):
                raise bad("The body must be a JSON object")
            merged.update(parsed)
        else:
            for key, values in parse_qs(body.decode("utf-8", "replace")).items():
                merged[key] = values if key.endswith("[]") or len(values) > 1 else values[0]
    for key in [k for k in merged if k.endswith("[]")]:
        value = merged.pop(key)
        merged[key[:-2]] = value if isinstance(value, list) else [value]
    return merged


def text(data: dict, key: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise bad(f"{key} is required")
        return ""
    if not isinstance(value, str | int):
        raise bad(f"{key} must be text")
    return str(value).strip()


def whole(data: dict, key: str, default: int) -> int:
    value = data.get(key, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad(f"{key} must be a whole number") from None


@dataclass
class Task:
    kind: str
    ready_at: float
    result: dict[str, Any]
    meta: dict[str, Any]


class SnovState:
    def __init__(self, seed: int, balance: int):
        self.seed = seed
        self.now = datetime.now(UTC)
        self.companies: dict[str, Company] = seed_companies(seed)
        self.by_hash = {p.hash: p for c in self.companies.values() for p in c.prospects}
        self.campaigns = seed_campaigns(seed, self.now)
        self.balance = balance
        self.spent = 0
        self.tasks: dict[str, Task] = {}
        self.tokens: dict[str, tuple[str, float]] = {}
        self.verified: dict[str, float] = {}  # email -> when its verification is ready
        self.searched_domains: set[str] = set()
        self.found_names: dict[tuple[str, str, str], float] = {}
        self.urls: dict[str, float] = {}
        self.lists: dict[int, dict[str, Any]] = {
            1818597: {"name": "FirstSend", "prospects": {}, "deleted": False},
            1505383: {"name": "All prospects", "prospects": {}, "deleted": False},
        }
        self.prospects: dict[str, dict[str, Any]] = {}  # id -> prospect added to a list
        self.do_not_email: set[str] = set()
        self.webhooks: dict[int, dict[str, Any]] = {}
        self.next_webhook = 1

    def spend(self, credits: int) -> None:
        if credits > self.balance:
            raise bad("You do not have enough credits to perform this action", 402)
        self.balance -= credits
        self.spent += credits


class SnovService(Service):
    name = "snov"
    prefix = "/snov"
    config_keys = (
        "snov_token_ttl",
        "snov_task_delay_ms",
        "snov_balance",
        "snov_rate_limit_per_min",
    )

    def __init__(self, app: SandboxApp, *, seed: int, **credentials: Any):
        super().__init__()
        self.app = app
        self.seed = seed
        self.credentials = credentials
        self.client_id = credentials.get("client_id", "sandbox-snov-id")
        self.client_secret = credentials.get("client_secret", "sandbox-snov-secret")
        self.token_ttl = DEFAULT_TOKEN_TTL
        self.task_delay = DEFAULT_TASK_DELAY_MS / 1000
        self.limiter = RateLimiter(DEFAULT_RATE_LIMIT)
        self.state = SnovState(seed, DEFAULT_BALANCE)
        self.router = Router(
            [
                ("POST", "v1/oauth/access_token", self.access_token),
                ("POST", "v2/domain-search/start", self.domain_search_start),
                ("GET", "v2/domain-search/result/{task}", self.task_result),
                ("POST", "v2/domain-search/prospects/start", self.prospects_start),
                ("GET", "v2/domain-search/prospects/result/{task}", self.task_result),
                (
                    "POST",
                    "v2/domain-search/prospects/search-emails/start/{prospect}",
                    self.search_emails_start,
                ),
                ("GET", "v2/domain-search/prospects/search-emails/result/{task}", self.task_result),
                ("POST", "v2/domain-search/domain-emails/start", self.domain_emails_start),
                ("GET", "v2/domain-search/domain-emails/result/{task}", self.task_result),
                ("POST", "v2/domain-search/generic-contacts/start", self.generic_start),
                ("GET", "v2/domain-search/generic-contacts/result/{task}", self.task_result),
                ("POST", "v1/get-domain-emails-count", self.email_count),
                ("POST", "v1/get-emails-from-names", self.email_finder),
                ("POST", "v1/add-names-to-find-emails", self.add_names),
                ("POST", "v1/add-url-for-search", self.add_url),
                ("POST", "v1/get-emails-from-url", self.emails_from_url),
                ("POST", "v1/get-profile-by-email", self.profile_by_email),
                ("POST", "v1/get-emails-verification-status", self.verification_status),
                ("POST", "v1/add-emails-to-verification", self.add_to_verification),
                ("GET", "v2/statistics/campaign-analytics", self.campaign_analytics),
                ("GET", "v2/campaigns/{campaign}/progress", self.campaign_progress),
                ("POST", "v1/change-recipient-status", self.change_recipient_status),
                ("GET", "v1/prospect-finished", self.prospect_finished),
                ("GET", "v1/get-emails-replies", self.replies),
                ("GET", "v1/get-emails-opened", self.opens),
                ("GET", "v1/get-emails-clicked", self.clicks),
                ("GET", "v1/emails-sent", self.sent),
                ("GET", "v1/get-user-campaigns", self.user_campaigns),
                ("POST", "v1/do-not-email-list", self.do_not_email_list),
                ("POST", "v1/add-prospect-to-list", self.add_prospect_to_list),
                ("POST", "v1/get-prospect-by-id", self.prospect_by_id),
                ("POST", "v1/get-prospects-by-email", self.prospects_by_email),
                ("GET", "v1/prospect-custom-fields", self.custom_fields),
                ("GET", "v1/get-user-lists", self.user_lists),
                ("POST", "v1/prospect-list", self.prospect_list),
                ("POST", "v1/lists", self.create_list),
                ("GET", "v1/get-balance", self.balance),
                ("GET", "v2/webhooks", self.list_webhooks),
                ("POST", "v2/webhooks", self.add_webhook),
                ("PUT", "v2/webhooks/{hook}", self.change_webhook),
                ("DELETE", "v2/webhooks/{hook}", self.delete_webhook),
            ]
        )

    # Service hooks --------------------------------------------------------------

    def authenticate(self, request: Request) -> str:
        if request.path == TOKEN_PATH:
            self._take(self.client_id)
            return f"snov:{self.client_id}"
        header = request.headers.get("Authorization") or ""
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not token:
            try:
                token = str(fields(request).get("access_token") or "")
            except ApiError:
                token = ""
        with self.app.lock:
            known = self.state.tokens.get(token)
        if known is None:
            raise ApiError(401, "UNAUTHORIZED", "Invalid or missing access token")
        if known[1] <= time.time():
            raise ApiError(401, "TOKEN_EXPIRED", "The access token has expired")
        self._take(known[0])
        return f"snov:{known[0]}"

    def _take(self, account: str) -> None:
        wait = self.limiter.take(account)
        if wait:
            message = f"Rate limit of {self.limiter.limit} requests a minute exceeded"
            raise ApiError(429, "RATE_LIMITED", message, {"Retry-After": str(wait)})

    def error_body(self, code: str, message: str) -> dict[str, Any]:
        return {"success": False, "message": message, "code": code}

    def reset(self, options: dict[str, Any]) -> dict[str, Any]:
        seed = options.get("seed", self.seed)
        self.token_ttl = DEFAULT_TOKEN_TTL
        self.task_delay = DEFAULT_TASK_DELAY_MS / 1000
        self.limiter.reset(DEFAULT_RATE_LIMIT)
        self.state = SnovState(seed, DEFAULT_BALANCE)
        return {"snov_balance": self.state.balance}

    def configure(self, options: dict[str, Any]) -> None:
        def number(key: str, low: int, high: int) -> int:
            value = options[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ApiError(
                    400, "BAD_CONFIG", f"{key} must be a whole number from {low} to {high}"
                )
            return value

        if "snov_token_ttl" in options:
            self.token_ttl = number("snov_token_ttl", 0, 86_400)
        if "snov_task_delay_ms" in options:
            self.task_delay = number("snov_task_delay_ms", 0, 600_000) / 1000
        if "snov_balance" in options:
            self.state.balance = number("snov_balance", 0, 10_000_000)
        if "snov_rate_limit_per_min" in options:
            self.limiter.reset(number("snov_rate_limit_per_min", 0, 1_000_000))

    def config(self) -> dict[str, Any]:
        return {
            "snov_token_ttl": self.token_ttl,
            "snov_task_delay_ms": int(self.task_delay * 1000),
            "snov_balance": self.state.balance,
            "snov_rate_limit_per_min": self.limiter.limit,
        }

    def control_routes(self) -> list[Route]:
        return [
            ("GET", "snov/state", self.control_state),
            ("POST", "snov/webhook-event", self.control_webhook_event),
        ]

    def stats(self) -> dict[str, Any]:
        return {"snov": {"balance": self.state.balance, "spent": self.state.spent}}

    # Token ----------------------------------------------------------------------------

    def access_token(self, request: Request) -> dict[str, Any]:
        # "Authentication"
        data = fields(request)
        if data.get("grant_type") != "client_credentials":
            raise bad("grant_type must be client_credentials")
        if (
            data.get("client_id") != self.client_id
            or data.get("client_secret") != self.client_secret
        ):
            raise ApiError(401, "INVALID_CLIENT", "Invalid client credentials")
        token = secrets.token_hex(20)
        self.state.tokens[token] = (self.client_id, time.time() + self.token_ttl)
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.token_ttl}

    # Async tasks ---------------------------------------------------------------------

    def _base(self, request: Request) -> str:
        host = request.headers.get("Host") or "127.0.0.1"
        return f"http://{host}/snov"

    def _start(self, request: Request, kind: str, meta: dict[str, Any], result: dict) -> dict:
        task_hash = secrets.token_hex(16)
        meta = {**meta, "task_hash": task_hash}
        self.state.tasks[task_hash] = Task(kind, time.time() + self.task_delay, result, meta)
        link = f"{self._base(request)}/v2/domain-search/{kind}result/{task_hash}"
        return {"data": [], "meta": meta, "links": {"result": link}}

    def task_result(self, request: Request, task: str) -> dict[str, Any]:
        found = self.state.tasks.get(task)
        if found is None:
            raise bad("Task not found", 404)
        if time.time() < found.ready_at:
            return {"data": [], "meta": found.meta, "links": {}, "status": "in_progress"}
        return {
            **found.result,
            "meta": {**found.meta, **found.result.get("meta", {})},
            "status": "completed",
        }

    def _domain(self, data: dict) -> str:
        domain = text(data, "domain").lower().removeprefix("www.")
        if "." not in domain or " " in domain:
            raise bad("domain is not a valid domain name")
        return domain

    def domain_search_start(self, request: Request) -> dict[str, Any]:
        # "Domain search": 1 credit per unique request; none without results.
        domain = self._domain(fields(request))
        company = self.state.companies.get(domain)
        base = self._base(request)
        if company is not None and domain not in self.state.searched_domains:
            self.state.spend(1)
            self.state.searched_domains.add(domain)
        data = {}
        counts = {"prospects_count": 0, "emails_count": 0, "generic_contacts_count": 0}
        if company is not None:
            data = {
                "company_name": company.name,
                "city": company.city,
                "founded": company.founded,
                "website": f"https://{domain}",
                "hq_phone": "1"
                + stable_hash(domain, length=10).translate(str.maketrans("abcdef", "123456")),
                "industry": company.industry,
                "size": company.size,
                "related_domains": [domain.replace(".example", ".test.example")],
            }
            counts = {
                "prospects_count": len(company.prospects),
                "emails_count": len(company.domain_emails),
                "generic_contacts_count": len(company.generic),
            }
        result = {
            "data": data,
            "meta": counts,
            "links": {
                "prospects": f"{base}/v2/domain-search/prospects/start",
                "domain_emails": f"{base}/v2/domain-search/domain-emails/start",
                "generic_contacts": f"{base}/v2/domain-search/generic-contacts/start",
            },
        }
        return self._start(request, "", {"domain": domain}, result)

    def prospects_start(self, request: Request) -> dict[str, Any]:
        # "Prospects": 20 a page, filtered by up to 10 positions.
        data = fields(request)
        domain = self._domain(data)
        page = max(1, whole(data, "page", 1))
        positions = data.get("positions") or []
        if isinstance(positions, str):
            positions = [p for p in positions.split(",") if p.strip()]
        if len(positions) > 10:
            raise bad("You can filter by up to 10 positions per request")
        company = self.state.companies.get(domain)
        people = company.prospects if company else []
        if positions:
            wanted = {p.strip().lower() for p in positions}
            people = [p for p in people if p.position.lower() in wanted]
        chunk = people[(page - 1) * 20 : page * 20]
        base = self._base(request)
        rows = [
            {
                "first_name": p.first_name,
                "last_name": p.last_name,
                "position": p.position,
                "source_page": f"https://social.example/in/{p.hash[:12]}",
                "search_emails_start": f"{base}/v2/domain-search/prospects/search-emails/start/{p.hash}",
            }
            for p in chunk
        ]
        more = page * 20 < len(people)
        meta = {"domain": domain, "tab": "prospects", "page": page, "positions": positions}
        result = {
            "data": rows,
            "meta": {"total_count": len(people)},
            "links": {
                "next": f"{base}/v2/domain-search/prospects/start?page={page + 1}" if more else ""
            },
        }
        return self._start(request, "prospects/", meta, result)

    def search_emails_start(self, request: Request, prospect: str) -> dict[str, Any]:
        # "Search prospect email": 1 credit when an email is found.
        person = self.state.by_hash.get(prospect)
        if person is None:
            raise bad("Prospect not found", 404)
        emails = []
        if person.email:
            self.state.spend(1)
            outcome = verification_outcome(person.email)
            status = "valid" if outcome["smtp"] == "valid" else "unknown"
            emails = [{"email": person.email, "smtp_status": status}]
        result = {
            "data": {
                "searching_date": self.state.now.strftime("%Y-%m-%d %H:%M:%S"),
                "emails": emails,
            },
            "links": [],
        }
        return self._start(request, "prospects/search-emails/", {}, result)

    def _email_pages(self, request: Request, kind: str, tab: str, emails: list[str], domain: str):
        data = fields(request)
        offset = whole(data, "next", 0) if str(data.get("next", "")).isdigit() else 0
        chunk = emails[offset : offset + 50]
        following = str(offset + 50) if offset + 50 < len(emails) else ""
        base = self._base(request)
        result = {
            "data": [{"email": e} for e in chunk],
            "meta": {"next": following, "total_count": len(emails)},
            "links": {
                "next": f"{base}/v2/domain-search/{kind}start?next={following}" if following else ""
            },
        }
        return self._start(request, kind, {"domain": domain, "tab": tab, "next": following}, result)

    def domain_emails_start(self, request: Request) -> dict[str, Any]:
        # "Domain emails": 50 a page.
        domain = self._domain(fields(request))
        company = self.state.companies.get(domain)
        emails = company.domain_emails if company else []
        return self._email_pages(request, "domain-emails/", "emails", emails, domain)

    def generic_start(self, request: Request) -> dict[str, Any]:
        # "Generic contacts".
        domain = self._domain(fields(request))
        company = self.state.companies.get(domain)
        emails = company.generic if company else []
        return self._email_pages(request, "generic-contacts/", "service", emails, domain)

    # v1 finders -------------------------------------------------------------------------

    def email_count(self, request: Request) -> dict[str, Any]:
        # "Email count" (free).
        domain = self._domain(fields(request))
        webmail = domain in {"gmail.com", "yahoo.com", "outlook.com"}
        company = self.state.companies.get(domain)
        count = 0 if webmail or company is None else len(company.domain_emails)
        return {"success": True, "domain": domain, "webmail": webmail, "result": count}

    def _person(self, data: dict):
        first, last = text(data, "firstName").lower(), text(data, "lastName").lower()
        domain = self._domain(data)
        company = self.state.companies.get(domain)
        for p in company.prospects if company else []:
            if p.first_name.lower() == first and p.last_name.lower() == last:
                return (first, last, domain), p
        return (first, last, domain), None

    def email_finder(self, request: Request) -> dict[str, Any]:
        # "Email Finder" (free): known people, or names pushed with add-names once ready.
        data = fields(request)
        key, person = self._person(data)
        email = person.email if person else ""
        pushed = self.state.found_names.get(key)
        if not email and pushed is not None and pushed <= time.time():
            email = f"{key[0]}.{key[1]}@{key[2]}"
        emails = []
        if email:
            status = "valid" if verification_outcome(email)["smtp"] == "valid" else "unknown"
            emails = [{"email": email, "emailStatus": status}]
        identifier = "complete" if emails else "not_found"
        return {
            "success": True,
            "params": {
                "firstName": data["firstName"],
                "lastName": data["lastName"],
                "domain": key[2],
            },
            "data": {
                "firstName": data["firstName"],
                "lastName": data["lastName"],
                "emails": emails,
            },
            "status": {
                "identifier": identifier,
                "description": "Emails search is completed" if emails else "Emails not found",
            },
        }

    def add_names(self, request: Request) -> dict[str, Any]:
        # "Add names to find emails": 1 credit per request.
        key, _ = self._person(fields(request))
        self.state.spend(1)
        self.state.found_names.setdefault(key, time.time() + self.task_delay)
        return {"success": True, "message": "", "sent": True}

    def add_url(self, request: Request) -> dict[str, Any]:
        # "Add URL to search for prospect": 1 credit per request.
        url = text(fields(request), "url")
        self.state.spend(1)
        self.state.urls.setdefault(url, time.time() + self.task_delay)
        return {"success": True}

    def _profile(self, person, *, with_emails: bool = True) -> dict[str, Any]:
        company = self.state.companies[person.domain]
        job = {
            "companyName": company.name,
            "position": person.position,
            "socialLink": None,
            "site": f"https://{company.domain}",
            "locality": company.city,
            "industry": company.industry,
            "size": company.size,
            "country": "United States",
        }
        profile = {
            "id": person.hash[:24],
            "name": person.name,
            "firstName": person.first_name,
            "lastName": person.last_name,
            "sourcePage": f"https://social.example/in/{person.hash[:12]}",
            "source": "linkedIn",
            "industry": company.industry,
            "country": "United States",
            "locality": company.city,
            "lastUpdateDate": when(self.state.now),
            "currentJob": [job],
            "previousJob": [],
            "social": [
                {"link": f"https://social.example/in/{person.hash[:12]}", "type": "linkedIn"}
            ],
        }
        if with_emails:
            profile["emails"] = [{"email": person.email, "status": "valid"}] if person.email else []
        return profile

    def emails_from_url(self, request: Request) -> dict[str, Any]:
        # "Get prospect with URL" (free), after Add URL.
        url = text(fields(request), "url")
        ready = self.state.urls.get(url)
        person = next((p for p in self.state.by_hash.values() if p.hash[:12] in url), None)
        if ready is None or ready > time.time() or person is None:
            return {"success": False, "message": "The prospect has not been found yet"}
        return {"success": True, "data": [self._profile(person)]}

    def profile_by_email(self, request: Request) -> dict[str, Any]:
        # "Get profile with email": 1 credit when found.
        email = text(fields(request), "email").lower()
        person = next((p for p in self.state.by_hash.values() if p.email == email), None)
        if person is None:
            return {"success": False, "message": "No profile found for this email"}
        self.state.spend(1)
        profile = self._profile(person, with_emails=False)
        profile["currentJobs"] = profile.pop("currentJob")
        profile["previousJobs"] = profile.pop("previousJob")
        profile["logo"] = ""
        profile["lastUpdateDate"] = self.state.now.strftime("%Y-%m-%d %H:%M:%S")
        return {"success": True, **profile}

    # Verification ------------------------------------------------------------------------

    def _email_list(self, request: Request) -> list[str]:
        emails = fields(request).get("emails")
        if isinstance(emails, str):
            emails = [emails]
        if (
            not isinstance(emails, list)
            or not emails
            or not all(isinstance(e, str) for e in emails)
        ):
            raise bad("emails is required")
        return [e.strip().lower() for e in emails]

    def verification_status(self, request: Request) -> dict[str, Any]:
        # "Email Verifier" (free): not_verified until pushed and processed.
        answer = {}
        now = time.time()
        for email in self._email_list(request):
            ready = self.state.verified.get(email)
            if ready is None or ready > now:
                answer[email] = {
                    "status": {
                        "identifier": "not_verified",
                        "description": "Email is not verified yet",
                    },
                    "data": [],
                }
                continue
            outcome = verification_outcome(email)
            smtp = "greylisted" if outcome["greylist"] else outcome["smtp"]
            answer[email] = {
                "status": {"identifier": "complete", "description": "Verification completed"},
                "data": {
                    "email": email,
                    "isValidFormat": "@" in email,
                    "isDisposable": False,
                    "isWebmail": email.endswith("@gmail.com"),
                    "isGibberish": False,
                    "smtpStatus": smtp,
                    "isCatchall": outcome["catchall"],
                    "isGreylist": outcome["greylist"],
                    "isBannedError": False,
                    "isConnectionError": False,
                },
            }
        return answer

    def add_to_verification(self, request: Request) -> dict[str, Any]:
        # "Add emails for verification": 1 credit per email, at most 10 a call.
        emails = self._email_list(request)
        if len(emails) > 10:
            raise bad("Each request can contain up to 10 emails")
        fresh = [e for e in dict.fromkeys(emails) if e not in self.state.verified]
        self.state.spend(len(fresh))
        for email in fresh:
            self.state.verified[email] = time.time() + self.task_delay
        return {email: {"sent": True} for email in emails}

    # Campaigns ----------------------------------------------------------------------------

    def _campaign(self, value: Any):
        try:
            campaign = self.state.campaigns.get(int(value))
        except (TypeError, ValueError):
            campaign = None
        if campaign is None:
            raise bad("Campaign not found", 404)
        return campaign

    def campaign_analytics(self, request: Request) -> dict[str, Any]:
        # "Get campaign analytics": figures and rates for the filters.
        data = fields(request)
        ids = [i for i in str(data.get("campaign_id", "")).split(",") if i.strip()]
        chosen = [self._campaign(i) for i in ids] or list(self.state.campaigns.values())
        try:
            start = date.fromisoformat(data["date_from"]) if data.get("date_from") else None
            end = date.fromisoformat(data["date_to"]) if data.get("date_to") else None
        except ValueError:
            raise bad("date_from and date_to take yyyy-mm-dd") from None
        events = [
            e
            for c in chosen
            for e in c.events
            if (start is None or e["at"].date() >= start) and (end is None or e["at"].date() <= end)
        ]

        def people(kind: str) -> set[str]:
            return {e["email"] for e in events if e["kind"] == kind}

        sent = [e for e in events if e["kind"] == "sent"]
        contacted = people("sent")
        bounced = people("bounce")
        delivered = len(sent) - len(bounced)
        by_email = contacted - bounced

        def rate(part: int, whole_: int) -> str:
            return f"{round(100 * part / whole_) if whole_ else 0}%"

        replies = people("reply")
        interested = len(replies) // 2
        return {
            "total_contacted": len(contacted),
            "emails_sent": len(sent),
            "first_emails": len(sent),
            "first_emails_rate": rate(len(sent), len(sent)),
            "follow_ups": 0,
            "follow_ups_rate": "0%",
            "delivered": delivered,
            "delivered_rate": rate(delivered, len(sent)),
            "bounced": len(bounced),
            "bounced_rate": rate(len(bounced), len(sent)),
            "contacted_by_email": len(by_email),
            "email_opens": len(people("open")),
            "email_opens_rate": rate(len(people("open")), len(by_email)),
            "link_clicks": len(people("click")),
            "link_clicks_rate": rate(len(people("click")), len(by_email)),
            "email_replies": len(replies),
            "email_replies_rate": rate(len(replies), len(by_email)),
            "unsubscribed": 0,
            "unsubscribed_rate": "0%",
            "auto_replied": 0,
            "auto_replied_rate": "0%",
            "contacted_by_linkedin": 0,
            "interested": interested,
            "interested_rate": rate(interested, len(replies)),
            "maybe": len(replies) - interested,
            "maybe_rate": rate(len(replies) - interested, len(replies)),
            "not_interested": 0,
            "not_interested_rate": "0%",
        }

    def campaign_progress(self, request: Request, campaign: str) -> dict[str, Any]:
        # "View campaign progress".
        found = self._campaign(campaign)
        total = len(found.recipients)
        unfinished = sum(
            1 for r in found.recipients.values() if r["status"] in {"Active", "Paused"}
        )
        done = total - unfinished
        return {
            "status": found.status,
            "unfinished": unfinished,
            "progress": f"{round(100 * done / total) if total else 0}%",
        }

    def change_recipient_status(self, request: Request) -> dict[str, Any]:
        # "Change recipient's status": not for Finished or Moved recipients.
        data = fields(request)
        campaign = self._campaign(text(data, "campaign_id"))
        email, status = text(data, "email").lower(), text(data, "status")
        if status not in {"Active", "Paused", "Unsubscribed"}:
            return {"success": False, "message": "status can be Active, Paused or Unsubscribed"}
        recipient = campaign.recipients.get(email)
        if recipient is None:
            return {"success": False, "message": "Recipient not found in this campaign"}
        if recipient["status"] in {"Finished", "Moved"}:
            return {
                "success": False,
                "message": f"Cannot change the status of a {recipient['status']} recipient",
            }
        recipient["status"] = status
        return {"success": True}

    def _rows(self, request: Request, kind: str) -> list[dict[str, Any]]:
        data = fields(request)
        campaign = self._campaign(data.get("campaignId"))
        offset = whole(data, "offset", 0)
        rows = []
        for event in sorted(
            (e for e in campaign.events if e["kind"] == kind), key=lambda e: e["at"], reverse=True
        ):
            recipient = campaign.recipients[event["email"]]
            first, _, last = recipient["name"].partition(" ")
            row_id = stable_hash(campaign.id, kind, event["email"], event["at"])
            if kind == "sent":
                rows.append(
                    {
                        "sentDate": when(event["at"]),
                        "userName": recipient["name"],
                        "userEmail": event["email"],
                        "campaign": campaign.name,
                        "hash": row_id[:32],
                        "id": row_id,
                    }
                )
                continue
            rows.append(
                {
                    "visitedAt": when(event["at"]),
                    "campaignId": campaign.id,
                    "campaign": campaign.name,
                    "prospectId": recipient["prospect_id"],
                    "prospectFirstName": first,
                    "prospectLastName": last,
                    "prospectName": recipient["name"],
                    "sourcePage": None,
                    "source": "copy",
                    "locality": None,
                    "industry": None,
                    "country": None,
                    "prospectEmail": event["email"],
                    "hash": row_id[:32],
                    "emailSubject": '"Quick question"',
                    "emailBody": '"<p>Hello</p>"',
                    "skills": "",
                    "links": None,
                    "customFields": None,
                    "id": row_id,
                }
            )
        return rows[offset : offset + 10_000]

    def prospect_finished(self, request: Request) -> list[dict[str, Any]]:
        # "See list of completed prospects".
        campaign = self._campaign(fields(request).get("campaignId"))
        return [
            {
                "id": stable_hash("finished", email),
                "prospectId": r["prospect_id"],
                "userName": r["name"],
                "userEmail": email,
                "campaign": campaign.name,
                "hash": stable_hash("finished-hash", email),
            }
            for email, r in campaign.recipients.items()
            if r["status"] == "Finished"
        ]

    def replies(self, request: Request) -> list[dict[str, Any]]:
        return self._rows(request, "reply")

    def opens(self, request: Request) -> list[dict[str, Any]]:
        return self._rows(request, "open")

    def clicks(self, request: Request) -> list[dict[str, Any]]:
        return self._rows(request, "click")

    def sent(self, request: Request) -> list[dict[str, Any]]:
        return self._rows(request, "sent")

    def user_campaigns(self, request: Request) -> list[dict[str, Any]]:
        # "View all campaigns".
        return [
            {
                "id": c.id,
                "campaign": c.name,
                "list_id": c.list_id,
                "status": c.status,
                "created_at": c.created_at,
                "updated_at": c.created_at + 60,
                "started_at": c.started_at,
                "hash": stable_hash("campaign", c.id),
            }
            for c in self.state.campaigns.values()
        ]

    # Prospects and lists -------------------------------------------------------------------

    def do_not_email_list(self, request: Request) -> list[dict[str, Any]]:
        # "Add to Do-not-email List": answers an array of one.
        data = fields(request)
        items = data.get("items") or []
        items = [items] if isinstance(items, str) else items
        if not items:
            raise bad("items is required")
        text(data, "listId")
        duplicates = [i for i in items if i.lower() in self.state.do_not_email]
        self.state.do_not_email.update(i.lower() for i in items)
        return [{"success": True, "data": {"duplicates": duplicates}}]

    def _list(self, value: Any) -> dict[str, Any]:
        try:
            found = self.state.lists.get(int(value))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise bad("List not found", 404)
        return found

    def add_prospect_to_list(self, request: Request) -> dict[str, Any]:
        # "Add prospect to list".
        data = fields(request)
        email = text(data, "email").lower()
        target = self._list(text(data, "listId"))
        existing = next((p for p in self.state.prospects.values() if p["email"] == email), None)
        update = str(data.get("updateContact", "")).lower() in {"true", "1"}
        if existing is not None:
            if update:
                existing.update(
                    {k: v for k, v in data.items() if k in {"firstName", "lastName", "position"}}
                )
            target["prospects"][existing["id"]] = True
            return {"success": True, "id": existing["id"], "added": False, "updated": update}
        pid = stable_hash("prospect", email, length=22) + "=="
        self.state.prospects[pid] = {
            "id": pid,
            "email": email,
            "firstName": str(data.get("firstName", "")),
            "lastName": str(data.get("lastName", "")),
            "position": str(data.get("position", "")),
        }
        target["prospects"][pid] = True
        return {"success": True, "id": pid, "added": True, "updated": False}

    def _stored_profile(self, prospect: dict[str, Any]) -> dict[str, Any]:
        lists = [
            {"id": lid, "name": info["name"]}
            for lid, info in self.state.lists.items()
            if prospect["id"] in info["prospects"]
        ]
        name = f"{prospect['firstName']} {prospect['lastName']}".strip()
        return {
            "id": prospect["id"],
            "name": name,
            "firstName": prospect["firstName"],
            "lastName": prospect["lastName"],
            "industry": None,
            "country": None,
            "locality": None,
            "social": [],
            "lastUpdateDate": when(self.state.now),
            "currentJob": [{"companyName": "", "position": prospect["position"]}],
            "previousJob": [],
            "lists": lists,
            "campaigns": [],
        }

    def prospect_by_id(self, request: Request) -> dict[str, Any]:
        # "Find prospect by ID".
        prospect = self.state.prospects.get(text(fields(request), "id"))
        if prospect is None:
            return {"success": False, "message": "Prospect not found"}
        return {"success": True, "data": self._stored_profile(prospect)}

    def prospects_by_email(self, request: Request) -> dict[str, Any]:
        # "Find prospect by email".
        email = text(fields(request), "email").lower()
        found = [
            self._stored_profile(p) for p in self.state.prospects.values() if p["email"] == email
        ]
        return {"success": bool(found), "data": found}

    def custom_fields(self, request: Request) -> list[dict[str, Any]]:
        # "Find prospect's custom fields".
        return [
            {"key": f"customFields['{label}']", "label": label, "required": False, "type": "string"}
            for label in ("company", "Project name", "SEO")
        ]

    def user_lists(self, request: Request) -> list[dict[str, Any]]:
        # "See user lists".
        return [
            {
                "id": lid,
                "name": info["name"],
                "contacts": len(info["prospects"]),
                "isDeleted": info["deleted"],
                "creationDate": when(self.state.now),
                "deletionDate": None,
            }
            for lid, info in self.state.lists.items()
        ]

    def prospect_list(self, request: Request) -> dict[str, Any]:
        # "View prospects in list": newest first, perPage at most 100.
        data = fields(request)
        found = self._list(text(data, "listId"))
        page = max(1, whole(data, "page", 1))
        per_page = min(max(1, whole(data, "perPage", 100)), 100)
        ids = list(reversed(found["prospects"]))[(page - 1) * per_page : page * per_page]
        prospects = []
        for pid in ids:
            p = self.state.prospects[pid]
            prospects.append(
                {
                    "id": pid,
                    "name": f"{p['firstName']} {p['lastName']}".strip(),
                    "firstName": p["firstName"],
                    "lastName": p["lastName"],
                    "emails": [
                        {
                            "email": p["email"],
                            "probability": 99,
                            "isVerified": None,
                            "smtpStatus": None,
                        }
                    ],
                }
            )
        return {
            "success": True,
            "list": {
                "name": found["name"],
                "contacts": len(found["prospects"]),
                "creationDate": when(self.state.now),
                "emailsCount": [],
            },
            "prospects": prospects,
        }

    def create_list(self, request: Request) -> list[dict[str, Any]]:
        # "Create new prospect list": answers an array of one.
        name = text(fields(request), "name")
        list_id = max(self.state.lists) + 1
        self.state.lists[list_id] = {"name": name, "prospects": {}, "deleted": False}
        return [{"success": True, "data": {"id": list_id}}]

    def balance(self, request: Request) -> dict[str, Any]:
        # "Check user balance".
        return {
            "success": True,
            "data": {
                "balance": f"{self.state.balance:.2f}",
                "teamwork": False,
                "unique_recipients_used": 0,
                "limit_resets_in": 29,
                "expires_in": 359,
            },
        }

    # Webhooks ---------------------------------------------------------------------------

    def _hook(self, hook: str) -> dict[str, Any]:
        try:
            found = self.state.webhooks.get(int(hook))
        except ValueError:
            found = None
        if found is None:
            raise bad("Webhook not found", 404)
        return found

    def list_webhooks(self, request: Request) -> dict[str, Any]:
        # "List all webhooks": each wrapped in its own {"data": ...}.
        hooks = [{"data": h} for h in self.state.webhooks.values()]
        return {"data": hooks, "meta": {"webhooks_count": len(hooks), "user_id": 1313777}}

    def add_webhook(self, request: Request) -> dict[str, Any]:
        # "Add webhook": at most 50.
        data = fields(request)
        obj, action, url = (
            text(data, "event_object"),
            text(data, "event_action"),
            text(data, "endpoint_url"),
        )
        if action not in WEBHOOK_EVENTS.get(obj, ()):
            raise bad("Unsupported event_object or event_action")
        if len(self.state.webhooks) >= MAX_WEBHOOKS:
            raise bad("You can create up to 50 webhooks")
        hook_id = self.state.next_webhook
        self.state.next_webhook += 1
        hook = {
            "id": hook_id,
            "end_point": url,
            "event_object": obj,
            "event_action": action,
            "created_at": int(time.time()),
            "status": "active",
        }
        self.state.webhooks[hook_id] = hook
        return {"data": hook, "meta": {"user_id": 1313777}}

    def change_webhook(self, request: Request, hook: str) -> dict[str, Any]:
        # "Change webhook status".
        found = self._hook(hook)
        status = text(fields(request), "status")
        if status not in {"active", "deactivated"}:
            raise bad("status must be active or deactivated")
        found["status"] = status
        return {"data": found, "meta": {"user_id": 1313777}}

    def delete_webhook(self, request: Request, hook: str) -> dict[str, Any]:
        # "Delete a webhook".
        found = self._hook(hook)
        del self.state.webhooks[found["id"]]
        return {"data": {"success": True}}

    # Control --------------------------------------------------------------------------------

    def control_state(self, request: Request) -> dict[str, Any]:
        return {
            "balance": self.state.balance,
            "spent": self.state.spent,
            "tokens": len(self.state.tokens),
            "tasks": len(self.state.tasks),
            "lists": {
                str(k): {"name": v["name"], "contacts": len(v["prospects"])}
                for k, v in self.state.lists.items()
            },
            "webhooks": list(self.state.webhooks.values()),
            "domains": sorted(self.state.companies),
        }

    def control_webhook_event(self, request: Request) -> dict[str, Any]:
        body = request.json(default={})
        if not isinstance(body, dict):
            raise bad("The body must be a JSON object")
        obj, action = body.get("event_object", "campaign_email"), body.get("event_action", "sent")
        campaign = next(iter(self.state.campaigns.values()))
        email = body.get("email") or next(iter(campaign.recipients))
        payload = {
            "event": f"{obj}.{action}",
            "event_object": obj,
            "event_action": action,
            "event_datetime": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "data": {
                "campaign": {"id": campaign.id, "title": campaign.name},
                "recipient": {
                    "email": email,
                    "name": campaign.recipients.get(email, {}).get("name", ""),
                },
            },
        }
        fired = 0
        for hook in self.state.webhooks.values():
            if (
                hook["status"] == "active"
                and hook["event_object"] == obj
                and hook["event_action"] == action
            ):
                self.app.deliverer.deliver(hook["end_point"], payload)
                fired += 1
        return {"fired": fired, "payload": json.loads(json.dumps(payload))}
