from __future__ import annotations

import pytest

from cadences.models import WebhookSubscription
from klentyadmin.integrations.klenty import WEBHOOK_EVENTS, KlentyClient

PAGE = "/cadences/webhooks/"
CONFIRMED = {"confirmed": "yes"}


def klenty_hooks():
    return {h.id: h for h in KlentyClient.from_settings().get_webhooks()}


def add(client, event="reply", url="https://hooks.example/klenty"):
    return client.post("/cadences/webhooks/add/", {"event": event, "url": url})


def test_an_admin_adds_a_webhook_and_klenty_has_it(admin_client, sandbox):
    response = add(admin_client)

    assert response.status_code == 302
    local = WebhookSubscription.objects.get()
    remote = klenty_hooks()[local.klenty_id]
    assert (remote.event, remote.url) == ("reply", "https://hooks.example/klenty")
    assert local.token is None
    page = admin_client.get(PAGE)
    assert b"https://hooks.example/klenty" in page.content
    assert b"in sync" in page.content


def test_a_webhook_without_a_url_points_at_our_receiver(admin_client, sandbox, settings):
    add(admin_client, event="open", url="")

    local = WebhookSubscription.objects.get()
    assert len(local.token) >= 40
    assert local.url == f"{settings.PUBLIC_BASE_URL}/hooks/klenty/{local.token}/"
    assert klenty_hooks()[local.klenty_id].url == local.url
    page = admin_client.get(PAGE).content.decode()
    assert "this dashboard" in page
    assert local.token not in page  # a credential: shown shortened


def test_an_admin_updates_a_webhook(admin_client, sandbox):
    add(admin_client)
    local = WebhookSubscription.objects.get()

    response = admin_client.post(
        f"/cadences/webhooks/{local.pk}/update/",
        {"event": "unsubscribe", "url": "https://hooks.example/other"},
    )

    assert response.status_code == 302
    local.refresh_from_db()
    assert (local.event, local.url) == ("unsubscribe", "https://hooks.example/other")
    remote = klenty_hooks()[local.klenty_id]
    assert (remote.event, remote.url) == ("unsubscribe", "https://hooks.example/other")


def test_an_admin_deletes_a_webhook_after_saying_yes(admin_client, sandbox):
    add(admin_client)
    local = WebhookSubscription.objects.get()

    asked = admin_client.post(f"/cadences/webhooks/{local.pk}/delete/")

    assert 'data-testid="confirm"' in asked.content.decode()
    assert "Delete the “Replied” webhook in Klenty?" in asked.content.decode()
    assert WebhookSubscription.objects.exists() and local.klenty_id in klenty_hooks()

    response = admin_client.post(f"/cadences/webhooks/{local.pk}/delete/", CONFIRMED, follow=True)

    assert not WebhookSubscription.objects.exists()
    assert local.klenty_id not in klenty_hooks()
    assert "Deleted the “Replied” webhook." in response.content.decode()


def test_a_delete_from_the_list_asks_in_place_when_htmx_sends_it(admin_client, sandbox):
    add(admin_client)
    local = WebhookSubscription.objects.get()

    asked = admin_client.post(f"/cadences/webhooks/{local.pk}/delete/", HTTP_HX_REQUEST="true")

    body = asked.content.decode()
    assert body.lstrip().startswith('<div class="confirm"')  # the partial, not a page
    assert 'name="confirmed" value="yes"' in body
    assert WebhookSubscription.objects.exists()


@pytest.mark.parametrize("event", ["bounce", "", "Reply!", "opened", "x" * 100])
def test_a_bad_event_name_is_refused_with_a_message_before_any_call(admin_client, sandbox, event):
    before = sandbox.last_seq()

    response = add(admin_client, event=event)

    assert response.status_code == 400
    assert "form" in response.context
    assert response.context["form"].errors["event"]
    if event:
        assert "is not a Klenty webhook event" in response.content.decode()
    writes = [r for r in sandbox.requests(before) if r.get("method") == "POST"]
    assert writes == []
    assert not WebhookSubscription.objects.exists()


def test_a_bad_event_on_update_is_refused_before_any_call(admin_client, sandbox):
    add(admin_client)
    local = WebhookSubscription.objects.get()
    before = sandbox.last_seq()

    admin_client.post(f"/cadences/webhooks/{local.pk}/update/", {"event": "bounced"})

    assert [r for r in sandbox.requests(before) if r.get("method") == "POST"] == []
    local.refresh_from_db()
    assert local.event == "reply"


def test_event_names_are_accepted_in_any_case(admin_client, sandbox):
    add(admin_client, event="ONMAILBOUNCE")

    assert WebhookSubscription.objects.get().event == "onMailBounce"


