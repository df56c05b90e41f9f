"""POST /user/{email}/prospects (create, bulk) and the per-prospect writes."""

from __future__ import annotations

from tests.sandbox.conftest import MANAGER, REP, assert_error, one

NEW = {
    "Email": "Rex.Jose@Brightforge.example",
    "FirstName": "Rex",
    "LastName": "Jose",
    "MiddleName": "A",
    "Company": "Brightforge",
    "Title": "SE",
    "List": "Spring Event",
    "Tags": "paid|new",
    "CustomFields": [{"key": "gender", "value": "male"}, {"key": "seats", "value": 12}],
}


def test_create_adds_a_prospect_with_its_fields_tags_list_and_custom_fields(sandbox, klenty):
    assert klenty.post("/prospects", NEW).json() == {"status": True}
    body = klenty.get("/prospects", Email="rex.jose@brightforge.example", customFields="true")
    prospect = body.json()[0]
    assert prospect["Email"] == "rex.jose@brightforge.example"
    assert prospect["FullName"] == "Rex A Jose"  # made from the parts when not given
    assert prospect["Tags"] == "paid , new"
    assert prospect["List"] == "Spring Event"
    assert prospect["Custom Fields"] == {"gender": "male", "seats": "12"}
    assert prospect["assignTo"] == MANAGER  # the path's member when no Owner is given
    assert sandbox.prospect("rex.jose@brightforge.example")["status"] == "Not Contacted"


def test_create_with_an_unknown_list_creates_that_list(klenty):
    klenty.post("/prospects", NEW)
    assert "Spring Event" in [item["name"] for item in klenty.get("/lists").json()]


def test_create_without_a_list_uses_the_default_list(klenty):
    klenty.post("/prospects", {"Email": "nolist@new.example"})
    assert klenty.get("/prospects", Email="nolist@new.example").json()["List"] == "Default List"


def test_create_with_an_owner_assigns_that_member(klenty):
    klenty.post("/prospects", {"Email": "owned@new.example", "Owner": REP.upper()})
    assert klenty.get("/prospects", Email="owned@new.example").json()["assignTo"] == REP


def test_create_on_an_existing_email_succeeds_but_changes_nothing(sandbox, klenty):
    email = one(sandbox, status="In Cadence")
    before = sandbox.prospect(email)
    response = klenty.post("/prospects", {"Email": email, "Tags": "extra", "List": "Elsewhere"})
    assert response.json() == {"status": True}
    assert sandbox.prospect(email) == before
    assert "Elsewhere" not in [item["name"] for item in klenty.get("/lists").json()]


def test_the_custom_field_call_adds_values_to_an_existing_prospect(sandbox, klenty):
    # "Add value to a Prospect's Custom Field": the create call with only these keys.
    email = one(sandbox, status="In Cadence")
    body = {"Email": email, "FirstName": "X", "CustomFields": [{"key": "tier", "value": "gold"}]}
    assert klenty.post("/prospects", body).json() == {"status": True}
    after = sandbox.prospect(email)
    assert after["custom_fields"]["tier"] == "gold"
    assert after["fields"]["FirstName"] != "X"  # only the values are added


def test_custom_fields_with_other_fields_on_an_existing_email_change_nothing(sandbox, klenty):
    email = one(sandbox, status="In Cadence")
    before = sandbox.prospect(email)
    body = {"Email": email, "Company": "Other", "CustomFields": [{"key": "tier", "value": "x"}]}
    klenty.post("/prospects", body)
    assert sandbox.prospect(email) == before


def test_create_requires_a_valid_email(klenty):
    assert_error(klenty.post("/prospects", {"FirstName": "Anon"}), 400, "K2001")
    assert_error(klenty.post("/prospects", {"Email": ""}), 400, "K2001")
    assert_error(klenty.post("/prospects", {"Email": "steve@klenty..com"}), 400, "K2001")
    assert_error(klenty.post("/prospects", {"Email": 42}), 400, "K2001")


