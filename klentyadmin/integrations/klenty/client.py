"""The Klenty API: one method per documented endpoint, typed results.

Doc sections are named as in klenty-get-endpoints.txt and klenty-post-endpoints.txt.
Payloads are read by `parse` into the dataclasses of `types`; errors are read by
`session.KlentySession`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from klentyadmin.integrations.errors import ApiNotFound, ApiValidationError
from klentyadmin.integrations.http import ApiSession, AuditInfo
from klentyadmin.integrations.klenty.parse import (
    _records,
    parse_bulk_results,
    parse_cadence,
    parse_call_page,
    parse_email_engagement,
    parse_list,
    parse_prospect,
    parse_prospect_status,
    parse_step_engagements,
    parse_webhook,
    parse_webhooks,
)
from klentyadmin.integrations.klenty.session import KlentySession
from klentyadmin.integrations.klenty.target import KlentyTarget, klenty_target
from klentyadmin.integrations.klenty.types import (
    _EVENTS_BY_LOWER,
    AUTH_HEADER,
    BULK_LIMIT,
    LIST_PAGE_LIMIT,
    SERVICE,
    WEBHOOK_EVENTS,
    BulkAddResult,
    Cadence,
    Call,
    CallPage,
    EmailEngagement,
    Prospect,
    ProspectFields,
    ProspectList,
    ProspectStatus,
    StepEngagement,
    Webhook,
    dash_date,
    prospect_date,
    tags_value,
)
from klentyadmin.integrations.values import rate_limit_key as account_rate_limit_key
from klentyadmin.integrations.values import text as _text

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
        self.session = session or KlentySession.for_target(
            target, {AUTH_HEADER: target.api_key}, rate_key=rate_limit_key(target)
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
