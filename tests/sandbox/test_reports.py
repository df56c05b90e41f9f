"""Email Engagements, StepWise Metric Engagement and Call Completion."""

from __future__ import annotations

import datetime as dt
import re

from tests.sandbox.conftest import MANAGER, REP, assert_error, one

ENGAGEMENT_KEYS = [
    "prospectsAdded", "inCadenceCount", "prospectsCompleted", "openCount", "linkCount",
    "replyCount", "unsubscribeCount", "bounceCount", "positiveCount", "negativeCount",
]  # fmt: skip
MAIL_KEYS = [
    "openCount", "replyCount", "positiveReply", "negetiveReply", "positiveReplyPercent",
    "negetiveReplyPercent", "linkCount", "mailCount", "openPercent", "replyPercent", "linkPercent",
]  # fmt: skip
STEP_KEYS = ["stepNumber", "stepType", *MAIL_KEYS, "completed", "taskCount", "callCount",
             "completedCalls", "options"]  # fmt: skip
OPTION_KEYS = ["option", *MAIL_KEYS, "templateName", "subject", "snippet"]
CALL_KEYS = {
    "username", "status", "endTime", "callSid", "disposition", "type", "comments", "notes",
    "prospectPhoneNo", "fromNumber", "createdDate", "sharableLink", "duration", "startTime",
    "purpose", "toNumber", "firstName", "lastName", "fullName", "email", "primaryPhone",
    "company", "city", "country", "tags", "source", "prospectOwner", "list", "outcome",
    "cadenceOwner", "name",
}  # fmt: skip
WIDE = {"startDate": "2020-01-01", "endDate": "2099-12-31"}


def day(offset: int = 0, padded: bool = True) -> str:
    date = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=offset)
    return date.isoformat() if padded else f"{date.year}-{date.month}-{date.day}"


def test_email_engagements_answer_the_ten_counters(klenty):
    body = klenty.post("/emailEngagements", {**WIDE, "cadenceName": "Webinar Nurture"}).json()
    assert list(body) == ENGAGEMENT_KEYS
    assert all(isinstance(value, int) for value in body.values())
    assert body["prospectsAdded"] > 0 and body["openCount"] > 0
    assert body["positiveCount"] + body["negativeCount"] <= body["replyCount"]


def test_email_engagements_agree_with_the_step_wise_report(klenty):
    for cadence in ("Webinar Nurture", "Trial Activation", "Partner Intro"):
        body = {**WIDE, "cadenceName": cadence}
        totals = klenty.post("/emailEngagements", body).json()
        steps = klenty.post("/stepWiseEngagements", body).json()
        assert totals["openCount"] == sum(step["openCount"] for step in steps)
        assert totals["replyCount"] == sum(step["replyCount"] for step in steps)
        assert totals["linkCount"] == sum(step["linkCount"] for step in steps)
        assert totals["positiveCount"] == sum(step["positiveReply"] for step in steps)


def test_email_engagements_count_only_the_requested_range(klenty):
    body = {"cadenceName": "Webinar Nurture"}
    old = klenty.post("/emailEngagements", {**body, "startDate": "2020-01-01",
                                            "endDate": "2020-12-31"}).json()  # fmt: skip
    assert set(old.values()) == {0}
    recent = {**body, "startDate": f"{day(-30)}T00:00:00Z", "endDate": f"{day()}T23:59:59Z"}
    whole = klenty.post("/emailEngagements", {**body, **WIDE}).json()
    assert klenty.post("/emailEngagements", recent).json()["openCount"] <= whole["openCount"]


def test_email_engagements_grow_when_a_prospect_opens_a_mail(sandbox, klenty):
    email = one(sandbox, status="In Cadence", cadence="Webinar Nurture")
    body = {"cadenceName": "Webinar Nurture", "startDate": day(), "endDate": day()}
    before = klenty.post("/emailEngagements", body).json()
    happened = sandbox.activity(email, "open")["happened"]
    after = klenty.post("/emailEngagements", body).json()
    if happened == "open":
        assert after["openCount"] == before["openCount"] + 1
    else:  # nothing mailed yet, so the first mail went out instead
        assert happened == "sent"


