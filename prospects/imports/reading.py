"""Reading the file: bytes in, a header and numbered rows out, or a problem a person
can act on. Never raises on bad input, so no file can break a page."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from prospects.imports.mapping import EMAIL, guess_mapping

MAX_COLUMNS = 200  # well under Django's DATA_UPLOAD_MAX_NUMBER_FIELDS for the mapping form
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
BINARY_SAMPLE = 8192
# Share of control characters above which decoded text is taken for a binary file.
BINARY_CONTROL_SHARE = 0.02


@dataclass(frozen=True)
class CsvRow:
    number: int  # as a spreadsheet shows it: the header is row 1
    cells: tuple[str, ...]


@dataclass(frozen=True)
class ParsedCsv:
    """A read file, or the reason it could not be read (`problem`)."""

    headers: tuple[str, ...] = ()
    rows: tuple[CsvRow, ...] = ()
    encoding: str = ""
    delimiter: str = ","
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))


def decode(data: bytes) -> tuple[str, str]:
    """Text and the name of the encoding that read it: UTF-8 (with or without a
    BOM), UTF-16 with a BOM (Excel's "Unicode text"), else Windows-1252, which
    Excel writes on Western systems, else Latin-1, which reads any byte."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8-sig")
        return text, "UTF-8 with BOM" if data.startswith(codecs.BOM_UTF8) else "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def looks_binary(data: bytes, text: str) -> bool:
    if b"\x00" in data[:BINARY_SAMPLE] and not data.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        return True
    sample = text[:BINARY_SAMPLE]
    controls = sum(
        1 for ch in sample if ch not in "\t\r\n" and unicodedata.category(ch) in {"Cc", "Cs"}
    )
    return bool(sample) and controls / len(sample) > BINARY_CONTROL_SHARE


def detect_delimiter(text: str) -> str:
    """The most frequent of , ; and tab in the header line, outside quotes.

    Counting in the header is steadier than csv.Sniffer, which guesses from
    data rows where commas inside quoted values mislead it.
    """
    header = re.sub(r'"[^"]*"', "", text.lstrip("\r\n").split("\n", 1)[0])
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _is_blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def _problem(message: str, **kwargs: Any) -> ParsedCsv:
    return ParsedCsv(problem=message, **kwargs)


def parse_csv(data: bytes) -> ParsedCsv:
    """The header and the non-blank data rows, or a problem a person can act on."""
    if not data.strip():
        return _problem("The file is empty.")
    text, encoding = decode(data)
    if looks_binary(data, text):
        return _problem(
            "This is not a CSV file: it looks binary (an Excel workbook, perhaps). "
            "Save it as “CSV” from your spreadsheet and upload that."
        )
    # Postgres cannot store NUL, and no sensible value contains one.
    text = text.replace("\x00", "")
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            # A quote left open swallows the rest of the file into one cell, so say both.
            reason = (
                f"a cell is longer than {csv.field_size_limit():,} characters, "
                "the most one cell may hold; perhaps a quote is not closed"
            )
        else:
            reason = f"{exc}; a quote is probably not closed"
        return _problem(
            f"Row {len(records) + 1} cannot be read as CSV: {reason}.",
            encoding=encoding,
            delimiter=delimiter,
        )
    numbered = [(i + 1, r) for i, r in enumerate(records) if not _is_blank(r)]
    if not numbered:
        return _problem("The file is empty.", encoding=encoding, delimiter=delimiter)
    _, header = numbered[0]
    if len(header) > MAX_COLUMNS:
        return _problem(
            f"The file has {len(header)} columns; at most {MAX_COLUMNS} can be imported.",
            encoding=encoding,
            delimiter=delimiter,
        )
    headers = tuple(
        (cell.strip().lstrip("\ufeff").strip() or f"Column {i + 1}")
        for i, cell in enumerate(header)
    )
    rows = tuple(CsvRow(number, tuple(record)) for number, record in numbered[1:])
    if not rows:
        return _problem(
            "The file has a header row but no data rows.",
            headers=headers,
            encoding=encoding,
            delimiter=delimiter,
        )
    return ParsedCsv(headers=headers, rows=rows, encoding=encoding, delimiter=delimiter)


def read_upload(data: bytes) -> ParsedCsv:
    """`parse_csv`, plus the one column an import cannot do without."""
    parsed = parse_csv(data)
    if parsed.ok and EMAIL not in guess_mapping(parsed):
        return _problem(
            "No email column was found. The file needs a column of email addresses, "
            "headed e.g. “Email”.",
            headers=parsed.headers,
            encoding=parsed.encoding,
            delimiter=parsed.delimiter,
        )
    return parsed