def test_klenty_refusing_shows_its_message_and_keeps_nothing(admin_client, sandbox):
    sandbox.fail_next(count=10, status=503, path_contains="zapier/hooks")

    response = add(admin_client)

    assert response.status_code == 400
    assert "Klenty is not answering right now" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_drift_shows_webhooks_created_and_deleted_elsewhere(admin_client, sandbox):
    add(admin_client, event="reply", url="https://hooks.example/kept")
    add(admin_client, event="open", url="https://hooks.example/gone")
    gone = WebhookSubscription.objects.get(event="open")
    client = KlentyClient.from_settings()
    client.delete_webhook(gone.klenty_id)
    elsewhere = client.add_webhook("click", "https://elsewhere.example/hook")

    page = admin_client.get(PAGE)

    states = {row.event: row.state for row in page.context["rows"]}
    assert states == {
        "reply": "in sync",
        "open": "deleted elsewhere",
        "click": "created elsewhere",
    }
    assert b"https://elsewhere.example/hook" in page.content
    assert elsewhere.id.encode() in page.content


def test_drift_shows_webhooks_changed_elsewhere(admin_client, sandbox):
    add(admin_client, event="reply")
    local = WebhookSubscription.objects.get()
    KlentyClient.from_settings().update_webhook(local.klenty_id, "open", local.url)

    page = admin_client.get(PAGE)

    assert [row.state for row in page.context["rows"]] == ["changed elsewhere"]


def test_drift_is_settled_by_keeping_klentys_and_forgetting_ours(admin_client, sandbox):
    add(admin_client, event="open")
    gone = WebhookSubscription.objects.get()
    client = KlentyClient.from_settings()
    client.delete_webhook(gone.klenty_id)
    elsewhere = client.add_webhook("click", "https://elsewhere.example/hook")

    admin_client.post("/cadences/webhooks/adopt/", {"klenty_id": elsewhere.id})
    asked = admin_client.post(f"/cadences/webhooks/{gone.pk}/forget/")
    assert "Forget our copy of the “Email opened” webhook?" in asked.content.decode()
    assert WebhookSubscription.objects.filter(pk=gone.pk).exists()
    admin_client.post(f"/cadences/webhooks/{gone.pk}/forget/", CONFIRMED)

    page = admin_client.get(PAGE)
    assert [(row.event, row.state) for row in page.context["rows"]] == [("click", "in sync")]


def test_a_webhook_deleted_elsewhere_can_be_registered_again(admin_client, sandbox):
    add(admin_client, event="open", url="")
    local = WebhookSubscription.objects.get()
    KlentyClient.from_settings().delete_webhook(local.klenty_id)

    admin_client.post(f"/cadences/webhooks/{local.pk}/recreate/")

    local.refresh_from_db()
    assert klenty_hooks()[local.klenty_id].url == local.url
    assert [row.state for row in admin_client.get(PAGE).context["rows"]] == ["in sync"]


def test_a_webhook_created_elsewhere_can_be_deleted_in_klenty(admin_client, sandbox):
    elsewhere = KlentyClient.from_settings().add_webhook("click", "https://elsewhere.example/h")

    asked = admin_client.post("/cadences/webhooks/delete-remote/", {"klenty_id": elsewhere.id})

    assert "Delete this “Link clicked” webhook in Klenty?" in asked.content.decode()
    assert f'name="klenty_id" value="{elsewhere.id}"' in asked.content.decode()
    assert elsewhere.id in klenty_hooks()

    admin_client.post("/cadences/webhooks/delete-remote/", {"klenty_id": elsewhere.id, **CONFIRMED})

    assert klenty_hooks() == {}


def test_the_page_shows_our_copy_and_a_retry_when_klenty_cannot_be_read(admin_client, sandbox):
    add(admin_client)
    sandbox.fail_next(count=10, status=503, path_contains="webhook/getall")

    page = admin_client.get(PAGE)

    assert page.status_code == 200
    assert "Could not read Klenty's webhooks" in page.content.decode()
    assert b"Retry" in page.content
    assert b"https://hooks.example/klenty" in page.content


def test_subscribing_the_dashboard_registers_one_webhook_per_event(admin_client, sandbox):
    response = admin_client.post("/cadences/webhooks/subscribe/")

    assert response.status_code == 302
    local = list(WebhookSubscription.objects.all())
    assert sorted(s.event for s in local) == sorted(WEBHOOK_EVENTS)
    assert len({s.token for s in local}) == len(WEBHOOK_EVENTS)
    assert {h.event for h in klenty_hooks().values()} == set(WEBHOOK_EVENTS)

    admin_client.post("/cadences/webhooks/subscribe/")
    assert WebhookSubscription.objects.count() == len(WEBHOOK_EVENTS)


