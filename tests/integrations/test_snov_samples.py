"""Every documented sample response parses into the client's types."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from klentyadmin.integrations import snov
from klentyadmin.integrations.snov.parse import _unwrap

SAMPLES = Path(__file__).parent / "samples" / "snov"


def sample(name: str):
    return json.loads((SAMPLES / f"{name}.json").read_text())


def test_every_sample_is_valid_json():
    assert len(list(SAMPLES.glob("*.json"))) == 41
    for path in SAMPLES.glob("*.json"):
        json.loads(path.read_text())


def test_token():
    token = snov.parse_token(sample("access_token"), now=1000.0)
    assert token.access_token.startswith("QSl") and token.expires_at == 4600.0
    assert token.fresh(1000.0) and not token.fresh(4550.0)


def test_async_starts_give_the_task_hash():
    for name in (
        "domain_search_start",
        "prospects_start",
        "search_emails_start",
        "domain_emails_start",
        "generic_contacts_start",
    ):
        assert len(snov.parse_task(sample(name)).task_hash) == 32
        assert not snov.is_completed(sample(name))


def test_domain_search_result():
    company = snov.parse_company(sample("domain_search_result"))
    assert (company.city, company.founded, company.size) == ("New York", "2017", "51-200")
    assert (company.prospects_count, company.emails_count, company.generic_contacts_count) == (
        196,
        108,
        9,
    )
    assert company.related_domains == []  # the page blanked them
    assert snov.is_completed(sample("domain_search_result"))


def test_prospects_result():
    page = snov.parse_prospect_page(sample("prospects_result"))
    assert page.total_count == 18 and page.prospects[0].full_name == "John Doe"
    assert page.prospects[0].position == "Web developer"


def test_search_emails_and_email_pages():
    assert snov.parse_prospect_emails(sample("search_emails_result")) == []  # email blanked
    emails = snov.parse_email_page(sample("domain_emails_result"))
    assert emails.total_count == 108 and emails.next_token.startswith("4ae6")
    assert snov.parse_email_page(sample("generic_contacts_result")).total_count == 9


def test_v1_finders():
    assert snov.parse_email_count(sample("email_count")).count == 1369
    found = snov.parse_finder(sample("email_finder"))
    assert found.found and found.emails[0].status == "valid"
    assert snov.parse_sent(sample("add_names_to_find_emails")) == {"": True}
    profiles = snov.parse_profiles(sample("get_emails_from_url"))
    assert profiles[0].current_jobs[0].company_name == "Octagon"
    profile = snov.parse_profile(sample("get_profile_by_email"))
    assert profile.name == "Lizi Hamer" and len(profile.current_jobs) == 2
    assert len(profile.previous_jobs) == 2


def test_verification():
    results = {v.email: v for v in snov.parse_verifications(sample("email_verifier"))}
    assert results["gavin.vanrooyen@octagon.com"].status == "valid"
    assert not results["lizi.hamer@octagon.com"].verified
    assert all(snov.parse_sent(sample("add_emails_to_verification")).values())


def test_campaign_figures():
    analytics = snov.parse_analytics(sample("campaign_analytics"))
    assert analytics.counts["emails_sent"] == 31 and analytics.rates["delivered"] == 97.0
    progress = snov.parse_progress(sample("campaign_progress"))
    assert (progress.status, progress.unfinished, progress.progress) == ("Active", 1, 90.0)


def test_campaign_activity_tables():
    replies = [snov.parse_activity(r) for r in sample("campaign_replies")]
    assert replies[0].when == datetime(2020, 7, 14, 13, 10, 46, tzinfo=UTC)
    assert replies[0].subject == "Special content for you" and replies[0].name == "John Doe"
    for name in ("campaign_opens", "campaign_clicks", "prospect_finished"):
        assert snov.parse_activity(sample(name)[0]).campaign
    sent = [snov.parse_activity(r) for r in sample("sent_emails")]
    assert sent[1].name == "Mister Smith" and sent[1].when.year == 2020
    campaigns = [snov.parse_campaign(r) for r in sample("user_campaigns")]
    assert campaigns[0].id == 237945 and campaigns[1].started_at is None
    assert campaigns[0].created_at == datetime.fromtimestamp(1639469976, UTC)


def test_lists_and_prospects():
    assert _unwrap(sample("do_not_email_list"))["data"]["duplicates"] == []
    assert _unwrap(sample("create_list"))["data"]["id"] == 1234567
    assert sample("add_prospect_to_list")["added"] is True
    assert snov.parse_profiles(sample("get_prospect_by_id"))[0].lists[0]["id"] == 1250344
    assert snov.parse_profiles(sample("get_prospects_by_email"))[0].first_name == "Gavin"
    lists = [snov.parse_user_list(r) for r in sample("user_lists")]
    assert lists[1].deleted and lists[0].created_at.year == 2020
    page = snov.parse_list_page(sample("prospects_in_list"))
    assert page.contacts == 3 and page.prospects[1].name == "John Doe"
    assert sample("custom_fields")[0]["label"] == "company"


def test_balance_and_webhooks():
    assert snov.parse_balance(sample("balance")).balance == 25000.0
    hooks = [snov.parse_webhook(r) for r in sample("webhooks_list")["data"]]
    assert [h.id for h in hooks] == [8, 14, 17] and hooks[1].status == "deactivated"
    assert snov.parse_webhook(sample("webhook_add")["data"]).id == 17
    assert snov.parse_webhook(sample("webhook_change_status")["data"]).status == "deactivated"
    assert sample("webhook_delete")["data"]["success"] is True
