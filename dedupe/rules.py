"""When two people are likely the same: the matching rules, in one place.

Two records are a likely pair when either key is equal and not empty:

- **email key**: the email lower-cased and trimmed (mailbox names are matched without
  regard to case, as every large provider does). For gmail-style domains only
  (``GMAIL_STYLE_DOMAINS``), Google ignores dots in the local part and everything from
  a ``+``, and googlemail.com is gmail.com, so ``Ann.Lee+promo@googlemail.com`` and
  ``annlee@gmail.com`` share a key. For every other domain dots and ``+`` tags are
  kept: at most companies ``a.lee@`` and ``alee@`` are two different people, and
  plus addressing is a per-server choice we cannot see.
- **name key**: first name, last name and company, each trimmed and lower-cased;
  empty unless all three are given (a first name alone matches far too much).

`email_key_sql` and `name_key_sql` are the same rules as database expressions, so the
grouping runs in SQL (dedupe/finding.py); a test checks that both agree. One
difference is the database's: SQLite's LOWER folds only ASCII letters, so there
"ÉMILE" and "émile" differ; PostgreSQL folds both.
"""

from __future__ import annotations

from django.db.models import Case, CharField, F, Q, Value, When
from django.db.models.functions import Concat, Length, Lower, Replace, StrIndex, Substr, Trim
from django.db.models.lookups import Exact, GreaterThan

GMAIL_STYLE_DOMAINS = ("gmail.com", "googlemail.com")
GMAIL = "gmail.com"


def email_key(email: str) -> str:
    value = (email or "").strip().lower()
    local, at, domain = value.rpartition("@")
    if not at or not local:
        return value
    if domain in GMAIL_STYLE_DOMAINS:
        local = local.split("+", 1)[0].replace(".", "")
        domain = GMAIL
    return f"{local}@{domain}"


def name_key(first_name: str, last_name: str, company: str) -> str:
    parts = [(p or "").strip().lower() for p in (first_name, last_name, company)]
    if not all(parts):
        return ""
    return f"{parts[0]} {parts[1]}|{parts[2]}"


def email_key_sql(field: str = "email"):
    """`email_key` for a column already lower-cased and trimmed (the cache's emails)."""
    at = StrIndex(F(field), Value("@"))
    local = Substr(F(field), 1, at - 1)
    plus = StrIndex(local, Value("+"))
    untagged = Case(
        When(GreaterThan(plus, 0), then=Substr(local, 1, plus - 1)),
        default=local,
        output_field=CharField(),
    )
    return Case(
        When(
            Q(**{f"{field}__iendswith": "@gmail.com"})
            | Q(**{f"{field}__iendswith": "@googlemail.com"}),
            then=Concat(
                Replace(untagged, Value("."), Value("")),
                Value("@" + GMAIL),
                output_field=CharField(),
            ),
        ),
        default=F(field),
        output_field=CharField(),
    )


def name_key_sql(first: str = "first_name", last: str = "last_name", company: str = "company"):
    parts = [Lower(Trim(F(name))) for name in (first, last, company)]
    # Any part missing: no key (each When holds one test, which every database takes).
    missing = [
        When(Exact(Length(Trim(F(name))), 0), then=Value("")) for name in (first, last, company)
    ]
    return Case(
        *missing,
        default=Concat(
            parts[0], Value(" "), parts[1], Value("|"), parts[2], output_field=CharField()
        ),
        output_field=CharField(),
    )


def reasons(a_email: str, b_email: str, same_email: bool, same_name: bool) -> list[str]:
    """Why two records match, in words."""
    said = []
    if same_email:
        a, b = (a_email or "").strip(), (b_email or "").strip()
        if a.lower() == b.lower():
            said.append("the same email in different case")
        else:
            said.append("the same Gmail address, ignoring dots and + tags")
    if same_name:
        said.append("the same name and company")
    return said
