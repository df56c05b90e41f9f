"""The contacts CRM sandbox over raw HTTP: routes, shapes, validation, auth, seed, reset."""

from __future__ import annotations

import re

import pytest
import requests

KEY = "sandbox-crm-key"
CONTACT_KEYS = [
    "id",
    "email",
    "photo",
    "firstName",
    "lastName",
    "fullName",
    "jobTitle",
    "companyName",
    "phoneNumbers",
    "facebookUrl",
    "instagramUrl",
    "linkedinUrl",
    "note",
    "lastActivityAt",
    "createdAt",
    "leadStatus",
]


class CrmApi:
    def __init__(self, url: str, key: str = KEY):
        self.base = f"{url}/crm/api/connect"
        self.session = requests.Session()
        self.session.headers["X-Api-Key"] = key

    def get(self, path: str, **params) -> requests.Response:
        return self.session.get(self.base + path, params=params, timeout=10)

    def post(self, path: str, body=None, **kw) -> requests.Response:
        return self.session.post(self.base + path, json=body, timeout=10, **kw)


@pytest.fixture
def crm(sandbox) -> CrmApi:
    return CrmApi(sandbox.url)


def test_every_route_needs_the_key_and_answers_401_in_the_error_shape(sandbox):
    for key in ("", "wrong-key"):
        api = CrmApi(sandbox.url, key)
        for answer in (api.get("/contacts"), api.get("/me"), api.post("/contacts", {})):
            assert answer.status_code == 401
            assert answer.json() == {"error": "Invalid or missing API key"}


def test_get_contacts_answers_every_seeded_contact_with_the_documented_attributes(crm):
    contacts = crm.get("/contacts").json()
    assert len(contacts) == 300
    assert list(contacts[0]) == CONTACT_KEYS
    with_status = [c for c in contacts if c["leadStatus"]]
    assert with_status and set(with_status[0]["leadStatus"]) == {"id", "label", "color"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", contacts[0]["createdAt"])
    assert any(c["email"] is None and c["firstName"] for c in contacts)


def test_query_matches_first_name_last_name_or_email_in_any_case(crm):
    everyone = crm.get("/contacts").json()
    person = next(c for c in everyone if c["email"])
    for query in (person["firstName"].upper(), person["lastName"], person["email"].split("@")[1]):
        found = crm.get("/contacts", query=query).json()
        assert person["id"] in [c["id"] for c in found]
    assert crm.get("/contacts", query="no-such-person-zzz").json() == []


def test_lead_statuses_have_a_type_label_colour_and_order(crm):
    statuses = crm.get("/contacts/lead-statuses").json()
    assert statuses[0] == {
        "id": 1,
        "type": "lead",
        "label": "New Lead",
        "color": "#3B82F6",
        "order": 1,
    }
    assert [s["order"] for s in statuses] == sorted(s["order"] for s in statuses)
    assert {s["type"] for s in statuses} == {"lead", "qualified", "disqualified"}


def test_me_answers_the_user_and_the_workspace(crm):
    me = crm.get("/me").json()
    assert me["details"]["email"] == "morgan.hale@northwind.example"
    assert me["workspace"]["name"] == "Northwind Traders"


def test_create_answers_the_id_what_was_given_and_created_at(crm, sandbox):
    body = {
        "email": "Jane.Smith@Example.com",
        "firstName": "Jane",
        "lastName": "Smith",
        "jobTitle": "Marketing Manager",
        "companyName": "Tech Solutions Inc",
        "leadStatus": 1,
    }
    answer = crm.post("/contacts", body)
    assert answer.status_code == 200
    created = answer.json()
    assert list(created) == [
        "id",
        "email",
        "firstName",
        "lastName",
        "jobTitle",
        "companyName",
        "createdAt",
    ]
    assert created["id"] == 301 and created["email"] == "jane.smith@example.com"
    found = crm.get("/contacts", query="jane.smith@example.com").json()
    assert found[0]["leadStatus"]["label"] == "New Lead"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"lastName": "Nobody"}, "At least email or firstName is required"),
        ({"email": "", "firstName": ""}, "At least email or firstName is required"),
        ({"email": "not-an-email"}, "Invalid email"),
        ({"email": "two@@example.com", "firstName": "A"}, "Invalid email"),
        ({"firstName": "A", "leadStatus": 999}, "Invalid lead status"),
        ({"firstName": "A", "leadStatus": "abc"}, "Invalid lead status"),
        ({"firstName": "A", "leadStatus": True}, "Invalid lead status"),
        ({"firstName": 7}, "Invalid request data"),
        ({"firstName": "A", "phoneNumbers": [1]}, "Invalid request data"),
        (["not", "an", "object"], "Invalid request data"),
    ],
)
def test_create_refuses_invalid_input_with_400_and_the_documented_message(crm, body, message):
    answer = crm.post("/contacts", body)
    assert answer.status_code == 400
    assert answer.json() == {"error": message}