def test_subscribing_without_a_public_url_says_what_to_set(admin_client, sandbox, settings):
    settings.PUBLIC_BASE_URL = ""

    response = admin_client.post("/cadences/webhooks/subscribe/", follow=True)

    assert "Set PUBLIC_BASE_URL" in response.content.decode()
    assert not WebhookSubscription.objects.exists()
    assert klenty_hooks() == {}


@pytest.mark.parametrize("who", ["manager_client", "rep_client"])
def test_only_admins_manage_webhooks(request, who, sandbox):
    client = request.getfixturevalue(who)

    assert client.get(PAGE).status_code == 403
    assert client.post("/cadences/webhooks/subscribe/").status_code == 403


def test_an_update_without_a_url_keeps_the_receiver_address(admin_client, sandbox):
    add(admin_client, event="open", url="")
    local = WebhookSubscription.objects.get()
    address = local.url

    admin_client.post(f"/cadences/webhooks/{local.pk}/update/", {"event": "click", "url": ""})

    local.refresh_from_db()
    assert (local.event, local.url) == ("click", address)
    assert klenty_hooks()[local.klenty_id].url == address


def test_a_local_public_url_is_refused_when_talking_to_the_real_klenty(db, settings):
    from cadences.webhooks import NoPublicUrl, receiver_url

    settings.KLENTY_API_KEY = "a-real-key"
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"

    with pytest.raises(NoPublicUrl, match="which Klenty cannot reach"):
        receiver_url("token")

    settings.PUBLIC_BASE_URL = "https://klentyadmin.example.com"
    assert receiver_url("token") == "https://klentyadmin.example.com/hooks/klenty/token/"


def test_keeping_a_lost_receiver_webhook_restores_its_token(admin_client, sandbox, settings):
    hook = KlentyClient.from_settings().add_webhook(
        "open", f"{settings.PUBLIC_BASE_URL}/hooks/klenty/lost-token-123/"
    )

    admin_client.post("/cadences/webhooks/adopt/", {"klenty_id": hook.id})

    assert WebhookSubscription.objects.get(klenty_id=hook.id).token == "lost-token-123"


# -- internal targets ----------------------------------------------------------------

INTERNAL_TARGETS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://localhost:8000/hook",
    "http://[::1]/hook",
    "http://127.0.0.1/hook",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.10/hook",
    "http://[fe80::1]/hook",
    "http://[fc00::5]/hook",
    "http://0.0.0.0/hook",
    "http://app.localhost./hook",
    "http://[::ffff:127.0.0.1]/hook",
]


@pytest.mark.parametrize("url", INTERNAL_TARGETS)
def test_a_webhook_may_not_point_at_an_internal_host(admin_client, sandbox, url):
    response = add(admin_client, url=url)

    assert response.status_code == 400
    assert "inside this network" in response.content.decode()
    assert not WebhookSubscription.objects.exists()
    assert klenty_hooks() == {}


def test_an_update_may_not_point_at_an_internal_host(admin_client, sandbox):
    add(admin_client)
    local = WebhookSubscription.objects.get()

    admin_client.post(
        f"/cadences/webhooks/{local.pk}/update/",
        {"event": "reply", "url": "http://169.254.169.254/latest/"},
    )

    local.refresh_from_db()
    assert local.url == "https://hooks.example/klenty"
    assert klenty_hooks()[local.klenty_id].url == "https://hooks.example/klenty"


def test_internal_hosts_are_allowed_when_the_setting_says_so(admin_client, sandbox, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True

    response = add(admin_client, url="http://127.0.0.1:9/hook")

    assert response.status_code == 302
    assert klenty_hooks()[WebhookSubscription.objects.get().klenty_id].url == (
        "http://127.0.0.1:9/hook"
    )


def test_a_name_is_refused_when_any_of_its_addresses_is_internal(monkeypatch):
    import socket

    from klentyadmin.lib.internal_hosts import internal_target

    answers = {"hooks.example": ["93.184.215.14", "10.0.0.7"], "public.example": ["93.184.215.14"]}

    def resolve(host, port, *args, **kwargs):
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)

    assert internal_target("https://hooks.example/k") == (
        "hooks.example (10.0.0.7) is a private address"
    )
    assert internal_target("https://public.example/k") == ""
    # Klenty resolves a name on its own network; one unknown here is not refused.
    assert internal_target("https://unknown.example/k") == ""
