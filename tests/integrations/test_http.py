"""The HTTP layer on its own: retries, timeouts, error mapping and records.

`responses` stands in for the vendor; the sleeper and the rate limiter are fakes,
so nothing here waits. The session is a minimal vendor subclass that reads
`{"code", "message"}` bodies; each real vendor's reading of its errors is tested in
test_vendor_errors.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from http.client import RemoteDisconnected

import pytest
import requests
import responses
import time_machine
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from klentyadmin.core.models import ApiCall, AuditEntry
from klentyadmin.integrations.errors import (
    ApiAuthError,
    ApiError,
    ApiNotFound,
    ApiRateLimited,
    ApiUnavailable,
    ApiValidationError,
)
from klentyadmin.integrations.http import USER_AGENT, ApiSession, AuditInfo, VendorError

pytestmark = pytest.mark.django_db

KEY = "sk-live-0123456789abcdef"
BASE = "https://api.klenty.test/apis/v1"
URL = f"{BASE}/user/a%40b.co/lists"


class FakeLimiter:
    def __init__(self) -> None:
        self.acquired: list[tuple[str, int]] = []
        self.penalties: list[tuple[str, float]] = []

    def acquire(self, key: str, per_minute: int) -> float:
        self.acquired.append((key, per_minute))
        return 0.0

    def penalise(self, key: str, seconds: float) -> None:
        self.penalties.append((key, seconds))


@pytest.fixture
def limiter():
    return FakeLimiter()


@pytest.fixture
def sleeps():
    return []


class ExampleSession(ApiSession):
    """A vendor that says `{"code": ..., "message": ...}`, and whose code GONE means
    not found whatever the status says."""

    def read_error(self, body):
        if not isinstance(body, dict):
            return VendorError()
        return VendorError(body.get("code"), body.get("message", ""))

    def raise_for_response(self, status, body, vendor, endpoint):
        if vendor.code == "GONE":
            self.raise_error(ApiNotFound, status, vendor, endpoint)


@pytest.fixture
def session(limiter, sleeps):
    return ExampleSession(
        service="klenty",
        base_url=BASE,
        auth_headers={"x-API-key": KEY},
        rate_key="klenty-test",
        per_minute=60,
        limiter=limiter,
        sleep=sleeps.append,
    )


def get(session):
    return session.get("/user/a%40b.co/lists", endpoint="get_lists")


def post(session, audit=None):
    return session.post(
        "/user/a%40b.co/startcadence",
        endpoint="start_cadence",
        json={"Email": "x@y.co", "cadenceName": "Q3"},
        audit=audit,
    )


POST_URL = f"{BASE}/user/a%40b.co/startcadence"


def vendor_error(code: str, message: str = "") -> dict:
    return {"code": code, "message": message}


# -- success and what is sent -------------------------------------------------


@responses.activate
def test_it_returns_the_decoded_body_and_sends_our_headers_and_timeouts(session, settings):
    settings.API_CONNECT_TIMEOUT, settings.API_READ_TIMEOUT = 3.0, 9.0
    responses.get(URL, json=[{"id": "1", "name": "Leads"}])
    assert get(session) == [{"id": "1", "name": "Leads"}]
    sent = responses.calls[0].request
    assert sent.headers["User-Agent"] == USER_AGENT
    assert sent.headers["x-API-key"] == KEY
    assert sent.req_kwargs["timeout"] == (3.0, 9.0)


@responses.activate
def test_it_acquires_the_shared_rate_limiter_before_every_attempt(session, limiter):
    responses.get(URL, status=503)
    responses.get(URL, status=502)
    responses.get(URL, json=[])
    get(session)
    assert limiter.acquired == [("klenty-test", 60)] * 3


@responses.activate
def test_it_does_not_follow_redirects_which_would_carry_the_key_elsewhere(session):
    responses.get(URL, status=302, headers={"Location": "https://elsewhere.test/"})
    with pytest.raises(ApiError) as caught:
        get(session)
    assert type(caught.value) is ApiError
    assert len(responses.calls) == 1


# -- retries ------------------------------------------------------------------


@responses.activate
def test_it_retries_a_503_then_succeeds(session, sleeps):
    responses.get(URL, status=503)
    responses.get(URL, json=[])
    assert get(session) == []
    assert len(responses.calls) == 2
    assert len(sleeps) == 1
    call = ApiCall.objects.get()
    assert (call.attempts, call.status_code, call.error) == (2, 200, "")


@responses.activate
def test_it_waits_as_long_as_retry_after_says_and_holds_back_every_process(
    session, sleeps, limiter
):
    responses.get(URL, status=429, headers={"Retry-After": "1.5"})
    responses.get(URL, json=[])
    get(session)
    assert sleeps == [1.5]
    assert limiter.penalties == [("klenty-test", 1.5)]


@responses.activate
@time_machine.travel(datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC), tick=False)
def test_it_reads_retry_after_given_as_an_http_date(session, sleeps):
    responses.get(URL, status=503, headers={"Retry-After": "Sat, 01 Mar 2025 12:00:02 GMT"})
    responses.get(URL, json=[])
    get(session)
    assert sleeps == [2.0]


@responses.activate
def test_a_retry_after_longer_than_the_backoff_cap_is_not_waited_out(session, sleeps, limiter):
    responses.get(URL, status=429, headers={"Retry-After": "120"})
    with pytest.raises(ApiRateLimited) as caught:
        get(session)
    assert caught.value.retry_after == 120
    assert "120 seconds" in str(caught.value)
    assert sleeps == []
    assert limiter.penalties == [("klenty-test", 120)]


@responses.activate
def test_a_429_without_retry_after_backs_off_and_holds_back_every_process(session, sleeps, limiter):
    responses.get(URL, status=429)
    responses.get(URL, json=[])
    get(session)
    assert len(sleeps) == 1
    assert limiter.penalties == [("klenty-test", sleeps[0])]


@responses.activate
def test_a_persistent_503_is_retried_up_to_the_limit_then_surfaced(session, sleeps, settings):
    settings.API_MAX_ATTEMPTS = 4
    responses.get(URL, status=503)
    with pytest.raises(ApiUnavailable) as caught:
        get(session)
    assert len(responses.calls) == 4
    assert len(sleeps) == 3
    assert caught.value.retryable is True
    assert caught.value.status_code == 503
    assert str(caught.value) == "Klenty is not answering right now; try again in a minute."
    call = ApiCall.objects.get()
    assert (call.attempts, call.status_code, call.endpoint) == (4, 503, "get_lists")
    assert call.error


@responses.activate
def test_backoff_is_exponential_with_full_jitter_and_capped(session, sleeps, settings):
    settings.API_MAX_ATTEMPTS = 8
    settings.API_BACKOFF_BASE, settings.API_BACKOFF_CAP = 1.0, 4.0
    responses.get(URL, status=504)
    with pytest.raises(ApiUnavailable):
        get(session)
    ceilings = [1, 2, 4, 4, 4, 4, 4]
    assert len(sleeps) == len(ceilings)
    assert all(0 <= s <= c for s, c in zip(sleeps, ceilings, strict=True))


@responses.activate
def test_a_500_is_not_retried(session):
    responses.get(URL, status=500)
    with pytest.raises(ApiUnavailable):
        get(session)
    assert len(responses.calls) == 1


@responses.activate
def test_a_get_that_timed_out_is_retried(session):
    responses.get(URL, body=requests.ReadTimeout("read timed out"))
    responses.get(URL, json=[])
    assert get(session) == []
    assert ApiCall.objects.get().attempts == 2


@responses.activate
def test_a_post_that_timed_out_is_not_retried_because_it_may_have_been_applied(session):
    responses.post(POST_URL, body=requests.ReadTimeout("read timed out"))
    audit = AuditInfo(actor=None, action="start_cadence", target="x@y.co")
    with pytest.raises(ApiUnavailable) as caught:
        post(session, audit)
    assert len(responses.calls) == 1
    assert "check whether it was made" in str(caught.value)
    entry = AuditEntry.objects.get()
    assert entry.ok is False
    assert "did not confirm" in entry.result


@responses.activate
def test_a_post_whose_connection_dropped_is_not_retried(session):
    dropped = requests.ConnectionError(
        ProtocolError("Connection aborted.", RemoteDisconnected("closed"))
    )
    responses.post(POST_URL, body=dropped)
    with pytest.raises(ApiUnavailable):
        post(session)
    assert len(responses.calls) == 1


@responses.activate
def test_a_post_whose_connection_was_refused_is_retried_since_it_never_left(session):
    refused = requests.ConnectionError(
        MaxRetryError(None, POST_URL, NewConnectionError(None, "Connection refused"))
    )
    responses.post(POST_URL, body=refused)
    responses.post(POST_URL, json={"status": True})
    assert post(session) == {"status": True}
    assert len(responses.calls) == 2


@responses.activate
def test_a_post_may_be_declared_safe_to_retry(session):
    responses.post(POST_URL, body=requests.ReadTimeout("read timed out"))
    responses.post(POST_URL, json={"openCount": 1})
    body = session.post("/user/a%40b.co/startcadence", endpoint="x", json={}, idempotent=True)
    assert body == {"openCount": 1}


# -- error mapping ------------------------------------------------------------


@pytest.mark.parametrize(
    "status, body, error, code",
    [
        (401, None, ApiAuthError, None),
        (403, None, ApiAuthError, None),
        (404, None, ApiNotFound, None),
        (400, vendor_error("GONE", "No record found"), ApiNotFound, "GONE"),
        (200, vendor_error("GONE", "No record found"), ApiNotFound, "GONE"),
        (400, vendor_error("BAD", "Invalid date range"), ApiValidationError, "BAD"),
        (400, None, ApiValidationError, None),
        (422, {"message": "bad"}, ApiValidationError, None),
        (429, None, ApiRateLimited, None),
        (500, None, ApiUnavailable, None),
        (500, vendor_error("BAD", "Oops"), ApiUnavailable, "BAD"),
    ],
)
@responses.activate
def test_failures_map_to_domain_errors(session, status, body, error, code):
    responses.get(URL, status=status, json=body)
    with pytest.raises(error) as caught:
        get(session)
    assert caught.value.code == code
    assert caught.value.status_code == status
    assert caught.value.service == "klenty"
    assert caught.value.endpoint == "get_lists"
    assert str(caught.value) == caught.value.message
    assert str(caught.value).endswith(".")


@responses.activate
def test_a_session_without_a_vendor_hook_judges_by_status_alone(limiter, sleeps):
    plain = ApiSession(
        service="klenty",
        base_url=BASE,
        auth_headers={},
        rate_key="klenty-test",
        per_minute=60,
        limiter=limiter,
        sleep=sleeps.append,
    )
    responses.get(URL, json={"status": False, "code": "GONE", "message": "No record"})
    assert get(plain) == {"status": False, "code": "GONE", "message": "No record"}


@responses.activate
def test_a_bad_key_gets_a_message_a_manager_can_act_on(session):
    responses.get(URL, status=401, json={"message": "Unauthorized"})
    with pytest.raises(ApiAuthError) as caught:
        get(session)
    assert str(caught.value) == "Klenty rejected the API key. Check it on the Connections page."
    assert caught.value.retryable is False


@responses.activate
def test_the_vendors_message_is_kept_for_validation_errors(session):
    responses.get(URL, status=400, json=vendor_error("BAD", "Invalid date range"))
    with pytest.raises(ApiValidationError) as caught:
        get(session)
    assert str(caught.value) == "Klenty did not accept the request: Invalid date range."


@responses.activate
def test_an_answer_that_is_not_json_is_an_error_not_a_crash(session):
    responses.get(URL, body="<html>gateway</html>", status=200)
    with pytest.raises(ApiError):
        get(session)


@responses.activate
def test_an_empty_success_body_is_none(session):
    responses.get(URL, body="", status=200)
    assert get(session) is None


# -- records ------------------------------------------------------------------


@responses.activate
def test_a_write_is_audited_with_its_result(session, actor):
    responses.post(POST_URL, json={"status": True})
    audit = AuditInfo(actor, "start_cadence", "x@y.co", {"cadence": "Q3"})
    post(session, audit)
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.service, entry.action, entry.target) == (
        actor,
        "klenty",
        "start_cadence",
        "x@y.co",
    )
    assert entry.ok is True
    assert entry.details == {"cadence": "Q3"}
    assert '"status": true' in entry.result
    call = ApiCall.objects.get()
    assert (call.method, call.endpoint, call.status_code, call.sandbox) == (
        "POST",
        "start_cadence",
        200,
        False,
    )


@responses.activate
def test_a_failed_write_is_audited_as_failed(session):
    responses.post(POST_URL, json=vendor_error("GONE", "Prospect not found"))
    with pytest.raises(ApiNotFound):
        post(session, AuditInfo(None, "start_cadence", "x@y.co"))
    entry = AuditEntry.objects.get()
    assert entry.ok is False
    assert "GONE" in entry.result


@responses.activate
def test_a_read_is_recorded_but_not_audited(session):
    responses.get(URL, json=[])
    get(session)
    assert ApiCall.objects.count() == 1
    assert AuditEntry.objects.count() == 0


@responses.activate
def test_the_key_never_reaches_records_or_error_messages(session):
    # A vendor that echoes the key back in its error must not leak it either.
    responses.post(POST_URL, status=400, json=vendor_error("BAD_KEY", f"Bad key {KEY}"))
    with pytest.raises(ApiValidationError) as caught:
        post(session, AuditInfo(None, "start_cadence", "x@y.co"))
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value.args)
    assert "[redacted]" in str(caught.value)
    for call in ApiCall.objects.all():
        assert KEY not in f"{call.endpoint} {call.error}"
    for entry in AuditEntry.objects.all():
        assert KEY not in f"{entry.target} {entry.details} {entry.result}"