def test_a_body_that_is_not_json_is_a_400(crm):
    answer = crm.post("/contacts", data=b"{nope", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and "error" in answer.json()


def test_a_first_name_alone_is_enough_and_phone_numbers_may_be_a_string(crm):
    answer = crm.post("/contacts", {"firstName": "Solo", "phoneNumbers": "+1 555, +44 20"})
    assert answer.status_code == 200
    assert answer.json()["phoneNumbers"] == ["+1 555", "+44 20"]


def test_unknown_paths_and_methods_answer_in_the_error_shape(crm):
    assert crm.get("/nothing").json() == {"error": "No such endpoint"}
    answer = crm.post("/me", {})
    assert answer.status_code == 405 and set(answer.json()) == {"error"}


def test_reset_restores_the_seeded_state_and_the_seed_is_deterministic(crm, sandbox):
    before = crm.get("/contacts").json()
    crm.post("/contacts", {"firstName": "Temp"})
    assert len(crm.get("/contacts").json()) == 301
    sandbox.reset()
    after = crm.get("/contacts").json()
    strip = [
        {k: v for k, v in c.items() if k not in {"createdAt", "lastActivityAt"}} for c in after
    ]
    assert strip == [
        {k: v for k, v in c.items() if k not in {"createdAt", "lastActivityAt"}} for c in before
    ]


def test_some_contacts_share_their_email_with_klenty_prospects(crm, sandbox):
    emails = {c["email"] for c in crm.get("/contacts").json() if c["email"]}
    klenty = set()
    for status in ("Not Contacted", "In Cadence", "Completed", "Replied", "Paused"):
        klenty |= {p["email"] for p in sandbox.find_prospects(status=status, limit=1000)}
    # Most of the 60 shared people fall in these statuses (which hold ~92% of the seed).
    assert 30 <= len(emails & klenty) <= 60


def test_faults_rate_limit_and_the_request_log_apply_to_the_crm(crm, sandbox):
    sandbox.fail_next(status=500, path_contains="/crm/")
    answer = crm.get("/me")
    assert answer.status_code == 500 and set(answer.json()) == {"error"}
    sandbox.configure(rate_limit_per_min=1)
    assert crm.get("/me").status_code == 200
    limited = crm.get("/me")
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    log = sandbox.requests()
    assert [e["path"] for e in log] == ["/crm/api/connect/me"] * 3
    assert [e["status"] for e in log] == [500, 200, 429]


def test_the_control_endpoints_list_contacts_and_delete_a_lead_status(crm, sandbox):
    crm.post("/contacts", {"email": "x@y.example", "twitterUrl": "https://twitter.com/x"})
    found = sandbox._call("GET", "crm/contacts?email=x@y.example")
    assert found["total"] == 1 and found["contacts"][0]["twitterUrl"] == "https://twitter.com/x"
    sandbox._call("POST", "crm/lead-statuses/1/delete", {})
    assert 1 not in [s["id"] for s in crm.get("/contacts/lead-statuses").json()]
    assert crm.post("/contacts", {"firstName": "A", "leadStatus": 1}).json() == {
        "error": "Invalid lead status"
    }
