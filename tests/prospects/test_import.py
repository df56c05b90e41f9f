"""The CSV import: upload → map columns → check → start, and the per-row outcome."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import time

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse

from klentyadmin.core.once import ALREADY_SENT
from prospects import imports
from prospects.models import BulkJob, Prospect, ProspectList
from prospects.owners import DUPLICATE_FOR_MANAGERS

pytestmark = pytest.mark.django_db

MANAGER = "morgan.hale@northwind.example"
REP = "priya.natarajan@northwind.example"
OTHER_MEMBER = "diego.alvarez@northwind.example"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    settings.API_BACKOFF_BASE = 0.01
    settings.API_BACKOFF_CAP = 2.0
    settings.KLENTY_API_KEY = ""
    settings.KLENTY_API_BASE = ""
    settings.KLENTY_APP_BASE = ""
    settings.KLENTY_TEAM_EMAILS = []


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, content: bytes, name: str = "people.csv"):
    return client.post(reverse("prospects:import"), {"file": SimpleUploadedFile(name, content)})


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return resolve(response["Location"]).kwargs["token"]


def uploaded(client, content: bytes) -> str:
    return token_of(upload(client, content))


def mapped(client, token: str, **extra) -> None:
    """Accepts the automatic mapping, with `extra` overriding form fields."""
    page = client.get(reverse("prospects:import_map", args=[token]))
    form = page.context["form"]
    data = {name: form[name].value() for name in form.column_names}
    data.update({"list_name": "", "extra_tags": ""}, **extra)
    response = client.post(reverse("prospects:import_map", args=[token]), data)
    assert response.status_code == 302, response.context["form"].errors


def previewed(client, token: str):
    response = client.get(reverse("prospects:import_preview", args=[token]))
    assert response.status_code == 200
    return response


def started(client, token: str, django_capture_on_commit_callbacks):
    # The job is queued on commit; tasks run inline in tests.
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("prospects:import_start", args=[token]))


def outcome_rows(client, token: str) -> list[dict[str, str]]:
    response = client.get(reverse("prospects:import_outcome", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def stored_files(settings) -> list[str]:
    folder = imports.import_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


HEADER = ["Email", "First Name", "Last Name", "Company", "Job Title"]


# -- access ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("prospects:import"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_rep_may_open_the_upload_page(rep_client):
    response = rep_client.get(reverse("prospects:import"))

    assert response.status_code == 200
    assert "owned by you" in response.content.decode()


def test_another_users_token_is_not_found(client, manager_user, rep_user):
    client.force_login(manager_user)
    token = uploaded(client, csv_bytes([HEADER, ["a@x.example", "A", "B", "C", "D"]]))
    mapped(client, token)
    client.force_login(rep_user)

    for name in ("import_map", "import_preview", "import_summary", "import_outcome"):
        assert client.get(reverse(f"prospects:{name}", args=[token])).status_code == 404
    assert client.post(reverse("prospects:import_start", args=[token])).status_code == 404
    assert not BulkJob.objects.exists()


def test_a_made_up_token_is_not_found(manager_client):
    for token in ("x" * 32, "..", "abc"):
        response = manager_client.get(reverse("prospects:import_map", args=[token]))
        assert response.status_code == 404


# -- upload -----------------------------------------------------------------------------


def test_an_upload_is_stored_for_its_user(manager_client, manager_user, settings):
    token = uploaded(manager_client, csv_bytes([HEADER, ["a@x.example", "A", "B", "C", "D"]]))

    assert stored_files(settings) == [f"{token}.csv", f"{token}.json"]
    meta = json.loads((imports.import_dir() / f"{token}.json").read_text())
    assert meta["user_id"] == manager_user.pk
    assert meta["filename"] == "people.csv"


def test_an_empty_file_is_refused(manager_client, settings):
    response = upload(manager_client, b"")

    assert response.status_code == 200
    assert "The file is empty." in response.content.decode()
    assert stored_files(settings) == []


def test_a_header_only_file_is_refused(manager_client, settings):
    response = upload(manager_client, b"Email,First Name\r\n\r\n")

    assert "header row but no data rows" in response.content.decode()
    assert stored_files(settings) == []


def test_a_binary_file_is_refused(manager_client, settings):
    response = upload(manager_client, b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4)

    assert "This is not a CSV file" in response.content.decode()
    assert stored_files(settings) == []


def test_a_file_without_an_email_column_is_refused(manager_client, settings):
    response = upload(manager_client, csv_bytes([["Name", "Company"], ["Ada", "Acme"]]))

    assert "No email column was found" in response.content.decode()
    assert stored_files(settings) == []


def test_a_50_mb_file_is_refused_and_nothing_is_stored(manager_client, settings):
    row = b"someone@example.com,Some,Body,Company,Title\r\n"
    big = b"Email,First Name,Last Name,Company,Title\r\n" + row * (50 * 1024 * 1024 // len(row))

    response = upload(manager_client, big)

    assert response.status_code == 200
    body = response.content.decode()
    assert "The file is larger than 10.0\xa0MB" in body
    assert "Split it into smaller files" in body
    assert stored_files(settings) == []


def test_a_too_large_upload_is_dropped_as_it_streams_in(manager_client, monkeypatch):
    """Django's own handlers (memory, temporary file) see at most one chunk past the limit."""
    from django.core.files import uploadhandler

    seen = []
    original = uploadhandler.TemporaryFileUploadHandler.receive_data_chunk

    def counting(self, raw_data, start):
        seen.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(uploadhandler.TemporaryFileUploadHandler, "receive_data_chunk", counting)
    big = b"Email\r\n" + b"someone@example.com\r\n" * (20 * 1024 * 1024 // 21)

    upload(manager_client, big)

    assert sum(seen) <= 10 * 1024 * 1024 + uploadhandler.FileUploadHandler.chunk_size


def test_the_size_limit_is_a_setting(manager_client, settings):
    settings.CSV_IMPORT_MAX_BYTES = 2048
    content = csv_bytes([HEADER] + [[f"p{i}@x.example", "A", "B", "C", "D"] for i in range(100)])

    response = upload(manager_client, content)

    assert "The file is larger than 2.0\xa0KB" in response.content.decode()


def test_old_uploads_are_removed_when_a_new_one_arrives(manager_client, settings):
    old = uploaded(manager_client, csv_bytes([HEADER, ["a@x.example", "A", "B", "C", "D"]]))
    day_ago = time.time() - 25 * 3600
    for path in imports.import_dir().glob(f"{old}.*"):
        os.utime(path, (day_ago, day_ago))

    new = uploaded(manager_client, csv_bytes([HEADER, ["b@x.example", "A", "B", "C", "D"]]))

    assert stored_files(settings) == [f"{new}.csv", f"{new}.json"]


# -- reading: encodings and separators -----------------------------------------------------


def test_a_utf8_bom_does_not_hide_the_email_header():
    parsed = imports.read_upload(codecs.BOM_UTF8 + csv_bytes([HEADER, ["a@x.example"] * 5]))

    assert parsed.ok
    assert parsed.headers[0] == "Email"
    assert parsed.encoding == "UTF-8 with BOM"
    assert imports.guess_mapping(parsed)[0] == "email"


def test_latin1_files_are_read(manager_client):
    content = csv_bytes(
        [HEADER, ["jose@x.example", "José", "Müller", "Café Größe", "Señor"]], encoding="cp1252"
    )
    token = uploaded(manager_client, content)
    mapped(manager_client, token)

    page = previewed(manager_client, token)

    assert page.context["parsed"].encoding == "Windows-1252"
    assert page.context["ready"] == 1
    parsed = imports.parse_csv(content)
    assert parsed.rows[0].cells[1:4] == ("José", "Müller", "Café Größe")


def test_semicolon_separated_files_are_read(manager_client):
    content = csv_bytes(
        [["E-Mail", "Vorname", "Firma"], ["anna@x.example", "Anna", "Acme; GmbH"]], delimiter=";"
    )

    parsed = imports.read_upload(content)

    assert parsed.delimiter == ";"
    assert parsed.rows[0].cells == ("anna@x.example", "Anna", "Acme; GmbH")
    assert uploaded(manager_client, content)


def test_tab_separated_files_are_read():
    parsed = imports.parse_csv(b"Email\tCompany\nann@x.example\tAcme, Inc\n")

    assert parsed.delimiter == "\t"
    assert parsed.rows[0].cells == ("ann@x.example", "Acme, Inc")


def test_row_numbers_count_the_header_as_row_one_and_skip_blank_lines():
    parsed = imports.parse_csv(b"Email\r\na@x.example\r\n\r\nb@x.example\r\n")

    assert [r.number for r in parsed.rows] == [2, 4]


# -- mapping --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Email", "email"),
        ("E-mail", "email"),
        ("email address", "email"),
        ("EMAIL_ADDRESS", "email"),
        ("First Name", "first_name"),
        ("firstname", "first_name"),
        ("Given name", "first_name"),
        ("last_name", "last_name"),
        ("Surname", "last_name"),
        ("Organisation", "company"),
        ("Organization", "company"),
        ("Company", "company"),
        ("Job Title", "title"),
        ("LinkedIn", "linkedin_url"),
        ("LinkedIn URL", "linkedin_url"),
        ("Mobile", "phone"),
        ("Phone", "phone"),
        ("Website", "company_domain"),
        ("Company Domain", "company_domain"),
        ("Tags", "tags"),
        ("List", "list_name"),
        ("Owner", "owner"),
        ("City", "city"),
        ("Country", "country"),
        ("Favourite colour", "ignore"),
    ],
)
def test_common_headers_are_mapped_automatically(header, target):
    parsed = imports.parse_csv(csv_bytes([[header, "Other"], ["value", "other"]]))

    assert imports.guess_mapping(parsed)[0] == target


