"""Every CSV the dashboard hands out, written one way: no cell runs as a formula.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and
some also after a leading tab or carriage return), so a cadence named
`=HYPERLINK(...)` or a prospect email starting with `-` would become a live
formula in whoever opens the file. As OWASP advises ("CSV Injection"), such a
text cell gets a leading single quote, which spreadsheets show as text.

Only text is neutralised. An int, float or Decimal is written as the number it is,
so a negative figure in a report stays a number the spreadsheet can sum (a
number is never a formula); the same figure arriving as text would be quoted.

Views that answer with a CSV are marked with `@csv_download`, so the test that
walks the URL configuration (tests/core/test_csv_routes.py) finds every one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"  # so spreadsheets open the UTF-8 as UTF-8

Row = Sequence[Any]


def safe_cell(value: Any) -> Any:
    """`value` as a CSV cell no spreadsheet runs: numbers as they are, None empty,
    anything else as text, quoted when it starts like a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(row: Row) -> list[Any]:
    return [safe_cell(value) for value in row]


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Row], *, bom: bool = False) -> Iterator[str]:
    """Each row as one CSV line (the first row is usually the header)."""
    writer = csv.writer(_Echo())
    if bom:
        yield BOM
    for row in rows:
        yield writer.writerow(safe_row(row))


def csv_text(rows: Iterable[Row]) -> str:
    out = io.StringIO()
    out.writelines(csv_lines(rows))
    return out.getvalue()


def csv_bytes(rows: Iterable[Row]) -> bytes:
    """A CSV file's bytes, for an email attachment."""
    return csv_text(rows).encode()


def csv_response(
    filename: str, rows: Iterable[Row], *, stream: bool = False, bom: bool = False
) -> HttpResponse | StreamingHttpResponse:
    """A download of `rows`; `stream` writes them as they are read (long exports)."""
    if stream:
        response = StreamingHttpResponse(csv_lines(rows, bom=bom), content_type=CONTENT_TYPE)
    else:
        response = HttpResponse("".join(csv_lines(rows, bom=bom)), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_download(view: Callable) -> Callable:
    """Marks a view that answers with a CSV (see the module's docstring)."""
    view.serves_csv = True
    return view
