"""Lists, cadences, and the cadence writes: start, stop, stop mails, resume."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import REP, assert_error, one

TEAM_CADENCES = 10


def test_lists_answer_ids_and_names(klenty):
    lists = klenty.get("/lists").json()
    assert len(lists) == 8
    assert all(set(item) == {"id", "name"} and len(item["id"]) == 24 for item in lists)
    assert "Inbound Leads" in [item["name"] for item in lists]


def test_company_cadences_are_the_whole_team_s(klenty):
    cadences = klenty.get("/cadences").json()
    assert len(cadences) == TEAM_CADENCES
    assert all(set(item) == {"id", "name"} for item in cadences)
    assert klenty.get("/cadences", user=REP).json() == cadences


def test_user_cadences_are_the_ones_that_member_owns(klenty):
    from sandbox.team import TEAM_EMAILS

    mine = [klenty.get("/cadences", username=member).json() for member in TEAM_EMAILS]
    assert all(mine)
    names = sorted(c["name"] for cadences in mine for c in cadences)
    assert names == sorted(c["name"] for c in klenty.get("/cadences").json())


def test_user_cadences_of_someone_outside_the_team_are_forbidden(klenty):
    assert_error(klenty.get("/cadences", username="eve@evil.example"), 403, "FORBIDDEN")


def test_start_cadence_puts_the_prospect_in_cadence(sandbox, klenty):
    email = one(sandbox, status="Not Contacted")
    body = {"Email": email, "cadenceName": "webinar nurture"}
    assert klenty.post("/startcadence", body).json() == {"status": True}
    assert klenty.get(f"/prospects/{email}/status").json() == {
        "cadenceStatus": "In Cadence",
        "prospectStatus": "In Cadence",
    }
    membership = sandbox.prospect(email)["memberships"][-1]
    assert (membership["cadence"], membership["status"], membership["step"]) == (
        "Webinar Nurture",
        "In Cadence",
        0,
    )


def test_start_cadence_twice_changes_nothing(sandbox, klenty):
    email = one(sandbox, status="Not Contacted")
    klenty.post("/startcadence", {"Email": email, "cadenceName": "Re-engagement"})
    before = sandbox.prospect(email)
    assert klenty.post("/startcadence", {"Email": email, "cadenceName": "Re-engagement"}).ok
    assert sandbox.prospect(email)["memberships"] == before["memberships"]


def test_starting_another_cadence_stops_the_running_one(sandbox, klenty):
    email = one(sandbox, status="In Cadence")
    running = sandbox.prospect(email)["cadence"]
    other = "Partner Intro" if running != "Partner Intro" else "Re-engagement"
    klenty.post("/startcadence", {"Email": email, "cadenceName": other})
    memberships = {m["cadence"]: m["status"] for m in sandbox.prospect(email)["memberships"]}
    assert memberships == {running: "Stopped", other: "In Cadence"}


def test_start_cadence_with_an_unknown_cadence_or_prospect_answers_no_record_found(sandbox, klenty):
    email = one(sandbox, status="Not Contacted")
    response = klenty.post("/startcadence", {"Email": email, "cadenceName": "Nope"})
    assert_error(response, 404, "K2003")
    response = klenty.post("/startcadence", {"Email": "ghost@x.example", "cadenceName": "Nope"})
    assert_error(response, 404, "K2003")


def test_start_cadence_needs_an_email_and_a_cadence_name(sandbox, klenty):
    email = one(sandbox, status="Not Contacted")
    assert_error(klenty.post("/startcadence", {"cadenceName": "Re-engagement"}), 400, "K2001")
    assert_error(klenty.post("/startcadence", {"Email": email}), 400, "K2001")
    response = klenty.post("/startcadence", {"Email": email, "cadenceName": ["Re-engagement"]})
    assert_error(response, 400, "K2001")


@pytest.mark.parametrize("status", ["Bounced", "Unsubscribed", "Do Not Contact"])
def test_start_cadence_refuses_prospects_klenty_will_not_mail(sandbox, klenty, status):
    email = one(sandbox, status=status)
    response = klenty.post("/startcadence", {"Email": email, "cadenceName": "Re-engagement"})
    assert status in assert_error(response, 400, "K2001")
    assert sandbox.prospect(email)["status"] == status


def test_stop_mails_pauses_and_resume_continues(sandbox, klenty):
    email = one(sandbox, status="In Cadence")
    assert klenty.post(f"/prospects/{email}/stop", {"Email": email}).json() == {"status": True}
    assert klenty.get(f"/prospects/{email}/status").json() == {
        "cadenceStatus": "Paused",
        "prospectStatus": "Paused",
    }
    assert klenty.post("/cadences/resume", {"Email": email}).json() == {"status": True}
    assert sandbox.prospect(email)["status"] == "In Cadence"


def test_resume_without_a_paused_cadence_is_refused(sandbox, klenty):
    email = one(sandbox, status="Completed")
    assert_error(klenty.post("/cadences/resume", {"Email": email}), 400, "K2001")


def test_stop_mails_without_a_running_cadence_is_refused(sandbox, klenty):
    email = one(sandbox, status="Not Contacted")
    assert_error(klenty.post(f"/prospects/{email}/stop"), 400, "K2001")


def test_stop_cadence_by_name_leaves_the_prospect_manually_stopped(sandbox, klenty):
    email = one(sandbox, status="In Cadence")
    cadence = sandbox.prospect(email)["cadence"]
    response = klenty.post("/stopcadence", {"Email": email, "cadenceName": cadence})
    assert response.json() == {"status": True}
    assert klenty.get(f"/prospects/{email}/status").json() == {
        "cadenceStatus": "Stopped",
        "prospectStatus": "Manually Stopped",
    }


def test_stop_cadence_without_a_name_stops_every_running_cadence(sandbox, klenty):
    email = one(sandbox, status="Paused")
    assert klenty.post("/stopcadence", {"Email": email}).json() == {"status": True}
    prospect = sandbox.prospect(email)
    assert prospect["status"] == "Manually Stopped"
    assert all(m["status"] != "In Cadence" for m in prospect["memberships"])


def test_stop_cadence_the_prospect_is_not_in_answers_no_record_found(sandbox, klenty):
    email = one(sandbox, status="In Cadence")
    running = sandbox.prospect(email)["cadence"]
    other = "Partner Intro" if running != "Partner Intro" else "Re-engagement"
    response = klenty.post("/stopcadence", {"Email": email, "cadenceName": other})
    assert_error(response, 404, "K2003")
    response = klenty.post("/stopcadence", {"Email": email, "cadenceName": "No such"})
    assert_error(response, 404, "K2003")