def test_every_prospect_field_is_a_target_or_deliberately_left_out():
    targets = set(imports.FIELD_LABELS) | set(imports.NOT_COLUMNS)

    assert targets == imports.prospect_field_names()


def test_an_unlabelled_column_of_addresses_is_taken_for_the_email():
    parsed = imports.read_upload(csv_bytes([["Contact", "Name"], ["a@x.example", "Ada"]]))

    assert parsed.ok
    assert imports.guess_mapping(parsed) == ["email", "full_name"]


def test_the_map_page_preselects_the_recognised_fields(manager_client):
    token = uploaded(manager_client, csv_bytes([HEADER + ["Notes"], ["a@x.example"] * 6]))

    form = manager_client.get(reverse("prospects:import_map", args=[token])).context["form"]

    assert [form[name].value() for name in form.column_names] == [
        "email",
        "first_name",
        "last_name",
        "company",
        "title",
        "ignore",
    ]
    assert ("custom", "Custom field: Notes") in form.fields["column_5"].choices


def test_two_columns_cannot_both_be_the_email(manager_client):
    token = uploaded(manager_client, csv_bytes([["Email", "Work"], ["a@x.example", "b@x.example"]]))

    response = manager_client.post(
        reverse("prospects:import_map", args=[token]),
        {"column_0": "email", "column_1": "email", "list_name": "", "extra_tags": ""},
    )

    assert response.status_code == 200
    assert "Email is chosen for more than one column" in response.content.decode()