def test_engagement_reports_refuse_bad_input(klenty):
    for path in ("/emailEngagements", "/stepWiseEngagements"):
        base = {**WIDE, "cadenceName": "Webinar Nurture"}
        assert_error(klenty.post(path, {**WIDE}), 400, "K2001")
        assert_error(klenty.post(path, {**base, "startDate": "01/02/2024"}), 400, "K2002")
        assert_error(klenty.post(path, {**base, "endDate": None}), 400, "K2002")
        response = klenty.post(path, {**base, "startDate": "2024-05-01", "endDate": "2024-04-01"})
        assert_error(response, 400, "K2002")
        assert_error(klenty.post(path, {**WIDE, "cadenceName": "Nope"}), 404, "K2003")


def test_step_wise_answers_every_step_in_the_documented_shape(klenty):
    body = {"startDate": "2020-04-01T06:30:51Z", "endDate": "2099-04-20T06:30:51Z"}
    for cadence in klenty.get("/cadences").json():
        steps = klenty.post("/stepWiseEngagements", {**body, "cadenceName": cadence["name"]})
        steps = steps.json()
        assert [step["stepNumber"] for step in steps] == list(range(1, len(steps) + 1))
        assert 3 <= len(steps) <= 6 and steps[0]["stepType"] == "mail"
        for step in steps:
            assert list(step) == STEP_KEYS
            if step["stepType"] == "mail":
                assert 1 <= len(step["options"]) <= 2
                assert all(list(option) == OPTION_KEYS for option in step["options"])
                assert step["mailCount"] == sum(o["mailCount"] for o in step["options"])
                expected = (step["openCount"] * 200 + step["mailCount"]) // (step["mailCount"] * 2)
                assert step["openPercent"] == (expected if step["mailCount"] else 0)
            else:
                assert step["options"] == [] and step["mailCount"] == 0
                assert step["taskCount"] + step["callCount"] > 0


def test_calls_answer_the_documented_shape_200_a_page(klenty):
    answer = klenty.get("/calls", startDate=day(-29), endDate=day(1), page=0).json()
    assert answer["status"] is True and set(answer["data"]) == {"callData", "hasMore"}
    calls = answer["data"]["callData"]
    assert len(calls) == 200 and answer["data"]["hasMore"] is True
    assert all(set(call) == CALL_KEYS for call in calls)
    assert all(call["username"] == MANAGER for call in calls)
    created = [call["createdDate"] for call in calls]
    assert created == sorted(created, reverse=True)


def test_paging_calls_until_has_more_is_false_returns_every_call_once(sandbox, klenty):
    seen, page = [], 0
    while True:
        data = klenty.get("/calls", user=REP, startDate=day(-29), endDate=day(1), page=page)
        data = data.json()["data"]
        seen += [call["callSid"] for call in data["callData"]]
        if not data["hasMore"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == sandbox.stats()["calls_by_member"][REP]
    assert all(re.fullmatch(r"CA[0-9a-f]{32}", sid) for sid in seen)
    assert_error(klenty.get("/calls", user=REP, startDate=day(-29), page=page + 1), 404, "K2003")


def test_calls_include_some_without_a_start_time(klenty):
    calls = klenty.get("/calls", startDate=day(-29), endDate=day(1), page=0).json()
    calls = calls["data"]["callData"]
    assert any(call["startTime"] is None for call in calls)
    dispositions = {call["disposition"] for call in calls}
    assert {"CONNECTED", "NOT_ANSWERED", "VOICE_MAIL"} <= dispositions


def test_calls_accept_unpadded_dates_and_treat_the_end_date_as_exclusive(klenty):
    padded = klenty.get("/calls", startDate=day(-3), endDate=day(-2)).json()["data"]
    unpadded = klenty.get("/calls", startDate=day(-3, False), endDate=day(-2, False)).json()
    assert padded == unpadded["data"]
    assert all(call["createdDate"].startswith(day(-3)) for call in padded["callData"])


def test_calls_of_a_same_day_range_answer_no_record_found(klenty):
    assert_error(klenty.get("/calls", startDate=day(-3), endDate=day(-3)), 404, "K2003")


def test_calls_refuse_a_start_more_than_29_days_back(klenty):
    assert_error(klenty.get("/calls", startDate=day(-30), endDate=day()), 400, "K2002")


def test_calls_refuse_bad_dates(klenty):
    assert_error(klenty.get("/calls", endDate=day()), 400, "K2002")
    assert_error(klenty.get("/calls", startDate="last week"), 400, "K2002")
    assert_error(klenty.get("/calls", startDate=day(-2), endDate=day(-5)), 400, "K2002")
    assert_error(klenty.get("/calls", startDate=day(-2), page=-1), 400, "K2001")
