"""The Snov.io client against the sandbox over real HTTP: every method, the token,
async polling, credits."""

from __future__ import annotations

import pytest

from klentyadmin.integrations import snov
from klentyadmin.integrations.errors import ApiValidationError

DOMAIN = "brightforge.example"


@pytest.fixture(autouse=True)
def _snov_settings(settings):
    settings.SNOV_RATE_LIMIT_PER_MIN = 100_000
    settings.SNOV_CLIENT_ID = ""
    settings.SNOV_CLIENT_SECRET = ""
    settings.SNOV_API_BASE = ""
    settings.SNOV_POLL_SECONDS = 10
    settings.API_BACKOFF_CAP = 0.05
    snov.forget_tokens()
    yield
    snov.forget_tokens()


@pytest.fixture
def client(sandbox, db):
    sandbox.configure(snov_task_delay_ms=100)
    return snov.SnovClient.from_settings()


def snov_state(sandbox):
    return sandbox._call("GET", "snov/state")


def test_domain_search_returns_the_company_card_and_spends_one_credit(client, sandbox):
    company = client.domain_search(DOMAIN)
    assert company.company_name == "BrightForge"
    assert company.prospects_count == 26
    assert company.generic_contacts_count >= 2
    client.domain_search(DOMAIN)  # the same request again is not charged
    assert snov_state(sandbox)["spent"] == 1


def test_unknown_domain_costs_nothing(client, sandbox):
    assert client.domain_search("nobody.example").company_name == ""
    assert snov_state(sandbox)["spent"] == 0


def test_prospects_are_paged_by_twenty(client):
    first = client.domain_prospects(DOMAIN)
    second = client.domain_prospects(DOMAIN, page=2)
    assert (len(first.prospects), first.total_count, first.has_next) == (20, 26, True)
    assert (len(second.prospects), second.has_next) == (6, False)
    assert all(p.prospect_hash for p in first.prospects)


def test_prospects_filter_by_position(client):
    page = client.domain_prospects(DOMAIN, positions=["CEO"])
    assert page.prospects and {p.position for p in page.prospects} == {"CEO"}


def test_a_prospects_email_costs_a_credit_when_found(client, sandbox):
    prospect = client.domain_prospects(DOMAIN).prospects[0]
    emails = client.prospect_emails(prospect.prospect_hash)
    assert emails[0].email.endswith("@" + DOMAIN)
    assert snov_state(sandbox)["spent"] == 1


def test_domain_emails_and_generic_contacts(client):
    emails = client.domain_emails(DOMAIN)
    generic = client.generic_contacts(DOMAIN)
    assert emails.total_count == len(emails.emails) > 20
    assert "info@" + DOMAIN in generic.emails


def test_email_count_and_finder(client):
    assert client.email_count(DOMAIN).count > 20
    prospect = client.domain_prospects(DOMAIN).prospects[0]
    found = client.email_finder(prospect.first_name, prospect.last_name, DOMAIN)
    assert found.found and found.emails[0].email.endswith(DOMAIN)
    missing = client.email_finder("Nobody", "Known", DOMAIN)
    assert not missing.found and missing.emails == []


def test_add_names_then_finder_finds_them(client, sandbox):
    assert client.add_names_to_find_emails("Nobody", "Known", DOMAIN)
    snov_state(sandbox)
    import time

    time.sleep(0.15)
    assert client.email_finder("Nobody", "Known", DOMAIN).found


def test_url_search_and_profile_by_email(client, sandbox):
    prospect = client.domain_prospects(DOMAIN).prospects[0]
    assert client.add_url_for_search(prospect.source_page)
    import time

    time.sleep(0.15)
    profiles = client.get_emails_from_url(prospect.source_page)
    assert profiles[0].first_name == prospect.first_name
    email = client.prospect_emails(prospect.prospect_hash)[0].email
    profile = client.get_profile_by_email(email)
    assert profile.last_name == prospect.last_name and profile.current_jobs


def test_verification_pushes_unverified_emails_and_reports_reasons(client, sandbox):
    emails = client.domain_emails(DOMAIN).emails[:14]
    results = client.verify_emails(emails)
    assert len(results) == 14 and all(r.verified for r in results)
    statuses = {r.status for r in results}
    assert "valid" in statuses and statuses & {"not_valid", "unknown", "greylisted"}
    assert snov_state(sandbox)["spent"] == 14
    assert any(r.reason for r in results if r.status != "valid")