def test_the_list_choices_come_from_the_cache(manager_client):
    ProspectList.objects.create(name="Webinar leads")
    token = uploaded(manager_client, csv_bytes([HEADER, ["a@x.example"] * 5]))

    body = manager_client.get(reverse("prospects:import_map", args=[token])).content.decode()

    assert '<option value="Webinar leads">' in body


# -- checking rows --------------------------------------------------------------------------


def test_bad_rows_are_reported_with_row_numbers_and_reasons_and_not_sent(manager_client):
    content = csv_bytes(
        [
            ["Email", "First Name", "Owner", "Title"],
            ["good@x.example", "Good", "", "CEO"],
            ["not-an-email", "Bad", "", ""],
            ["", "Nobody", "", ""],
            ["stranger@x.example", "Own", "someone@else.example", ""],
            ["long@x.example", "Long", "", "T" * 300],
        ]
    )
    token = uploaded(manager_client, content)
    mapped(manager_client, token)

    page = previewed(manager_client, token)

    problems = {p.number: (p.status, p.reason) for p in page.context["problems"]}
    assert problems == {
        3: ("invalid", "'not-an-email' is not a valid email."),
        4: ("invalid", "No email address."),
        5: (
            "invalid",
            "Owner someone@else.example is not a member of the Klenty team.",
        ),
        6: ("invalid", "Title is longer than 255 characters."),
    }
    assert page.context["ready"] == 1
    body = page.content.decode()
    assert "No email address." in body
    assert not BulkJob.objects.exists()


def test_duplicate_emails_in_the_file_are_marked_from_the_second_on(manager_client):
    rows = [["Email"], ["a@x.example"], ["b@x.example"], ["A@X.example"], ["a@x.example"]]
    token = uploaded(manager_client, csv_bytes(rows))
    mapped(manager_client, token)

    page = previewed(manager_client, token)

    problems = [(p.number, p.status, p.reason) for p in page.context["problems"]]
    assert problems == [
        (4, "duplicate", "Same email as row 2."),
        (5, "duplicate", "Same email as row 2."),
    ]
    assert page.context["ready"] == 2


