"""GET /user/{email}/prospects in its four forms, and the status endpoints."""

from __future__ import annotations

import datetime as dt

from tests.sandbox.conftest import assert_error, one

PROSPECT_KEYS = {
    "id", "FullName", "FirstName", "LastName", "MiddleName", "Account", "Department", "Company",
    "CompanyDomain", "Title", "Location", "Phone", "Email", "TwitterId", "CompanyEmail",
    "CompanyPhone", "City", "Country", "LinkedinURL", "Tags", "List", "assignTo",
}  # fmt: skip
LIST_PAGE_KEYS = {
    "id", "FullName", "FirstName", "LastName", "Email", "Company", "Tags", "List", "assignTo",
    "listName",
}  # fmt: skip


def today(offset_days: int = 0, sep: str = "-") -> str:
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=offset_days)
    return day.strftime(f"%Y{sep}%m{sep}%d")


def test_get_by_email_answers_one_object_with_tags_as_text_and_the_list_name(sandbox, klenty):
    email = one(sandbox, tag="hot")
    body = klenty.get("/prospects", Email=email).json()
    assert set(body) == PROSPECT_KEYS
    assert body["Email"] == email
    assert isinstance(body["Tags"], str) and "hot" in body["Tags"].split(" , ")
    lists = {item["name"] for item in klenty.get("/lists").json()}
    assert body["List"] in lists
    assert body["assignTo"] == sandbox.prospect(email)["owner"]


def test_get_by_email_ignores_the_case_of_the_email(sandbox, klenty):
    email = one(sandbox)
    assert klenty.get("/prospects", Email=email.upper()).json()["Email"] == email


def test_get_by_email_with_custom_fields_answers_an_array_of_one(sandbox, klenty):
    email = one(sandbox)
    body = klenty.get("/prospects", Email=email, customFields="true").json()
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) == PROSPECT_KEYS | {"Custom Fields"}
    assert set(body[0]["Custom Fields"]) == {"industry", "employees", "lead_source"}


def test_get_by_unknown_email_answers_no_record_found(klenty):
    assert_error(klenty.get("/prospects", Email="nobody@nowhere.example"), 404, "K2003")


def test_get_by_invalid_email_answers_bad_input(klenty):
    assert_error(klenty.get("/prospects", Email="not-an-email"), 400, "K2001")


def test_get_without_any_filter_answers_bad_input(klenty):
    assert_error(klenty.get("/prospects"), 400, "K2001")


def test_created_range_splits_into_its_halves(klenty):
    whole = klenty.get("/prospects", startDate=today(-60, "/"), endDate=today(0, "/")).json()
    first = klenty.get("/prospects", startDate=today(-60), endDate=today(-31)).json()
    second = klenty.get("/prospects", startDate=today(-30), endDate=today(0)).json()
    assert whole and first and second
    assert [p["id"] for p in whole] == [p["id"] for p in first + second]
    assert set(whole[0]) == PROSPECT_KEYS
    assert all(isinstance(p["Tags"], str) for p in whole)


def test_created_range_without_end_date_runs_until_now(klenty):
    assert klenty.post("/prospects", {"Email": "fresh@new.example"}).status_code == 200
    found = klenty.get("/prospects", startDate=today()).json()
    assert "fresh@new.example" in [p["Email"] for p in found]


def test_created_range_with_end_before_start_answers_invalid_date_range(klenty):
    response = klenty.get("/prospects", startDate=today(), endDate=today(-3))
    assert_error(response, 400, "K2002")


def test_created_range_with_unparseable_date_answers_invalid_date(klenty):
    assert_error(klenty.get("/prospects", startDate="yesterday"), 400, "K2002")
    assert_error(klenty.get("/prospects", startDate="2024-02-30"), 400, "K2002")


