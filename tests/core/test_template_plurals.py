"""A count printed before a noun agrees with it: "1 prospect", "2 prospects"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

TEMPLATES = Path(settings.BASE_DIR) / "templates"
NOUNS = (
    "prospects rows emails events credits days calls requests contacts jobs minutes hours "
    "seconds errors lists cadences users steps fields tags transfers replies checks"
).split()
# {{ count }} noun, with no pluralize filter in the count's own tag.
COUNT_THEN_NOUN = re.compile(r"\{\{([^}]*)\}\}\s+(" + "|".join(NOUNS) + r")\b")
# Counts that are never 1, and why.
NEVER_ONE = {
    ("cadences/feed.html", "poll_seconds"): "the feed's polling interval, a constant of seconds",
    ("prospects/search.html", "results.count"): '"More than N prospects": N is the count cap',
}


def count_then_noun_without_plural():
    for path in sorted(TEMPLATES.rglob("*")):
        if not path.is_file() or path.suffix not in {".html", ".txt"}:
            continue
        name = str(path.relative_to(TEMPLATES))
        for match in COUNT_THEN_NOUN.finditer(path.read_text()):
            expression = match.group(1).strip()
            if (name, expression.split("|")[0].strip()) in NEVER_ONE:
                continue
            yield f"{name}: {match.group(0)}"


def test_no_template_prints_a_count_before_a_plural_noun_without_pluralize():
    assert list(count_then_noun_without_plural()) == []


@pytest.mark.parametrize(
    ("total", "ready", "expected"),
    [(1, 1, "Of 1 row, 1 is ready"), (2, 0, "Of 2 rows, 0 are ready")],
)
def test_the_import_check_says_row_and_is_for_one(total, ready, expected):
    stored = {"token": "t0ken", "meta": {"filename": "people.csv"}}
    html = render_to_string(
        "prospects/import.html#preview", {"total": total, "ready": ready, "stored": stored}
    )

    assert expected in re.sub(r"<[^>]+>", "", html)