def test_rows_already_in_the_cache_are_not_sent(manager_client):
    Prospect.objects.create(email="known@x.example", first_name="Known")
    token = uploaded(manager_client, csv_bytes([["Email"], ["known@x.example"], ["new@x.example"]]))
    mapped(manager_client, token)

    page = previewed(manager_client, token)

    counts = {status: n for status, _, n in page.context["counts"]}
    assert counts == {"ready": 1, "invalid": 0, "duplicate": 0, "exists": 1}
    assert "Already in Klenty" in page.content.decode()


def test_a_row_with_more_cells_than_the_header_is_invalid():
    parsed = imports.parse_csv(b"Email,Name\na@x.example,Ann,extra\n")
    options = imports.ImportOptions(mapping=["email", "first_name"])

    [outcome] = imports.check_rows(parsed, options)

    assert outcome.status == "invalid"
    assert "3 cells but the header has 2" in outcome.reason


def test_tags_custom_fields_list_and_extra_tags_make_the_payload():
    parsed = imports.parse_csv(
        csv_bytes([["Email", "Tags", "Notes", "List"], ["a@x.example", "hot, q3|vip", "n1", ""]])
    )
    options = imports.ImportOptions(
        mapping=["email", "tags", "custom", "list_name"],
        list_name="Imported",
        extra_tags=("webinar", "HOT"),
    )

    [outcome] = imports.check_rows(parsed, options)

    assert outcome.fields == {
        "email": "a@x.example",
        "list_name": "Imported",
        "tags": ["hot", "q3", "vip", "webinar"],
        "custom_fields": {"Notes": "n1"},
    }


def test_a_reps_rows_are_forced_to_the_rep():
    parsed = imports.parse_csv(b"Email,Owner\na@x.example,diego.alvarez@northwind.example\n")
    options = imports.ImportOptions(mapping=["email", "owner"], owner_forced=True, forced_owner=REP)

    [outcome] = imports.check_rows(parsed, options)

    assert outcome.fields["owner"] == REP


def test_a_rep_without_a_klenty_email_cannot_import_rows():
    parsed = imports.parse_csv(b"Email\na@x.example\n")
    options = imports.ImportOptions(mapping=["email"], owner_forced=True, forced_owner="")

    [outcome] = imports.check_rows(parsed, options)

    assert outcome.status == "invalid"
    assert "not linked to a Klenty team member" in outcome.reason


# -- end to end through the sandbox ---------------------------------------------------------


def test_an_import_of_250_rows_goes_to_klenty_in_three_bulk_adds(
    manager_client, sandbox, django_capture_on_commit_callbacks
):
    in_sandbox = [p["email"] for p in sandbox.find_prospects(limit=3)]
    Prospect.objects.create(email="cached@x.example", first_name="Cached")
    rows = [["Email", "First Name", "Company", "Owner", "Tags"]]
    rows += [[f"new{i}@import.example", f"New{i}", "Acme", OTHER_MEMBER, "csv"] for i in range(247)]
    rows += [[email, "Existing", "", "", ""] for email in in_sandbox]  # rows 249-251
    rows += [["cached@x.example", "Cached", "", "", ""]]  # row 252
    rows += [["broken", "Broken", "", "", ""]]  # row 253
    rows += [["new0@import.example", "Again", "", "", ""]]  # row 254
    token = uploaded(manager_client, csv_bytes(rows))
    mapped(manager_client, token, list_name="CSV import", extra_tags="q3")
    assert previewed(manager_client, token).context["ready"] == 250
    seq = sandbox.last_seq()

    response = started(manager_client, token, django_capture_on_commit_callbacks)

    job = BulkJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("prospects:job", args=[job.pk])
    posts = [r for r in sandbox.requests(since=seq) if r["method"] == "POST"]
    assert len(posts) == 3
    assert all(r["path"].endswith("/prospects") for r in posts)
    assert [len(r["body"]) for r in posts] == [100, 100, 50]
    added = sandbox.prospect("new5@import.example")
    assert added["owner"] == OTHER_MEMBER
    assert added["list"] == "CSV import"
    assert sorted(added["tags"]) == ["csv", "q3"]
    assert added["fields"]["Company"] == "Acme"

    outcome = {int(r["row"]): r for r in outcome_rows(manager_client, token)}
    assert len(outcome) == 253
    assert outcome[2] == {
        "row": "2",
        "email": "new0@import.example",
        "outcome": "added",
        "detail": "",
    }
    assert {outcome[n]["outcome"] for n in (249, 250, 251)} == {"already exists"}
    assert outcome[249]["detail"] == "Klenty already had this prospect."
    assert outcome[252]["outcome"] == "already exists"
    assert outcome[252]["detail"] == DUPLICATE_FOR_MANAGERS
    assert outcome[253]["outcome"] == "invalid"
    assert outcome[253]["detail"] == "'broken' is not a valid email."
    assert outcome[254]["outcome"] == "duplicate"
    assert sum(r["outcome"] == "added" for r in outcome.values()) == 247


