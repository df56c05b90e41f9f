"""Normalisation: the only code that reads Klenty's payloads.

Klenty's payloads are inconsistent (field spellings, tags as "a , b" or "a|b" or a
list, `List` meaning a list's name in one answer and its id in another); the
`parse_*` functions here turn every shape into one dataclass of `types`, and no
code outside this folder sees a raw Klenty payload.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from klentyadmin.integrations.klenty.types import (
    _EVENTS_BY_LOWER,
    PAYLOAD_KEYS,
    BulkAddResult,
    Cadence,
    Call,
    CallPage,
    EmailEngagement,
    Prospect,
    ProspectList,
    ProspectStatus,
    StepEngagement,
    StepOption,
    Webhook,
)
from klentyadmin.integrations.values import integer as _int
from klentyadmin.integrations.values import iso_timestamp
from klentyadmin.integrations.values import items as _list
from klentyadmin.integrations.values import number as _float
from klentyadmin.integrations.values import text as _text


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