def test_more_than_ten_emails_a_call_is_refused_before_sending(client):
    with pytest.raises(ApiValidationError, match="at most 10"):
        client.add_emails_to_verification([f"a{i}@x.example" for i in range(11)])


def test_campaigns_and_their_activity(client):
    campaigns = client.campaigns()
    assert {c.status for c in campaigns} >= {"Active", "Draft"}
    cid = campaigns[0].id
    analytics = client.campaign_analytics([cid])
    assert analytics.counts["emails_sent"] > 0 and "delivered" in analytics.rates
    assert client.campaign_progress(cid).unfinished >= 0
    sent = client.sent_emails(cid)
    assert sent and sent[0].email and sent[0].when
    assert isinstance(client.campaign_replies(cid), list)
    assert isinstance(client.campaign_opens(cid), list)
    assert isinstance(client.campaign_clicks(cid), list)
    assert client.completed_prospects(cid)


def test_change_recipient_status(client):
    cid = client.campaigns()[0].id
    finished = {p.email for p in client.completed_prospects(cid)}
    active = next(s.email for s in client.sent_emails(cid) if s.email not in finished)
    client.change_recipient_status(active, cid, "Paused")
    with pytest.raises(ApiValidationError, match="Finished"):
        client.change_recipient_status(next(iter(finished)), cid, "Paused")


def test_lists_prospects_and_do_not_email(client):
    list_id = client.create_list("Enriched")
    added = client.add_prospect_to_list(list_id, "ava@brightforge.example", firstName="Ava")
    assert added.added
    assert client.get_prospect_by_id(added.id).first_name == "Ava"
    assert client.get_prospects_by_email("ava@brightforge.example")[0].lists[0]["id"] == list_id
    assert client.prospects_in_list(list_id).prospects[0].emails == ["ava@brightforge.example"]
    assert any(lst.id == list_id for lst in client.user_lists())
    assert client.custom_fields()[0].label == "company"
    assert client.add_to_do_not_email_list(["x@y.example"], list_id) == []
    assert client.add_to_do_not_email_list(["x@y.example"], list_id) == ["x@y.example"]


def test_balance_and_webhooks(client):
    assert client.balance().balance == 500
    hook = client.add_webhook("campaign_email", "sent", "http://127.0.0.1:1/hook")
    assert client.webhooks()[0].id == hook.id
    assert client.change_webhook_status(hook.id, False).status == "deactivated"
    assert client.delete_webhook(hook.id)
    assert client.webhooks() == []


def test_running_out_of_credits_is_a_clear_error(client, sandbox):
    sandbox.configure(snov_balance=0)
    with pytest.raises(ApiValidationError, match="credits"):
        client.domain_search(DOMAIN)


def test_the_token_is_reused_then_renewed_on_expiry(client, sandbox):
    client.balance()
    client.balance()
    assert snov_state(sandbox)["tokens"] == 1
    sandbox.configure(snov_token_ttl=1)
    snov.forget_tokens()
    client.balance()  # a token that expires within the margin is fetched anew each time
    assert snov_state(sandbox)["tokens"] == 2


def test_a_401_fetches_a_new_token_once(client, sandbox):
    client.balance()
    sandbox.reset()  # the sandbox forgets every token it issued
    sandbox.configure(snov_task_delay_ms=100)
    assert client.balance().balance == 500
    paths = [r["path"] for r in sandbox.requests()]
    assert paths == ["/snov/v1/get-balance", "/snov/v1/oauth/access_token", "/snov/v1/get-balance"]


def test_async_polling_gives_up_cleanly(client, sandbox, settings):
    settings.SNOV_POLL_SECONDS = 0.5
    sandbox.configure(snov_task_delay_ms=60_000)
    with pytest.raises(snov.SnovStillWorking, match="still working on it; try again in a minute"):
        client.domain_search(DOMAIN)


def test_a_bad_secret_is_an_auth_error(sandbox, db, settings):
    settings.SANDBOX_SNOV_CLIENT_SECRET = "wrong"
    from klentyadmin.integrations.errors import ApiAuthError

    with pytest.raises(ApiAuthError):
        snov.SnovClient.from_settings().balance()
