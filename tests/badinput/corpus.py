"""The whole bad-input corpus, by category."""

from __future__ import annotations

from tests.badinput import (
    corpus_csv,
    corpus_forms,
    corpus_queries,
    corpus_sign_in,
    corpus_webhooks,
)

CATEGORIES = {
    "forms": corpus_forms.CASES,
    "csv import": corpus_csv.CASES,
    "query strings": corpus_queries.CASES,
    "webhook bodies": corpus_webhooks.CASES,
    "sign-in": corpus_sign_in.CASES,
}
ALL = [case for cases in CATEGORIES.values() for case in cases]
