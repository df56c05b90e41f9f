"""The one-time key of forms that start work: made at render, checked at post, kept a month."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from klentyadmin.core import once
from klentyadmin.core.models import OneTimeKey


def test_an_unbound_form_makes_a_fresh_key_each_time():
    keys = {once.OneTimeKeyForm().initial[once.FIELD] for _ in range(3)}
    assert len(keys) == 3 and all(once.KEY_PATTERN.fullmatch(k) for k in keys)


@pytest.mark.parametrize("posted", [{}, {"once_key": ""}, {"once_key": "a" * 33}])
def test_a_missing_or_malformed_key_is_a_form_error_with_a_fresh_key_to_retry(posted):
    form = once.OneTimeKeyForm(posted)

    assert not form.is_valid()
    assert form.non_field_errors() == [once.MISSING_KEY]
    assert once.KEY_PATTERN.fullmatch(form.data[once.FIELD])


def test_a_step_that_only_shows_the_form_needs_no_key_yet():
    form = once.OneTimeKeyForm({}, key_required=False)

    assert form.is_valid()
    assert once.KEY_PATTERN.fullmatch(form.data[once.FIELD])


def test_keys_older_than_a_month_are_pruned_and_newer_ones_kept(manager_user):
    old = OneTimeKey.objects.create(key=once.new_key(), user=manager_user, result_url="/a/")
    OneTimeKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - once.KEY_RETENTION - timedelta(minutes=1)
    )
    recent = OneTimeKey.objects.create(key=once.new_key(), user=manager_user, result_url="/b/")

    assert once.prune_keys() == 1
    assert list(OneTimeKey.objects.all()) == [recent]
