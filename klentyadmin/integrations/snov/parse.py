"""Normalisation: the only code that reads Snov.io's payloads.

Snov.io's payloads mix snake_case (v2) and camelCase (v1), answer some writes as a
one-element array, and spell the same verification result three ways; the
`parse_*` functions here turn every shape into one dataclass of `types`, and no
code outside this folder sees a raw Snov.io payload.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from klentyadmin.integrations.snov.types import (
    Balance,
    Campaign,
    CampaignActivity,
    CampaignAnalytics,
    CampaignProgress,
    CompanyInfo,
    DomainProspect,
    EmailCount,
    EmailPage,
    FinderResult,
    FoundEmail,
    Job,
    ListPage,
    ListProspect,
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
from klentyadmin.integrations.values import number as _float
from klentyadmin.integrations.values import text as _text


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
