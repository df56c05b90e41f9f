"""One rule for typed tags, wherever they are typed: the editor, a bulk action,
an import's cells and its extra tags."""

from __future__ import annotations

import pytest

from prospects import imports
from prospects.bulk_forms import ActionParamsForm
from prospects.forms import ProspectForm
from prospects.tags import split_tags

TYPED = " webinar, Q3|vip ,, q3 | "
TAGS = ["webinar", "Q3", "vip"]


def test_commas_and_pipes_separate_and_a_repeat_in_another_case_is_dropped():
    assert split_tags(TYPED) == TAGS
    assert split_tags("a; b") == ["a; b"]  # not a Klenty separator: part of the tag
    assert split_tags("|, ,|") == []


@pytest.mark.django_db
def test_the_editor_the_bulk_form_and_the_import_read_tags_alike(rep_user):
    editor = ProspectForm({"email": "new@x.example", "tags": TYPED}, user=rep_user)
    editor.is_valid()
    bulk = ActionParamsForm(
        {"action": "add_tags", "scope": "selected", "prospect_ids": ["1"], "tags": TYPED}
    )
    bulk.is_valid()
    parsed = imports.parse_csv(f'Email,Tags\na@x.example,"{TYPED}"\n'.encode())
    [row] = imports.check_rows(parsed, imports.ImportOptions(mapping=["email", "tags"]))

    assert editor.cleaned_data["tags"] == TAGS
    assert bulk.cleaned_data["tags"] == TAGS
    assert row.fields["tags"] == TAGS
