"""The Snov.io sandbox itself: token, old-style auth, form bodies, limits, faults, reset."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest


def call(sandbox, method, path, *, form=None, body=None, token=None, query=None):
    url = f"{sandbox.url}/snov{path}"
    if query:
        url += "?" + urllib.parse.urlencode(query, doseq=True)
    headers = {}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form, doseq=True).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def token(sandbox):
    form = {
        "grant_type": "client_credentials",
        "client_id": "sandbox-snov-id",
        "client_secret": "sandbox-snov-secret",
    }
    status, body = call(sandbox, "POST", "/v1/oauth/access_token", form=form)
    assert status == 200 and body["token_type"] == "Bearer" and body["expires_in"] > 0
    return body["access_token"]


def test_tokens_live_an_hour_by_default(sandbox):
    assert sandbox.configure()["snov_token_ttl"] == 3600


def test_a_wrong_secret_gets_no_token(sandbox):
    form = {
        "grant_type": "client_credentials",
        "client_id": "sandbox-snov-id",
        "client_secret": "x",
    }
    status, body = call(sandbox, "POST", "/v1/oauth/access_token", form=form)
    assert status == 401 and body["success"] is False


def test_old_methods_take_the_token_as_a_form_or_query_field(sandbox):
    access = token(sandbox)
    assert call(sandbox, "GET", "/v1/get-balance", query={"access_token": access})[0] == 200
    status, body = call(
        sandbox,
        "POST",
        "/v1/get-domain-emails-count",
        form={"access_token": access, "domain": "brightforge.example"},
    )
    assert status == 200 and body["result"] > 0
    assert call(sandbox, "GET", "/v1/get-balance")[0] == 401


def test_verification_takes_emails_in_the_form_as_emails_brackets(sandbox):
    access = token(sandbox)
    emails = ["a@brightforge.example", "b@brightforge.example"]
    status, body = call(
        sandbox, "POST", "/v1/add-emails-to-verification", form={"emails[]": emails}, token=access
    )
    assert status == 200 and set(body) == set(emails)


def test_an_expired_token_is_refused(sandbox):
    sandbox.configure(snov_token_ttl=1)
    access = token(sandbox)
    time.sleep(1.1)
    status, body = call(sandbox, "GET", "/v1/get-balance", token=access)
    assert status == 401 and "expired" in body["message"]


def test_async_results_are_in_progress_until_the_delay_passes(sandbox):
    sandbox.configure(snov_task_delay_ms=300)
    access = token(sandbox)
    _, started = call(
        sandbox,
        "POST",
        "/v2/domain-search/start",
        body={"domain": "brightforge.example"},
        token=access,
    )
    task = started["meta"]["task_hash"]
    assert started["links"]["result"].endswith(f"/v2/domain-search/result/{task}")
    _, early = call(sandbox, "GET", f"/v2/domain-search/result/{task}", token=access)
    assert early["status"] == "in_progress"
    time.sleep(0.35)
    _, done = call(sandbox, "GET", f"/v2/domain-search/result/{task}", token=access)
    assert done["status"] == "completed" and done["data"]["company_name"] == "BrightForge"


def test_snov_limit_is_sixty_a_minute_per_account(sandbox):
    access = token(sandbox)
    statuses = [call(sandbox, "GET", "/v1/get-balance", token=access)[0] for _ in range(60)]
    assert statuses.count(200) == 59  # the token request counted too
    assert statuses[-1] == 429


def test_injected_faults_reach_snov_paths(sandbox):
    access = token(sandbox)
    sandbox.fail_next(status=503, path_contains="/snov/v1/get-balance")
    assert call(sandbox, "GET", "/v1/get-balance", token=access)[0] == 503
    assert call(sandbox, "GET", "/v1/get-balance", token=access)[0] == 200


def test_reset_restores_the_balance_and_forgets_tokens(sandbox):
    access = token(sandbox)
    call(
        sandbox,
        "POST",
        "/v2/domain-search/start",
        body={"domain": "brightforge.example"},
        token=access,
    )
    assert sandbox._call("GET", "snov/state")["balance"] == 499
    sandbox.reset()
    state = sandbox._call("GET", "snov/state")
    assert state["balance"] == 500 and state["tokens"] == 0


@pytest.mark.parametrize("domain", ["", "no dots", 5])
def test_bad_domains_are_400s(sandbox, domain):
    access = token(sandbox)
    status, body = call(
        sandbox, "POST", "/v2/domain-search/start", body={"domain": domain}, token=access
    )
    assert status == 400 and body["success"] is False


def test_webhook_events_are_delivered_to_active_subscriptions(sandbox):
    access = token(sandbox)
    _, hook = call(
        sandbox,
        "POST",
        "/v2/webhooks",
        body={
            "event_object": "campaign_reply",
            "event_action": "received",
            "endpoint_url": "http://127.0.0.1:9/x",
        },
        token=access,
    )
    fired = sandbox._call(
        "POST", "snov/webhook-event", {"event_object": "campaign_reply", "event_action": "received"}
    )
    assert fired["fired"] == 1
    call(
        sandbox,
        "PUT",
        f"/v2/webhooks/{hook['data']['id']}",
        body={"status": "deactivated"},
        token=access,
    )
    fired = sandbox._call(
        "POST", "snov/webhook-event", {"event_object": "campaign_reply", "event_action": "received"}
    )
    assert fired["fired"] == 0
