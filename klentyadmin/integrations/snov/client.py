"""The Snov.io API: one method per documented endpoint, typed results.

Doc sections are named as in snov-api.txt; the paths come from NOTES.md (the page
lost its URLs). Payloads are read by `parse` into the dataclasses of `types`;
errors, including the refusals Snov.io answers with HTTP 200, by
`session.SnovSession`.

Authentication is OAuth client credentials. The token is kept per process and in
Django's cache (shared by every process when the cache is Redis) until a minute
before it expires; a 401 fetches a new one once.

Request bodies go as JSON (ApiSession's one body encoding); Snov.io takes JSON as
well as form fields, and the sandbox accepts both.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache

from klentyadmin.integrations.errors import ApiAuthError, ApiValidationError
from klentyadmin.integrations.http import ApiSession, AuditInfo
from klentyadmin.integrations.snov.parse import (
    _unwrap,
    account_key,
    is_completed,
    parse_activity,
    parse_analytics,
    parse_balance,
    parse_campaign,
    parse_company,
    parse_email_count,
    parse_email_page,
    parse_finder,
    parse_list_page,
    parse_profile,
    parse_profiles,
    parse_progress,
    parse_prospect_emails,
    parse_prospect_page,
    parse_sent,
    parse_task,
    parse_token,
    parse_user_list,
    parse_verifications,
    parse_webhook,
)
from klentyadmin.integrations.snov.session import SnovSession, SnovStillWorking
from klentyadmin.integrations.snov.target import SnovTarget, snov_target
from klentyadmin.integrations.snov.types import (
    DEFAULT_POLL_SECONDS,
    MAX_POSITIONS,
    RECIPIENT_STATUSES,
    SERVICE,
    TOKEN_MARGIN_SECONDS,
    TOKEN_PATH,
    VERIFY_BATCH,
    WEBHOOK_OBJECTS,
    AddedProspect,
    Balance,
    Campaign,
    CampaignActivity,
    CampaignAnalytics,
    CampaignProgress,
    CompanyInfo,
    CustomField,
    EmailCount,
    EmailPage,
    FinderResult,
    FoundEmail,
    ListPage,
    Profile,
    ProspectPage,
    TaskStarted,
    Token,
    UserList,
    Verification,
    Webhook,
)
from klentyadmin.integrations.values import integer as _int
from klentyadmin.integrations.values import items as _list
from klentyadmin.integrations.values import mapping as _dict
from klentyadmin.integrations.values import text as _text

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


class VerificationTally:
    """The latest answer for each email of one `verify_emails` call, reported to its
    `progress` callback (verified so far, of all) after every answer."""

    def __init__(self, emails: list[str], progress: Callable[[int, int], None] | None) -> None:
        self.emails = emails
        self.progress = progress
        self.results: dict[str, Verification] = {}

    def record(self, answers: list[Verification]) -> None:
        for v in answers:
            self.results[v.email] = v
        if self.progress is not None:
            verified = sum(1 for v in self.results.values() if v.verified)
            self.progress(verified, len(self.emails))

    def pending(self, batch: list[str]) -> list[str]:
        """The batch's emails without a verified answer yet."""
        return [e for e in batch if e not in self.results or not self.results[e].verified]

    def any_pending(self, batches: list[list[str]]) -> bool:
        return any(self.pending(batch) for batch in batches)

    def final(self) -> list[Verification]:
        """One answer per email, in order; one never answered counts as unverified."""
        return [self.results.get(e) or Verification(e, False, "", "") for e in self.emails]


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
        # Calls made through this client (token requests aside), polls included: what
        # a domain search's progress shows as "requests made".
        self.requests_made = 0

    @classmethod
    def from_settings(cls, actor: Any = None) -> SnovClient:
        return cls(snov_target(), actor=actor)

    # -- plumbing ---------------------------------------------------------------

    def _session(self, token: str) -> ApiSession:
        session = self._sessions.get(token)
        if session is None:
            self._sessions.clear()  # an old token's session is of no more use
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            session = self._new_session(headers)
            self._sessions[token] = session
        return session

    def _new_session(self, auth_headers: dict[str, str]) -> SnovSession:
        return SnovSession.for_target(
            self.target,
            auth_headers,
            rate_key=f"snov-{self.account}",
            limiter=self._limiter,
            sleep=self.sleep,
        )

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
        body = self._new_session({}).post(
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
        audit_details: dict | None = None,
    ) -> Any:
        audit_info = None
        if audit is not None:
            audit_info = AuditInfo(
                self.actor, endpoint, audit, {"path": path, **(audit_details or {})}
            )
        for renewed in (False, True):
            session = self._session(self.token(renew=renewed))
            self.requests_made += 1
            try:
                return session.request(
                    method, path, endpoint=endpoint, params=params, json=json, audit=audit_info
                )
            except ApiAuthError as exc:
                # An expired or revoked token: fetch a new one, once.
                if renewed or exc.status_code != 401:
                    raise
        raise AssertionError("unreachable")

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
        return parse_email_count(_unwrap(body))

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
        return parse_finder(_unwrap(body))

    def add_names_to_find_emails(self, first_name: str, last_name: str, domain: str) -> bool:
        # "Add names to find emails": 1 credit per request.
        payload = self._names("add_names_to_find_emails", first_name, last_name, domain)
        body = self._call(
            "POST", "/v1/add-names-to-find-emails", "add_names_to_find_emails", json=payload
        )
        return all(parse_sent(_unwrap(body)).values())

    def add_url_for_search(self, url: str) -> bool:
        # "Add URL to search for prospect": 1 credit per request.
        if not url.strip():
            raise self._invalid("add_url_for_search", "A profile URL is needed.")
        body = self._call(
            "POST", "/v1/add-url-for-search", "add_url_for_search", json={"url": url.strip()}
        )
        return bool(_dict(_unwrap(body)).get("success"))

    def get_emails_from_url(self, url: str) -> list[Profile]:
        # "Get prospect with URL" (free).
        body = self._call(
            "POST", "/v1/get-emails-from-url", "get_emails_from_url", json={"url": url.strip()}
        )
        return parse_profiles(_unwrap(body))

    def get_profile_by_email(self, email: str) -> Profile:
        # "Get profile with email": 1 credit when found.
        body = self._call(
            "POST",
            "/v1/get-profile-by-email",
            "get_profile_by_email",
            json={"email": email.strip()},
        )
        return parse_profile(_unwrap(body))

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
        return parse_verifications(_unwrap(body))

    def add_emails_to_verification(self, emails: list[str]) -> dict[str, bool]:
        # "Add emails for verification": 1 credit per email, at most 10 a call.
        payload = {"emails": self._emails("add_emails_to_verification", emails)}
        body = self._call(
            "POST", "/v1/add-emails-to-verification", "add_emails_to_verification", json=payload
        )
        return parse_sent(_unwrap(body))

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
        tally = VerificationTally(unique, progress)
        batches = [unique[i : i + VERIFY_BATCH] for i in range(0, len(unique), VERIFY_BATCH)]
        for batch in batches:
            tally.record(self.email_verifier(batch))
        if push:
            self._push_unverified(batches, tally, before_push)
        self._wait_for_verifications(batches, tally)
        return tally.final()

    def _push_unverified(
        self,
        batches: list[list[str]],
        tally: VerificationTally,
        before_push: Callable[[list[str]], None] | None,
    ) -> None:
        """Push each batch's emails Snov.io has not verified yet (1 credit each)."""
        for batch in batches:
            unverified = tally.pending(batch)
            if not unverified:
                continue
            if before_push is not None:
                before_push(unverified)
            self.add_emails_to_verification(unverified)

    def _wait_for_verifications(self, batches: list[list[str]], tally: VerificationTally) -> None:
        """Ask again for the emails still unverified, backing off, within the bounded wait
        (counted from the push)."""
        limit = float(getattr(settings, "SNOV_POLL_SECONDS", DEFAULT_POLL_SECONDS))
        pushed_at, delay = time.monotonic(), 0.25
        while tally.any_pending(batches) and time.monotonic() - pushed_at + delay <= limit:
            self.sleep(delay)
            delay = min(delay * 2, 2.0)
            for batch in batches:
                unverified = tally.pending(batch)
                if unverified:
                    tally.record(self.email_verifier(unverified))

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
        return parse_analytics(_unwrap(body))

    def campaign_progress(self, campaign_id: int) -> CampaignProgress:
        # "View campaign progress" (free).
        path = f"/v2/campaigns/{int(campaign_id)}/progress"
        return parse_progress(_unwrap(self._call("GET", path, "campaign_progress")))

    def change_recipient_status(self, email: str, campaign_id: int, status: str) -> None:
        # "Change recipient's status" (free). Finished or Moved recipients cannot change.
        if status not in RECIPIENT_STATUSES:
            raise self._invalid("change_recipient_status", "Choose Active, Paused or Unsubscribed.")
        payload = {"email": email.strip(), "campaign_id": str(campaign_id), "status": status}
        self._call(
            "POST",
            "/v1/change-recipient-status",
            "change_recipient_status",
            json=payload,
            audit=email.strip(),
        )

    def _activity(self, endpoint: str, path: str, campaign_id: int, offset: int) -> list:
        params = {"campaignId": str(int(campaign_id))}
        if offset:
            params["offset"] = str(offset)
        body = _unwrap(self._call("GET", path, endpoint, params=params))
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
        body = _unwrap(self._call("GET", "/v1/get-user-campaigns", "campaigns"))
        return [parse_campaign(r) for r in _list(body) if isinstance(r, dict)]

    # -- prospects and lists --------------------------------------------------------------

    def add_to_do_not_email_list(
        self, items: list[str], list_id: int | str, reason: str = ""
    ) -> list[str]:
        # "Add to Do-not-email List": returns the items that were already there.
        # Snov.io keeps no reason; ours goes into the audit entry only.
        items = [i.strip() for i in items if i and i.strip()]
        if not items:
            raise self._invalid("do_not_email_list", "Give an email or a domain.")
        body = self._call(
            "POST",
            "/v1/do-not-email-list",
            "do_not_email_list",
            json={"items": items, "listId": str(list_id)},
            audit=", ".join(items)[:200],
            audit_details={"reason": reason} if reason else None,
        )
        data = _dict(_dict(_unwrap(body)).get("data"))
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
        body = _dict(_unwrap(body))
        return AddedProspect(
            _text(body.get("id")), bool(body.get("added")), bool(body.get("updated"))
        )

    def get_prospect_by_id(self, prospect_id: str) -> Profile:
        # "Find prospect by ID".
        body = self._call(
            "POST", "/v1/get-prospect-by-id", "get_prospect_by_id", json={"id": prospect_id}
        )
        profiles = parse_profiles(_unwrap(body))
        return profiles[0] if profiles else Profile()

    def get_prospects_by_email(self, email: str) -> list[Profile]:
        # "Find prospect by email".
        body = self._call(
            "POST", "/v1/get-prospects-by-email", "get_prospects_by_email", json={"email": email}
        )
        return parse_profiles(_unwrap(body))

    def custom_fields(self) -> list[CustomField]:
        # "Find prospect's custom fields".
        body = _unwrap(self._call("GET", "/v1/prospect-custom-fields", "custom_fields"))
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
        body = _unwrap(self._call("GET", "/v1/get-user-lists", "user_lists"))
        return [parse_user_list(r) for r in _list(body) if isinstance(r, dict)]

    def prospects_in_list(self, list_id: int | str, page: int = 1, per_page: int = 100) -> ListPage:
        # "View prospects in list": at most 100 a page, newest first.
        payload = {
            "listId": str(list_id),
            "page": max(1, page),
            "perPage": min(max(1, per_page), 100),
        }
        body = self._call("POST", "/v1/prospect-list", "prospects_in_list", json=payload)
        return parse_list_page(_unwrap(body))

    def create_list(self, name: str) -> int:
        # "Create new prospect list".
        if not name.strip():
            raise self._invalid("create_list", "Name the list.")
        body = self._call(
            "POST", "/v1/lists", "create_list", json={"name": name.strip()}, audit=name
        )
        return _int(_dict(_dict(_unwrap(body)).get("data")).get("id"))

    def balance(self) -> Balance:
        # "Check user balance".
        return parse_balance(_unwrap(self._call("GET", "/v1/get-balance", "balance")))

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
