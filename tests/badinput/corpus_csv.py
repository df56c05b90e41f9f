"""Bad CSV files for the import wizard: uploads that must be refused (and not kept),
mappings that must be refused (and not saved), and files whose rows are all bad,
which the preview must report row by row without sending anything."""

from __future__ import annotations

import codecs
from dataclasses import replace

from prospects.owners import DUPLICATE_FOR_REPS
from tests.badinput.harness import TOLERATED, Case

GOOD_HEADER = b"Email,First name,Company\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
XLSX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 8


def upload(id: str, content: bytes | None, filename: str = "prospects.csv", **data) -> Case:
    files = {"file": (filename, content)} if content is not None else {}
    return Case(f"csv upload: {id}", "rep", "post", "prospects:import", data=data, files=files)


UPLOADS = [
    upload("zero bytes", b""),
    upload("only whitespace", b" \r\n\t\r\n  "),
    upload("only a byte order mark", codecs.BOM_UTF8),
    upload("only blank lines of separators", b",,,\n;;;\n\t\t\n"),
    upload("only the header", GOOD_HEADER),
    upload("header and blank rows", GOOD_HEADER + b",,\n , ,\n"),
    upload("no email column", b"Name,Company\nAda,Analytical\nGrace,Navy\n"),
    upload("missing header: data row first", b"ada@lovelace.example,Ada,Analytical\n"),
    upload("a PNG image", PNG),
    upload("an Excel workbook", XLSX, filename="prospects.xlsx"),
    upload("NUL bytes between the cells", b"Email,Name\x00\x00\x00\nada@x.example,\x00Ada\n"),
    upload(
        "UTF-16 without a byte order mark", "Email,Name\nada@x.example,Ada\n".encode("utf-16-le")
    ),
    upload("UTF-16 with a byte order mark but an odd length", codecs.BOM_UTF16_LE + b"E\x00m\x00a"),
    upload("every byte value", bytes(range(256)) * 40),
    upload("control characters", b"Email,Name\n" + b"\x01\x02\x03\x04\x05\x06\x07\x08" * 200),
    upload(
        "201 columns",
        (",".join(f"c{i}" for i in range(200)) + ",Email\n").encode()
        + b"x," * 200
        + b"ada@x.example\n",
    ),
    upload("unclosed quote in the header", b'"Email,First name\nada@x.example,Ada\n'),
    upload("formula injection in the header", b"=cmd|'/c calc'!A0,Name\n=1+1,Ada\n"),
    upload("formula injection everywhere", b'=HYPERLINK("http://evil"),@SUM(1)\n+1,-1\n'),
    upload("pipe separated without an address", b"Email|Name\nnobody|Ada\n"),
    upload("one huge line and no rows", b"Email," + b"x" * 2_000_000 + b"\n"),
    Case(
        "csv upload: a 2 MB cell",
        "rep",
        "post",
        "prospects:import",
        files={"file": ("big.csv", GOOD_HEADER + b"ada@x.example," + b"x" * 2_000_000 + b",Co\n")},
        shows="longer than",
    ),
    upload("over the size limit", GOOD_HEADER + b"a@x.example,Ada,Co\n" * 600_000),
    upload("no file at all", None),
    upload("a text field instead of a file", None, file="Email\nada@x.example"),
]

MAP = "prospects:import_map"


def mapping(id: str, columns: list[str], who: str = "rep", **data) -> Case:
    fields = {f"column_{i}": target for i, target in enumerate(columns)}
    return Case(
        f"csv mapping: {id}",
        who,
        "post",
        MAP,
        kwargs={"token": "@upload_token"},
        data={"list_name": "", "extra_tags": "", **fields, **data},
    )