def test_create_refuses_an_owner_outside_the_team(klenty):
    response = klenty.post("/prospects", {"Email": "x@new.example", "Owner": "eve@evil.example"})
    assert_error(response, 400, "K2001")
    assert_error(klenty.get("/prospects", Email="x@new.example"), 404, "K2003")


def test_update_replaces_fields_adds_tags_merges_custom_fields_and_moves_the_list(sandbox, klenty):
    email = one(sandbox, status="Completed")
    before = sandbox.prospect(email)
    update = {
        "Title": "CRO",
        "Tags": "vip|Hot",
        "CustomFields": [{"key": "industry", "value": "Robotics"}, {"key": "tier", "value": "A"}],
        "List": "Renewals",
        "Outcome": "Meeting Booked",
        "Owner": REP,
    }
    assert klenty.post(f"/prospects/{email}", update).json() == {"status": True}
    after = sandbox.prospect(email)
    assert after["fields"]["Title"] == "CRO"
    assert after["fields"]["FirstName"] == before["fields"]["FirstName"]
    expected_tags = before["tags"] + ["vip"] + (["Hot"] if "hot" not in before["tags"] else [])
    assert after["tags"] == expected_tags
    assert after["custom_fields"] == {
        **before["custom_fields"],
        "industry": "Robotics",
        "tier": "A",
    }
    assert (after["list"], after["outcome"], after["owner"]) == ("Renewals", "Meeting Booked", REP)
    assert after["status"] == before["status"]
    assert after["updated"] > before["updated"]


def test_update_accepts_only_the_exact_outcomes(sandbox, klenty):
    email = one(sandbox)
    assert_error(klenty.post(f"/prospects/{email}", {"Outcome": "interested"}), 400, "K2001")
    assert klenty.post(f"/prospects/{email}", {"Outcome": "Interested"}).status_code == 200
    assert sandbox.prospect(email)["outcome"] == "Interested"


def test_update_refuses_an_owner_outside_the_team(sandbox, klenty):
    email = one(sandbox)
    assert_error(klenty.post(f"/prospects/{email}", {"Owner": "eve@x.example"}), 400, "K2001")


def test_update_refuses_a_different_email_in_the_body(sandbox, klenty):
    email = one(sandbox)
    assert_error(klenty.post(f"/prospects/{email}", {"Email": "o@x.example"}), 400, "K2001")


def test_update_of_an_unknown_prospect_answers_no_record_found(klenty):
    assert_error(klenty.post("/prospects/ghost@x.example", {"Title": "CEO"}), 404, "K2003")


def test_bulk_add_reports_each_prospect(sandbox, klenty):
    existing = one(sandbox)
    body = [
        {"Email": "raj@new.example", "FirstName": "Raj", "CompanyURL": "www.new.example"},
        {"Email": existing},
        {"Email": "not-an-email"},
        {"Email": "raj@new.example"},
        {"FirstName": "No email"},
    ]
    answer = klenty.post("/prospects", body).json()
    assert answer["status"] is True
    assert [d["prospect"] for d in answer["details"]] == [
        "raj@new.example", existing, "not-an-email", "raj@new.example", None,
    ]  # fmt: skip
    statuses = [d["status"] for d in answer["details"]]
    assert statuses[:2] == ["prospect added successfully", "prospect already exists in Klenty"]
    assert statuses[2].startswith("invalid email")
    assert statuses[3] == "prospect already exists in Klenty"
    assert statuses[4] == "Email is required"


def test_bulk_add_refuses_more_than_100_items(klenty):
    body = [{"Email": f"p{i}@bulk.example"} for i in range(101)]
    assert_error(klenty.post("/prospects", body), 400, "K2001")
    assert_error(klenty.get("/prospects", Email="p0@bulk.example"), 404, "K2003")
    assert len(klenty.post("/prospects", body[:100]).json()["details"]) == 100