def test_the_summary_page_reports_what_was_not_sent(
    manager_client, sandbox, django_capture_on_commit_callbacks
):
    token = uploaded(manager_client, csv_bytes([["Email"], ["ok@x.example"], ["nope"]]))
    mapped(manager_client, token)
    response = started(manager_client, token, django_capture_on_commit_callbacks)
    assert "Import summary" in str(list(response.wsgi_request._messages)[0])

    page = manager_client.get(reverse("prospects:import_summary", args=[token]))

    body = page.content.decode()
    assert page.status_code == 200
    assert "&#x27;nope&#x27; is not a valid email." in body
    assert reverse("prospects:import_outcome", args=[token]) in body


def test_a_failed_bulk_add_is_reported_per_row(
    manager_client, sandbox, django_capture_on_commit_callbacks, settings
):
    settings.API_MAX_ATTEMPTS = 1
    sandbox.fail_next(count=5, status=400, path_contains="/prospects")
    token = uploaded(manager_client, csv_bytes([["Email"], ["f1@x.example"], ["f2@x.example"]]))
    mapped(manager_client, token)

    started(manager_client, token, django_capture_on_commit_callbacks)

    outcome = outcome_rows(manager_client, token)
    assert [r["outcome"] for r in outcome] == ["failed", "failed"]
    assert all(r["detail"] for r in outcome)


def test_a_reps_import_is_owned_by_the_rep(rep_client, sandbox, django_capture_on_commit_callbacks):
    content = csv_bytes([["Email", "Owner"], ["repsown@x.example", OTHER_MEMBER]])
    token = uploaded(rep_client, content)
    mapped(rep_client, token)

    started(rep_client, token, django_capture_on_commit_callbacks)

    assert sandbox.prospect("repsown@x.example")["owner"] == REP
    assert Prospect.objects.get(email="repsown@x.example").owner_email == REP


def test_starting_twice_queues_one_job(manager_client, sandbox, django_capture_on_commit_callbacks):
    token = uploaded(manager_client, csv_bytes([["Email"], ["once@x.example"]]))
    mapped(manager_client, token)

    first = started(manager_client, token, django_capture_on_commit_callbacks)
    again = started(manager_client, token, django_capture_on_commit_callbacks)

    job = BulkJob.objects.get()
    assert first["Location"] == again["Location"] == job.get_absolute_url()
    assert [str(m) for m in get_messages(again.wsgi_request)][-1] == ALREADY_SENT


def test_nothing_is_queued_when_no_row_is_ready(manager_client, django_capture_on_commit_callbacks):
    token = uploaded(manager_client, csv_bytes([["Email"], ["bad"], ["worse"]]))
    mapped(manager_client, token)

    response = started(manager_client, token, django_capture_on_commit_callbacks)

    assert response["Location"] == reverse("prospects:import_summary", args=[token])
    assert not BulkJob.objects.exists()
    assert [r["outcome"] for r in outcome_rows(manager_client, token)] == ["invalid", "invalid"]


def test_the_outcome_csv_cannot_smuggle_formulas(
    manager_client, django_capture_on_commit_callbacks
):
    token = uploaded(manager_client, csv_bytes([["Email"], ["=HYPERLINK(1)"]]))
    mapped(manager_client, token)
    started(manager_client, token, django_capture_on_commit_callbacks)

    [row] = outcome_rows(manager_client, token)

    assert row["email"] == "'=hyperlink(1)"
    assert not row["detail"].startswith("=")


def test_the_upload_still_checks_the_csrf_token(manager_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    content = SimpleUploadedFile("people.csv", b"Email\na@x.example\n")

    refused = client.post(reverse("prospects:import"), {"file": content})

    assert refused.status_code == 403
    page = client.get(reverse("prospects:import"))
    token = page.context["csrf_token"]
    content.seek(0)
    accepted = client.post(
        reverse("prospects:import"), {"file": content, "csrfmiddlewaretoken": str(token)}
    )
    assert accepted.status_code == 302