MAPPINGS = [
    mapping("no column is the email", ["ignore", "first_name", "company"]),
    mapping("email chosen twice", ["email", "email", "company"]),
    mapping("first name chosen twice", ["email", "first_name", "first_name"]),
    mapping("a target that does not exist", ["email", "password", "company"]),
    mapping("a target with SQL in it", ["email", "first_name; DROP TABLE x", "company"]),
    mapping("no columns posted", []),
    mapping("only some columns posted", ["email"]),
    mapping(
        "list name over 255 characters", ["email", "first_name", "company"], list_name="l" * 256
    ),
    Case(
        "csv mapping: duplicate headers both taken for the email",
        "rep",
        "post",
        MAP,
        kwargs={"token": "@upload_token"},
        data={"column_0": "email", "column_1": "email"},
        upload=b"Email,Email\nada@x.example,bo@x.example\n",
    ),
    mapping("someone else's upload", ["email", "first_name", "company"], who="manager"),
    Case(
        "csv mapping: two columns fill one custom field",
        "rep",
        "post",
        MAP,
        kwargs={"token": "@upload_token"},
        data={"column_0": "email", "column_1": "custom", "column_2": "custom"},
        upload=b"Email,Note,note\nada@x.example,a,b\n",
    ),
    Case(
        "csv mapping: a token that is too short",
        "rep",
        "post",
        MAP,
        kwargs={"token": "short"},
        data={"column_0": "email"},
    ),
    Case(
        "csv mapping: a token with dots",
        "rep",
        "post",
        "/prospects/import/..%2F..%2Fsecret_key/map/",
        data={"column_0": "email"},
    ),
    Case(
        "csv start: no mapping chosen yet",
        "rep",
        "post",
        "prospects:import_start",
        kwargs={"token": "@upload_token"},
        data={},
    ),
    Case(
        "csv start: someone else's upload",
        "manager",
        "post",
        "prospects:import_start",
        kwargs={"token": "@upload_token"},
        data={},
    ),
    Case(
        "csv preview: someone else's upload",
        "admin",
        "get",
        "prospects:import_preview",
        kwargs={"token": "@upload_token"},
    ),
    Case(
        "csv outcome: an import that has not started",
        "rep",
        "get",
        "prospects:import_outcome",
        kwargs={"token": "@upload_token"},
    ),
    Case(
        "csv summary: unknown token",
        "rep",
        "get",
        "prospects:import_summary",
        kwargs={"token": "A" * 32},
    ),
]

ROW_MAPPING = ("email", "first_name", "company")


def preview(id: str, body: bytes, shows: str, header: bytes = GOOD_HEADER, **options) -> Case:
    """A file the upload takes, whose rows the preview must report as invalid, one by one."""
    return Case(
        f"csv rows: {id}",
        "rep",
        "get",
        "prospects:import_preview",
        kwargs={"token": "@upload_token"},
        upload=header + body,
        mapping=options.get("mapping", ROW_MAPPING),
        expect=TOLERATED,
        shows=shows,
    )


NOT_AN_EMAIL = "is not a valid email"
PREVIEWS = [
    preview(
        "emails that are formulas", b"=cmd|'/c calc'!A0,Ada,Co\n@SUM(A1),Bo,Co\n", NOT_AN_EMAIL
    ),
    preview(
        "emails that are not addresses",
        b"ada at lovelace,Ada,Co\n@,B,C\nx@y..z,C,D\n",
        NOT_AN_EMAIL,
    ),
    preview("rows without an email", b",Ada,Co\n , Bo ,Co\n", "No email address."),
    preview(
        "more cells than headers",
        b"ada@x.example,Ada,Co,extra,more\n",
        "cells but the header has 3",
    ),
    preview(
        "a first name over 150 characters",
        b"ada@x.example," + b"f" * 151 + b",Co\n",
        "First name is longer than 150 characters.",
    ),
    preview(
        "an email over 254 characters",
        b"a" * 250 + b"@x.example,Ada,Co\n",
        "Email is longer than 254 characters.",
    ),
    preview("semicolons inside a comma file", b"ada@x.example;Ada;Co\n", NOT_AN_EMAIL),
    preview(
        "the same email twice", b"ada@x.example,A,C\nADA@x.example,B,C\n", "Same email as row 2."
    ),
    preview(
        "tags over 1000 characters",
        b'ada@x.example,"' + ",".join(f"tag{i}" for i in range(200)).encode() + b'"\n',
        "The tags come to more than",
        header=b"Email,Tags\n",
        mapping=("email", "tags"),
    ),
    preview("Windows-1252 text with formulas", "=1+1,Zoë,Co\n".encode("cp1252"), NOT_AN_EMAIL),
    # Issue 14, finding 4: the Rep's own prospect is refused in words that do not say
    # where it is, and a colleague's is not singled out (Klenty refuses it on sending).
    preview("the rep's own prospect", b"ada@lovelace.example,Ada,Co\n", DUPLICATE_FOR_REPS),
    replace(
        preview(
            "a colleague's prospect",
            b"grace@hopper.example,Grace,Co\n",
            'data-testid="ready-count">1<',
        ),
        hides="grace@hopper.example",
    ),
]

CASES = UPLOADS + MAPPINGS + PREVIEWS
