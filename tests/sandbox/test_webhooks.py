"""Webhook subscriptions, deliveries, and the simulated activity that triggers them."""

from __future__ import annotations

import time

from tests.sandbox.conftest import MANAGER, REP, assert_error, one, wait_for

PAYLOAD_KEYS = {
    "event", "email", "firstName", "lastName", "fullName", "company", "cadenceName",
    "cadenceOwner", "prospectOwner", "list", "tags", "timestamp",
}  # fmt: skip


def subscribe(klenty, event: str, url: str, user: str = MANAGER) -> str:
    response = klenty.post("/zapier/hooks", {"event": event, "subscription_url": url}, user=user)
    assert response.status_code == 200, response.text
    return response.json()["_id"]


def test_adding_a_webhook_answers_the_event_lower_cased(klenty):
    body = {"subscription_url": "www.klenty.com/analytics", "event": "completeCadence"}
    answer = klenty.post("/zapier/hooks", body).json()
    assert set(answer) == {"_id", "url", "event"} and len(answer["_id"]) == 24
    assert (answer["url"], answer["event"]) == ("www.klenty.com/analytics", "completecadence")


def test_getall_lists_the_member_s_webhooks_as_spelled(klenty):
    first = subscribe(klenty, "startCadence", "https://hooks.example/a")
    second = subscribe(klenty, "REPLY", "https://hooks.example/b")
    subscribe(klenty, "open", "https://hooks.example/c", user=REP)
    answer = klenty.get("/webhook/getall").json()
    assert set(answer) == {"_id", "webhooks"} and len(answer["_id"]) == 24
    assert answer["webhooks"] == [
        {"_id": first, "url": "https://hooks.example/a", "event": "startCadence"},
        {"_id": second, "url": "https://hooks.example/b", "event": "REPLY"},
    ]
    assert answer["_id"] != klenty.get("/webhook/getall", user=REP).json()["_id"]


def test_update_and_delete_a_webhook(klenty):
    hook = subscribe(klenty, "open", "https://hooks.example/a")
    body = {"_id": hook, "subscription_url": "https://hooks.example/z", "event": "unsubscribe"}
    assert klenty.post("/webhook/update", body).json() == {"status": True}
    assert klenty.get("/webhook/getall").json()["webhooks"] == [
        {"_id": hook, "url": "https://hooks.example/z", "event": "unsubscribe"}
    ]
    assert klenty.post("/webhook/delete", {"webhookId": hook}).json() == {"status": True}
    assert klenty.get("/webhook/getall").json()["webhooks"] == []


def test_unknown_webhook_ids_answer_no_record_found(klenty):
    hook = subscribe(klenty, "open", "https://hooks.example/a")
    assert_error(klenty.post("/webhook/delete", {"webhookId": "f" * 24}), 404, "K2003")
    assert_error(klenty.post("/webhook/update", {"_id": "f" * 24, "event": "open"}), 404, "K2003")
    # Webhooks belong to the member who added them.
    assert_error(klenty.post("/webhook/delete", {"webhookId": hook}, user=REP), 404, "K2003")


def test_webhook_input_is_validated(klenty):
    url = "https://hooks.example/a"
    response = klenty.post("/zapier/hooks", {"event": "explode", "subscription_url": url})
    assert_error(response, 400, "K2001")
    assert_error(klenty.post("/zapier/hooks", {"event": "open"}), 400, "K2001")
    hook = subscribe(klenty, "open", url)
    assert_error(klenty.post("/webhook/update", {"_id": hook}), 400, "K2001")
    assert_error(klenty.post("/webhook/update", {"_id": hook, "event": "nope"}), 400, "K2001")
    assert_error(klenty.post("/webhook/delete", {}), 400, "K2001")


def test_starting_a_cadence_delivers_a_start_cadence_webhook(sandbox, klenty, receiver):
    subscribe(klenty, "startcadence", receiver.url)  # events match in any case
    subscribe(klenty, "reply", receiver.url)
    email = one(sandbox, status="Not Contacted")
    klenty.post("/startcadence", {"Email": email, "cadenceName": "Trial Activation"})
    assert wait_for(lambda: receiver.payloads)
    payload = receiver.payloads[0]
    assert set(payload) == PAYLOAD_KEYS
    prospect = sandbox.prospect(email)
    assert (payload["event"], payload["email"], payload["cadenceName"]) == (
        "startCadence", email, "Trial Activation",
    )  # fmt: skip
    assert payload["prospectOwner"] == prospect["owner"]
    assert payload["list"] == prospect["list"]
    assert payload["tags"] == ",".join(prospect["tags"])
    assert payload["timestamp"].endswith("Z")


def test_creating_a_prospect_delivers_a_prospect_webhook(klenty, receiver):
    subscribe(klenty, "prospect", receiver.url)
    klenty.post("/prospects", {"Email": "hooked@new.example", "FirstName": "Hook", "Tags": "a|b"})
    assert wait_for(lambda: receiver.payloads)
    assert receiver.payloads[0]["email"] == "hooked@new.example"
    assert receiver.payloads[0]["tags"] == "a,b"


def test_a_first_reply_delivers_reply_and_cadence_first_reply(sandbox, klenty, receiver):
    for event in ("reply", "cadenceFirstReply", "open"):
        subscribe(klenty, event, receiver.url)
    email = one(sandbox, status="In Cadence")
    sandbox.activity(email, "sent")
    assert sandbox.activity(email, "reply", sentiment="positive")["status"] == "Replied"
    assert wait_for(lambda: len(receiver.payloads) >= 2)
    assert receiver.events() == ["reply", "cadenceFirstReply"]
    assert sandbox.prospect(email)["events"][-1]["detail"] == "positive"


def test_a_dead_receiver_neither_delays_nor_breaks_the_api(sandbox, klenty):
    subscribe(klenty, "startCadence", "http://127.0.0.1:9/unreachable")
    subscribe(klenty, "startCadence", "not a url")
    email = one(sandbox, status="Not Contacted")
    started = time.monotonic()
    response = klenty.post("/startcadence", {"Email": email, "cadenceName": "Re-engagement"})
    assert response.status_code == 200 and time.monotonic() - started < 1
    deliveries = wait_for(lambda: sandbox.webhook_deliveries()["failed"] == 2 or None)
    assert deliveries


def test_simulated_activity_records_events_and_delivers_webhooks(sandbox, klenty, receiver):
    for event in ("open", "click", "reply", "sendProspect", "onMailBounce", "completeCadence"):
        subscribe(klenty, event, receiver.url)
    events_before = sandbox.stats()["events"]
    config = sandbox.configure(simulate_activity=True, activity_interval_ms=100)
    assert config["simulate_activity"] is True
    assert wait_for(lambda: sandbox.stats()["events"] >= events_before + 10)
    assert wait_for(lambda: len(receiver.payloads) >= 5)
    sandbox.configure(simulate_activity=False)
    assert sandbox.stats()["simulate_activity"] is False


def test_reset_stops_simulated_activity_and_forgets_webhooks(sandbox, klenty):
    subscribe(klenty, "open", "https://hooks.example/a")
    sandbox.configure(simulate_activity=True)
    sandbox.reset()
    assert sandbox.stats()["simulate_activity"] is False
    assert klenty.get("/webhook/getall").json()["webhooks"] == []