def test_updated_range_finds_a_prospect_changed_today(sandbox, klenty):
    email = one(sandbox, status="Completed")
    klenty.post(f"/prospects/{email}", {"Title": "Chief Revenue Officer"})
    found = klenty.get("/prospects", lastUpdatedDateStart=today()).json()
    assert email in [p["Email"] for p in found]
    found = klenty.get("/prospects", lastUpdatedDateStart=today(-1), lastUpdatedDateEnd=today())
    assert email in [p["Email"] for p in found.json()]


def test_updated_range_needs_its_start(klenty):
    assert_error(klenty.get("/prospects", lastUpdatedDateEnd=today()), 400, "K2002")


def test_updated_range_with_end_before_start_answers_invalid_date_range(klenty):
    response = klenty.get("/prospects", lastUpdatedDateStart=today(), lastUpdatedDateEnd=today(-1))
    assert_error(response, 400, "K2002")


def test_list_pages_use_a_page_index_and_tags_as_a_list(klenty):
    first = klenty.get("/prospects", listName="ABM Tier 1", start=1, limit=10).json()
    second = klenty.get("/prospects", listName="ABM Tier 1", start=2, limit=10).json()
    both = klenty.get("/prospects", listName="ABM Tier 1", start=1, limit=20).json()
    assert len(first) == len(second) == 10
    assert [p["id"] for p in first + second] == [p["id"] for p in both]
    assert set(first[0]) == LIST_PAGE_KEYS
    list_id = {item["name"]: item["id"] for item in klenty.get("/lists").json()}["ABM Tier 1"]
    assert all(p["List"] == list_id and p["listName"] == "ABM Tier 1" for p in both)
    assert all(isinstance(p["Tags"], list) for p in both)


def test_list_page_zero_is_read_as_page_one(klenty):
    zero = klenty.get("/prospects", listName="Event Leads", start=0, limit=5).json()
    first = klenty.get("/prospects", listName="Event Leads", start=1, limit=5).json()
    assert zero == first


def test_paging_a_list_to_its_short_last_page_returns_every_member_once(sandbox, klenty):
    expected = klenty.session.get(f"{sandbox.url}/_sandbox/prospects?list=Partner%20Referrals")
    expected_total = expected.json()["total"]
    assert expected_total > 100
    seen, page = [], 1
    while True:
        batch = klenty.get("/prospects", listName="partner referrals", start=page, limit=100).json()
        seen += [p["id"] for p in batch]
        if len(batch) < 100:
            break
        page += 1
    assert len(seen) == len(set(seen)) == expected_total


def test_list_page_limit_is_at_most_1000(klenty):
    assert_error(klenty.get("/prospects", listName="Event Leads", limit=1001), 400, "K2001")
    assert_error(klenty.get("/prospects", listName="Event Leads", start=-1), 400, "K2001")
    assert_error(klenty.get("/prospects", listName="Event Leads", limit="ten"), 400, "K2001")


def test_unknown_list_answers_no_record_found(klenty):
    assert_error(klenty.get("/prospects", listName="No Such List"), 404, "K2003")


def test_status_by_email_and_by_id_agree(sandbox, klenty):
    email = one(sandbox, status="Paused")
    by_email = klenty.get(f"/prospects/{email}/status").json()
    prospect_id = klenty.get("/prospects", Email=email).json()["id"]
    by_id = klenty.get(f"/prospects/{prospect_id}/status").json()
    assert by_email == by_id == {"cadenceStatus": "Paused", "prospectStatus": "Paused"}


def test_status_of_a_prospect_never_in_a_cadence(sandbox, klenty):
    email = one(sandbox, status="Not Contacted")
    body = klenty.get(f"/prospects/{email}/status").json()
    assert body == {"cadenceStatus": "Not In Cadence", "prospectStatus": "Not Contacted"}


def test_status_of_an_unknown_prospect_answers_no_record_found(klenty):
    assert_error(klenty.get("/prospects/nobody@nowhere.example/status"), 404, "K2003")
