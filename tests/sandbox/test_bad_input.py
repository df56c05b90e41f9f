"""Bad input answers 4xx in the documented error shape, never a 500."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import requests

from tests.sandbox.conftest import MANAGER, assert_error, one

POST_ROUTES = [
    "/prospects", "/prospects/{email}", "/prospects/{email}/removeTags",
    "/prospects/{email}/unsubscribe", "/prospects/{email}/changeStatusToDoNotContact",
    "/prospects/{email}/revertStatusToDoNotContact", "/prospects/{email}/stop", "/startcadence",
    "/stopcadence", "/cadences/resume", "/emailEngagements", "/stepWiseEngagements",
    "/zapier/hooks", "/webhook/update", "/webhook/delete",
]  # fmt: skip
GET_ROUTES = [
    "/prospects", "/prospects/{email}/status", "/lists", "/cadences", "/calls", "/webhook/getall",
]  # fmt: skip
WEIRD_BODIES = [
    None, 0, 1.5, True, "text", [], [None], [1, 2], {}, {"Email": None}, {"Email": 5},
    {"Email": ["a@b.example"]}, {"Email": {"x": 1}}, {"Email": "a" * 5000 + "@x.example"},
    {"Email": "\u00e9l\u00e8ve@\u00e9cole.example"}, {"Email": "{email}", "Tags": {}},
    {"Email": "{email}", "Tags": [1]}, {"Email": "{email}", "CustomFields": "x"},
    {"Email": "{email}", "CustomFields": [1]}, {"Email": "{email}", "CustomFields": [{"key": 1}]},
    {"Email": "{email}", "CustomFields": [{"key": "k", "value": {"a": 1}}]},
    {"Email": "{email}", "cadenceName": 3}, {"Email": "{email}", "cadenceName": ""},
    {"Email": "{email}", "Outcome": 7}, {"Email": "{email}", "Owner": ["x"]},
    {"Email": "{email}", "List": 12}, {"Email": "{email}", "FirstName": ["x"]},
    {"Email": "{email}", "tag": None}, {"Email": "{email}", "tag": [None]},
    {"startDate": 20240101, "endDate": [], "cadenceName": "Webinar Nurture"},
    {"startDate": "2024-13-45", "endDate": "9999-99-99", "cadenceName": "Webinar Nurture"},
    {"startDate": "0000-01-01", "endDate": "2024-01-01", "cadenceName": "Webinar Nurture"},
    {"event": None, "subscription_url": None}, {"event": ["open"], "subscription_url": 1},
    {"_id": 5, "event": "open"}, {"_id": None}, {"webhookId": ["x"]}, {"webhookId": {"$ne": 1}},
]  # fmt: skip
WEIRD_QUERIES = [
    {"Email": ""}, {"Email": "@"}, {"Email": "x" * 3000}, {"listName": ""}, {"listName": "x"},
    {"listName": "Event Leads", "start": "1e3"}, {"listName": "Event Leads", "limit": "0"},
    {"listName": "Event Leads", "start": "99999999"}, {"startDate": ""}, {"endDate": "x"},
    {"startDate": "2024-02-30"}, {"startDate": "99999-01-01"}, {"startDate": "2024-1-1T25:00"},
    {"lastUpdatedDateStart": "\u0000"}, {"username": ""}, {"page": "x", "startDate": "2024-1-1"},
    {"startDate": "1-1-1", "endDate": "2-2-2"}, {"customFields": "true"},
]  # fmt: skip


def _path(template: str, email: str) -> str:
    return template.replace("{email}", quote(email))


def _check_not_500(response: requests.Response) -> None:
    assert response.status_code < 500, (response.request.method, response.url, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert body["status"] is False and body["errors"][0]["code"], body


def test_a_wrong_or_missing_key_answers_401(sandbox):
    url = f"{sandbox.klenty_base}/user/{MANAGER}/lists"
    for headers in ({"x-API-key": "wrong"}, {}):
        response = requests.get(url, headers=headers, timeout=5)
        assert response.json() == {
            "status": False,
            "errors": [{"code": "UNAUTHORIZED", "errorMessage": "Invalid or missing API key"}],
        }
        assert response.status_code == 401


def test_the_key_header_name_is_case_insensitive(sandbox):
    url = f"{sandbox.klenty_base}/user/{MANAGER}/lists"
    for name in ("x-api-key", "X-API-KEY", "x-API-key"):
        assert requests.get(url, headers={name: sandbox.key}, timeout=5).status_code == 200


def test_a_user_outside_the_team_is_forbidden(klenty):
    assert_error(klenty.get("/lists", user="eve@evil.example"), 403, "FORBIDDEN")
    assert_error(klenty.post("/startcadence", {}, user="eve@evil.example"), 403, "FORBIDDEN")


def test_the_path_user_email_may_be_url_encoded_or_not(sandbox, klenty):
    plain = f"{sandbox.klenty_base}/user/{MANAGER}/lists"
    assert klenty.session.get(plain, timeout=5).json() == klenty.get("/lists").json()


def test_unknown_paths_and_methods_answer_in_the_error_shape(sandbox, klenty):
    assert_error(klenty.get("/nothing-here"), 404, "NOT_FOUND")
    assert_error(klenty.session.get(f"{sandbox.klenty_base}/lists", timeout=5), 404, "NOT_FOUND")
    assert_error(klenty.post("/lists", {}), 405, "METHOD_NOT_ALLOWED")
    assert_error(klenty.get("/startcadence"), 405, "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize("route", POST_ROUTES)
def test_a_body_that_is_not_json_answers_k2001(sandbox, klenty, route):
    email = one(sandbox, status="In Cadence")
    for raw in ("{bad", "[1,", "NaN", "\xff\xfe", "[" * 100_000):
        response = klenty.session.post(klenty.url(_path(route, email)), data=raw, timeout=10)
        assert_error(response, 400, "K2001")


@pytest.mark.parametrize("route", POST_ROUTES)
def test_weird_bodies_never_cause_a_500(sandbox, klenty, route):
    email = one(sandbox, status="In Cadence")
    for body in WEIRD_BODIES:
        body = json.loads(json.dumps(body).replace("{email}", email))
        _check_not_500(klenty.post(_path(route, email), body))


@pytest.mark.parametrize("route", GET_ROUTES)
def test_weird_queries_never_cause_a_500(sandbox, klenty, route):
    email = one(sandbox)
    for query in WEIRD_QUERIES:
        _check_not_500(klenty.get(_path(route, email), **query))
    for weird in ("%", "%zz", "a%00b", "..", "%2F%2F", "\u00e9"):
        _check_not_500(klenty.get(_path(route, weird)))
        _check_not_500(klenty.get(route.replace("{email}", email), user=weird))


def test_a_chunked_body_is_read(sandbox, klenty):
    def chunks():
        yield b'{"Email": "chunked@new.example",'
        yield b' "FirstName": "Chunk"}'

    response = klenty.session.post(klenty.url("/prospects"), data=chunks(), timeout=5)
    assert response.json() == {"status": True}
    assert sandbox.prospect("chunked@new.example")["fields"]["FirstName"] == "Chunk"


def test_a_bad_content_length_is_refused_without_a_500(sandbox):
    import socket

    host, port = sandbox.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(
            b"POST /klenty/apis/v1/user/x/prospects HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: banana\r\n\r\n"
        )
        assert connection.recv(100).startswith(b"HTTP/1.1 400")
