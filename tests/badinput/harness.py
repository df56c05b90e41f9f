"""The bad-input harness: what a case is, how it runs, and what "nothing was
half-written" means.

A case is one request (who sends it, method, route, body or query) that the
dashboard must turn away with a 4xx or a visible message, or, for inputs that
are merely odd (a search for `NEAR(`), answer normally. Either way it must not
answer 5xx and must leave the database, the import folder and the sandbox as
they were.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

# Rows the dashboard writes whatever the input, by design, so they are not
# "half-written" input: sessions of the signed-in test users, the log of every
# API call made (a read to re-render a form is logged too), and django-axes'
# record of failed sign-ins (counting them is what throttling is).
BOOKKEEPING = ("sessions.Session", "core.ApiCall")
SIGN_IN_RECORDS = ("axes.",)

# Getting a Snov.io access token is a POST that changes nothing at Snov.io.
READ_ONLY_POSTS = ("/oauth/access_token",)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# How a page shows that it turned an input down: form errors, a message, an alert.
ERROR_MARKERS = re.compile(
    r'class="[^"]*\b(field-error|message-error|message-warning|errors|errorlist)\b'
    r'|role="alert"'
)

WORLD_NAME = re.compile(r"@[a-z_]+")

REJECTED = "rejected"  # 4xx, or a page or redirect that carries an error
TOLERATED = "tolerated"  # an odd but harmless input: the page answers normally


@dataclass(frozen=True)
class Case:
    """One bad input. Values starting with "@" (in kwargs, data and query) name
    an object of the test's world (see conftest.World), e.g. "@rep_prospect"."""

    id: str
    who: str  # "admin", "manager", "rep" or "anon"
    method: str  # "get" or "post"
    url: str  # a URL name, or a raw path starting with "/"
    kwargs: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] | bytes | None = None
    query: dict[str, Any] | str | None = None
    content_type: str | None = None  # for raw bodies; forms are multipart
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    expect: str = REJECTED
    watch: tuple[str, str] | None = None  # (model label, "@object") whose values must not change
    htmx: bool = False
    may_write: tuple[str, ...] = ()  # model label prefixes this case may add rows to
    marks: tuple[Any, ...] = ()
    upload: bytes | None = None  # the rep's stored import ("@upload_token") holds this file
    mapping: tuple[str, ...] | None = None  # ...with these columns chosen
    shows: str = ""  # text the answer must contain, e.g. a row's reason in a preview
    hides: str = ""  # text it must not contain, e.g. a colleague's prospect's email

    def __str__(self) -> str:
        return self.id


def params(cases: list[Case]) -> list[Any]:
    import pytest

    return [pytest.param(case, id=case.id, marks=case.marks) for case in cases]


def resolve(value: Any, world: dict[str, Any]) -> Any:
    if isinstance(value, str) and WORLD_NAME.fullmatch(value):
        return world[value[1:]]
    if isinstance(value, list):
        return [resolve(v, world) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, world) for k, v in value.items()}
    return value


# -- what "nothing written" means ------------------------------------------------------


def row_counts(ignore: tuple[str, ...] = ()) -> dict[str, int]:
    """Rows of every installed app's concrete models, by model label, in one query."""
    skip = BOOKKEEPING + ignore
    tables = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label.startswith(skip):
            continue
        tables[meta.label] = connection.ops.quote_name(meta.db_table)
    counts = ", ".join(f"(SELECT COUNT(*) FROM {table})" for table in tables.values())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")  # noqa: S608 - our own table names
        return dict(zip(tables, cursor.fetchone(), strict=True))


def row_values(label: str, pk: Any) -> dict[str, Any] | None:
    return apps.get_model(label)._base_manager.filter(pk=pk).values().first()


def folder_state(folder) -> dict[str, str]:
    """Every file under `folder` with a digest of its bytes."""
    if not folder.is_dir():
        return {}
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@dataclass
class Snapshot:
    counts: dict[str, int]
    watched: dict[str, Any] | None
    files: dict[str, str]
    sandbox_seq: int


def sandbox_writes(sandbox, since: int) -> list[str]:
    return [
        f"{r['method']} {r['path']}"
        for r in sandbox.requests(since=since)
        if r["method"] in WRITE_METHODS and not r["path"].endswith(READ_ONLY_POSTS)
    ]


# -- running a case --------------------------------------------------------------------


def build_request(case: Case, world: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if case.url.startswith("/"):
        url = case.url
    else:
        url = reverse(case.url, kwargs=resolve(case.kwargs, world))
    options: dict[str, Any] = {}
    if case.htmx:
        options["headers"] = {"HX-Request": "true"}
    query = resolve(case.query, world)
    if query is not None:
        options["QUERY_STRING"] = query if isinstance(query, str) else _encode_query(query)
    if isinstance(case.data, bytes):
        options["data"] = case.data
        options["content_type"] = case.content_type or ""
    elif case.data is not None or case.files:
        data = dict(resolve(case.data or {}, world))
        for name, (filename, content) in case.files.items():
            data[name] = SimpleUploadedFile(filename, content, content_type="text/csv")
        options["data"] = data
    return url, options


def _encode_query(query: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return urlencode(query, doseq=True)


def shown_problems(response) -> list[str]:
    """Warnings and errors the request queued as messages, and error markup in the page."""
    found = [
        str(m)
        for m in getattr(response.wsgi_request, "_messages", [])
        if m.level >= messages.WARNING
    ]
    content_type = response.get("Content-Type", "")
    if not getattr(response, "streaming", False) and "html" in content_type:
        found += [m.group(0) for m in ERROR_MARKERS.finditer(response.content.decode())]
    return found


def send(client, case: Case, world: dict[str, Any]):
    url, options = build_request(case, world)
    if case.method == "get":
        query = options.pop("QUERY_STRING", "")
        return client.get(url, QUERY_STRING=query, **options)
    query = options.pop("QUERY_STRING", None)
    if query:
        url = f"{url}?{query}"
    if isinstance(case.data, bytes):
        body, content_type = options.pop("data"), options.pop("content_type")
        return client.generic("POST", url, body, content_type=content_type, **options)
    return client.post(url, **options)


def check_case(
    case: Case,
    *,
    client,
    world: dict[str, Any],
    sandbox,
    import_folder,
) -> None:
    ignore = case.may_write
    watched = resolve(case.watch[1], world) if case.watch else None
    before = Snapshot(
        counts=row_counts(ignore),
        watched=row_values(case.watch[0], watched) if case.watch else None,
        files=folder_state(import_folder),
        sandbox_seq=sandbox.last_seq(),
    )

    response = send(client, case, world)

    assert response.status_code < 500, f"{case.id}: {response.status_code}"
    if case.expect == REJECTED:
        refused = 400 <= response.status_code < 500
        assert refused or shown_problems(response), (
            f"{case.id}: answered {response.status_code} with no error shown"
        )
    else:
        assert response.status_code in (200, 302, 303), f"{case.id}: {response.status_code}"
    if case.shows:
        assert case.shows in response.content.decode(), f"{case.id}: {case.shows!r} not shown"
    if case.hides:
        assert case.hides not in response.content.decode(), f"{case.id}: {case.hides!r} shown"
    assert row_counts(ignore) == before.counts, f"{case.id}: rows were written"
    if case.watch:
        assert row_values(case.watch[0], watched) == before.watched, f"{case.id}: row changed"
    assert folder_state(import_folder) == before.files, f"{case.id}: an upload was kept"
    assert sandbox_writes(sandbox, before.sandbox_seq) == [], f"{case.id}: sandbox written"
