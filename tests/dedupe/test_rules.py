"""The matching rules: known pairs, known non-pairs, and SQL agreeing with Python."""

from __future__ import annotations

import pytest

from dedupe.rules import email_key, email_key_sql, name_key, name_key_sql
from prospects.models import Prospect

SAME_EMAIL = [
    ("Ann.Lee@Example.com", "ann.lee@example.com"),  # case, any domain
    ("ann.lee@gmail.com", "annlee@gmail.com"),  # Gmail ignores dots
    ("annlee+promo@gmail.com", "annlee@gmail.com"),  # and + tags
    ("A.nn.Lee+x+y@GoogleMail.com", "annlee@gmail.com"),  # googlemail is gmail
]
DIFFERENT_EMAIL = [
    ("ann.lee@example.com", "annlee@example.com"),  # dots matter at most domains
    ("ann+sales@example.com", "ann@example.com"),  # so do + tags
    ("annlee@gmail.com", "annlee@gmail.co"),
    ("ann.lee@notgmail.com", "annlee@notgmail.com"),
    ("annlee@gmail.com.evil.example", "annlee@gmail.com"),
]


@pytest.mark.parametrize(("a", "b"), SAME_EMAIL)
def test_these_emails_are_one_mailbox(a, b):
    assert email_key(a) == email_key(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT_EMAIL)
def test_these_emails_are_two_mailboxes(a, b):
    assert email_key(a) != email_key(b)


def test_a_name_key_needs_first_and_last_name_and_company():
    assert name_key("Ann", "Lee", "Acme") == name_key(" ann ", "LEE", "acme ")
    assert name_key("Ann", "Lee", "Acme") != name_key("Ann", "Lee", "Acme Ltd")
    assert name_key("Ann", "Lee", "Acme") != name_key("Anna", "Lee", "Acme")
    assert name_key("Ann", "", "Acme") == ""
    assert name_key("Ann", "Lee", "  ") == ""


CORPUS = [
    ("ann.lee@gmail.com", "Ann", "Lee", "Acme"),
    ("a.n.n+x@googlemail.com", " Ann ", "LEE", "acme"),
    ("bob.smith@example.com", "Bob", "", "Acme"),
    ("bob+tag@example.com", "Bob", "Smith", "   "),
    ("carl@gmail.com.example", "Carl", "Ng", "Initech"),
    ("x.y+z@gmail.com", "", "", ""),
]


@pytest.mark.django_db
def test_the_database_computes_the_same_keys_as_python():
    for email, first, last, company in CORPUS:
        Prospect.objects.create(email=email, first_name=first, last_name=last, company=company)
    rows = Prospect.objects.annotate(ek=email_key_sql("email"), nk=name_key_sql()).values_list(
        "email", "first_name", "last_name", "company", "ek", "nk"
    )
    for email, first, last, company, ek, nk in rows:
        assert ek == email_key(email), email
        assert nk == name_key(first, last, company), email