def test_bulk_add_refuses_an_empty_array_or_items_that_are_not_objects(klenty):
    assert_error(klenty.post("/prospects", []), 400, "K2001")
    assert_error(klenty.post("/prospects", [{"Email": "a@b.example"}, "b@c.example"]), 400, "K2001")


def test_remove_tags_takes_a_list_or_a_comma_separated_string(klenty):
    klenty.post("/prospects", {"Email": "tags@new.example", "Tags": "a|b|c|d"})
    klenty.post("/prospects/tags@new.example/removeTags", {"tag": ["a", "B"]})
    klenty.post("/prospects/tags@new.example/removeTags", {"tag": "c, zz"})
    assert klenty.get("/prospects", Email="tags@new.example").json()["Tags"] == "d"
    assert_error(klenty.post("/prospects/tags@new.example/removeTags", {}), 400, "K2001")
    assert_error(klenty.post("/prospects/tags@new.example/removeTags", {"tag": 3}), 400, "K2001")


def test_unsubscribe_stops_the_cadence_and_is_final(sandbox, klenty):
    email = one(sandbox, status="In Cadence")
    assert klenty.post(f"/prospects/{email}/unsubscribe", {"Email": email}).json() == {
        "status": True
    }
    status = klenty.get(f"/prospects/{email}/status").json()
    assert status == {"cadenceStatus": "Stopped", "prospectStatus": "Unsubscribed"}
    assert sandbox.prospect(email)["events"][-1]["kind"] == "unsubscribe"
    assert_error(klenty.post(f"/prospects/{email}/changeStatusToDoNotContact"), 400, "K2001")
    cadence = sandbox.prospect(email)["cadence"]
    response = klenty.post("/startcadence", {"Email": email, "cadenceName": cadence})
    assert "Unsubscribed" in assert_error(response, 400, "K2001")


def test_do_not_contact_then_revert_restores_not_contacted(sandbox, klenty):
    email = one(sandbox, status="Not Contacted")
    klenty.post(f"/prospects/{email}/changeStatusToDoNotContact", {"Email": email})
    assert sandbox.prospect(email)["status"] == "Do Not Contact"
    klenty.post(f"/prospects/{email}/revertStatusToDoNotContact", {"Email": email})
    assert sandbox.prospect(email)["status"] == "Not Contacted"


def test_do_not_contact_stops_the_cadence_and_revert_leaves_it_manually_stopped(sandbox, klenty):
    email = one(sandbox, status="In Cadence")
    klenty.post(f"/prospects/{email}/changeStatusToDoNotContact")
    assert klenty.get(f"/prospects/{email}/status").json() == {
        "cadenceStatus": "Stopped",
        "prospectStatus": "Do Not Contact",
    }
    klenty.post(f"/prospects/{email}/revertStatusToDoNotContact")
    assert sandbox.prospect(email)["status"] == "Manually Stopped"


def test_revert_of_a_prospect_not_in_do_not_contact_is_refused(sandbox, klenty):
    email = one(sandbox, status="Completed")
    assert_error(klenty.post(f"/prospects/{email}/revertStatusToDoNotContact"), 400, "K2001")


def test_writes_to_an_unknown_prospect_answer_no_record_found(klenty):
    for action in ("removeTags", "unsubscribe", "changeStatusToDoNotContact", "stop"):
        response = klenty.post(f"/prospects/ghost@x.example/{action}", {"tag": "a"})
        assert_error(response, 404, "K2003")


def test_every_change_moves_last_updated(sandbox, klenty):
    email = one(sandbox, status="In Cadence")
    stamps = [sandbox.prospect(email)["updated"]]
    for path, body in (
        (f"/prospects/{email}/removeTags", {"tag": "nothing-here"}),
        (f"/prospects/{email}/stop", {}),
        ("/cadences/resume", {"Email": email}),
    ):
        assert klenty.post(path, body).status_code == 200, path
        stamps.append(sandbox.prospect(email)["updated"])
    assert stamps[1] > stamps[0]
    assert stamps[1] <= stamps[2] <= stamps[3]
