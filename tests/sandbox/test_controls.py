"""The control endpoints: reset, config, faults, rate limit, request log, stats."""

from __future__ import annotations

import json
import time

import pytest
import requests

from tests.sandbox.conftest import MANAGER, assert_error, one


def test_health_names_the_mounted_services(sandbox):
    body = requests.get(f"{sandbox.url}/_sandbox/health", timeout=5).json()
    assert body["status"] == "ok"
    assert body["services"] == {"klenty": "/klenty/apis/v1", "snov": "/snov", "crm": "/crm"}


def test_reset_is_fast_and_restores_the_seeded_state(sandbox, klenty):
    klenty.post("/prospects", {"Email": "temp@new.example"})
    answers = [sandbox.reset() for _ in range(3)]
    assert all(answer["status"] is True for answer in answers)
    # The best of three, so a busy test machine does not make this flaky.
    assert min(answer["ms"] for answer in answers) < 100
    assert_error(klenty.get("/prospects", Email="temp@new.example"), 404, "K2003")


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(sandbox, klenty):
    def snapshot():
        return (
            klenty.get("/lists").json(),
            klenty.get("/cadences").json(),
            klenty.get("/prospects", listName="Inbound Leads", limit=50).json(),
        )

    first = snapshot()
    sandbox.reset(seed=7, prospects=300)
    other = snapshot()
    assert sandbox.stats()["prospects"] == 300
    sandbox.reset(seed=42)
    assert snapshot() == first != other


def test_reset_refuses_bad_options(sandbox):
    for options in ({"seed": "x"}, {"prospects": -1}, {"prospects": True}):
        response = requests.post(f"{sandbox.url}/_sandbox/reset", json=options, timeout=5)
        assert response.status_code == 400 and "error" in response.json()


def test_rate_limit_answers_429_with_retry_after(sandbox, klenty):
    sandbox.configure(rate_limit_per_min=3)
    assert [klenty.get("/lists").status_code for _ in range(3)] == [200] * 3
    sandbox.stats()  # control endpoints do not count
    response = klenty.get("/lists")
    assert_error(response, 429, "RATE_LIMITED")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    sandbox.reset()
    assert klenty.get("/lists").status_code == 200
    assert sandbox.configure()["rate_limit_per_min"] == 600


def test_rate_limit_counts_per_key_and_not_rejected_keys(sandbox, klenty):
    sandbox.configure(rate_limit_per_min=2)
    url = klenty.url("/lists")
    for _ in range(5):
        assert requests.get(url, headers={"x-api-key": "wrong"}, timeout=5).status_code == 401
    assert [klenty.get("/lists").status_code for _ in range(3)] == [200, 200, 429]


def test_fail_next_fails_only_the_matching_requests_then_recovers(sandbox, klenty):
    email = one(sandbox, status="Not Contacted")
    sandbox.fail_next(count=2, status=503, path_contains="/startcadence", retry_after=2)
    assert klenty.get("/lists").status_code == 200
    body = {"Email": email, "cadenceName": "Re-engagement"}
    for _ in range(2):
        response = klenty.post("/startcadence", body)
        assert_error(response, 503, "SANDBOX_FAULT")
        assert response.headers["Retry-After"] == "2"
    assert sandbox.prospect(email)["status"] == "Not Contacted"
    assert klenty.post("/startcadence", body).json() == {"status": True}


def test_fail_next_with_429_sends_retry_after(sandbox, klenty):
    sandbox.fail_next(status=429)
    response = klenty.get("/lists")
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"


def test_fail_next_drop_closes_the_connection_without_an_answer(sandbox, klenty):
    sandbox.fail_next(status="drop")
    with pytest.raises(requests.ConnectionError):
        klenty.get("/lists")
    assert klenty.get("/lists").status_code == 200
    assert sandbox.requests()[0]["status"] == 0


def test_fail_next_timeout_never_answers_in_time(sandbox, klenty):
    sandbox.fail_next(status="timeout", path_contains="/lists")
    with pytest.raises(requests.Timeout):
        klenty.session.get(klenty.url("/lists"), timeout=0.5)
    assert klenty.get("/cadences").status_code == 200


def test_fault_rate_fails_that_share_of_requests_with_the_fault_status(sandbox, klenty):
    sandbox.configure(fault_rate=1, fault_status=502)
    assert_error(klenty.get("/lists"), 502, "SANDBOX_FAULT")
    sandbox.configure(fault_rate=0.5)
    statuses = [klenty.get("/lists").status_code for _ in range(40)]
    assert 5 < statuses.count(502) < 35 and statuses.count(200) + statuses.count(502) == 40
    sandbox.configure(fault_rate=0)
    assert klenty.get("/lists").status_code == 200


def test_latency_delays_every_api_answer(sandbox, klenty):
    sandbox.configure(latency_ms=300)
    started = time.monotonic()
    klenty.get("/lists")
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    sandbox.stats()
    assert time.monotonic() - started < 0.3


def test_config_refuses_unknown_keys_and_bad_values(sandbox):
    for options in ({"nope": 1}, {"fault_rate": 2}, {"rate_limit_per_min": "x"},
                    {"fault_status": 200}, {"simulate_activity": "yes"}):  # fmt: skip
        response = requests.post(f"{sandbox.url}/_sandbox/config", json=options, timeout=5)
        assert response.status_code == 400, options
    response = requests.post(f"{sandbox.url}/_sandbox/fail-next", json={"status": "x"}, timeout=5)
    assert response.status_code == 400


def test_the_request_log_records_every_api_request_but_never_the_key(sandbox, klenty):
    klenty.get("/prospects", listName="Event Leads", start=1, limit=2)
    klenty.post("/startcadence", {"Email": "ghost@x.example", "cadenceName": "x"})
    requests.get(klenty.url("/lists"), headers={"x-api-key": "wrong"}, timeout=5)
    log = sandbox.requests()
    assert [entry["seq"] for entry in log] == [1, 2, 3]
    assert set(log[0]) == {"seq", "ts", "method", "path", "query", "body", "status"}
    assert log[0]["path"] == f"/klenty/apis/v1/user/{MANAGER}/prospects"
    assert log[0]["query"] == {"listName": "Event Leads", "start": "1", "limit": "2"}
    assert (log[1]["method"], log[1]["status"]) == ("POST", 404)
    assert log[1]["body"] == {"Email": "ghost@x.example", "cadenceName": "x"}
    assert log[2]["status"] == 401
    assert sandbox.key not in json.dumps(log)
    assert [entry["seq"] for entry in sandbox.requests(since=2)] == [3]
    assert sandbox.last_seq() == 3


def test_control_requests_are_not_logged(sandbox):
    sandbox.stats()
    sandbox.configure()
    assert sandbox.requests() == [] and sandbox.last_seq() == 0


def test_stats_count_prospects_by_status_calls_and_webhooks(sandbox, klenty):
    stats = sandbox.stats()
    assert stats["prospects"] == 5000 == sum(stats["by_status"].values())
    assert len(stats["by_status"]) == 9 and all(stats["by_status"].values())
    assert stats["calls"] == sum(stats["calls_by_member"].values()) > 1000
    assert (stats["lists"], stats["cadences"], stats["webhooks"]) == (8, 10, 0)
    klenty.post("/zapier/hooks", {"event": "open", "subscription_url": "https://h.example/"})
    assert sandbox.stats()["webhooks"] == 1


def test_it_serves_hundreds_of_requests_on_one_keep_alive_connection(klenty):
    # How fast is for bench/ to print, not for a test to time (bench/client_roundtrip.py).
    for _ in range(300):
        assert klenty.get("/lists").status_code == 200
