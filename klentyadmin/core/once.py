"""Forms that start background work, sent once however often they are posted.

Each such form carries a one-time key, made when the form is rendered. The first
POST with a key records it, with where it sent the user, in the same transaction
that creates the work. A second POST of the key (a double click, Back and
resubmit, two tabs) lands on that first result and creates nothing.

Concurrency is the database's job: the key is unique per user, so of two POSTs at
once the second's INSERT waits for the first transaction (PostgreSQL blocks on the
unique index; SQLite's BEGIN IMMEDIATE waits for the write lock), then fails, and
the second request reads the row the first committed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from klentyadmin.core.models import OneTimeKey

FIELD = "once_key"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")
ALREADY_SENT = "This form was already sent; showing the job it started."
MISSING_KEY = (
    "This form had lost its one-time key (it may come from an old page), so nothing "
    "was started. Check it and send it again."
)


# Long past any Back-and-resubmit; the jobs themselves stay.
KEY_RETENTION = timedelta(days=30)


def new_key() -> str:
    return secrets.token_urlsafe(24)  # 32 characters of KEY_PATTERN


class OneTimeKeyForm(forms.Form):
    """A form with the hidden one-time key. Unbound, it makes a fresh key; bound with
    a missing or malformed one, it says so as a form error and carries a fresh key
    for the next try. `key_required=False` for a step that only shows the form."""

    once_key = forms.CharField(required=False, widget=forms.HiddenInput)
    key_was_missing = False

    def __init__(self, *args, key_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_required = key_required
        if not self.is_bound:
            self.initial[FIELD] = new_key()
        elif not KEY_PATTERN.fullmatch(self.data.get(self.add_prefix(FIELD), "")):
            self.data = self.data.copy()
            self.data[self.add_prefix(FIELD)] = new_key()
            self.key_was_missing = True

    def clean(self):
        cleaned = super().clean()
        if self.key_was_missing and self.key_required:
            self.add_error(None, MISSING_KEY)
        return cleaned


def posted_key(request: HttpRequest) -> str:
    """The one-time key a button's form posted, or "" after saying it is missing."""
    form = OneTimeKeyForm(request.POST)
    if form.is_valid():
        return form.cleaned_data[FIELD]
    for error in form.non_field_errors():
        messages.error(request, error)
    return ""


def send_once(request: HttpRequest, key: str, create: Callable[[], str]) -> HttpResponse:
    """Runs `create` (it makes the work and returns the URL to show) unless `key` was
    sent before; either way, the response that takes the user to the work."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = OneTimeKey.objects.create(user=request.user, key=key)
        except IntegrityError:
            first = OneTimeKey.objects.get(user=request.user, key=key)
            return _already_sent(request, first.result_url)
        record.result_url = create()
        record.save(update_fields=["result_url"])
    return go_to(request, record.result_url)


def retry_failed_once(request: HttpRequest, requeue: Callable[[], int], url: str) -> HttpResponse:
    """A "Retry failed" button: `requeue` puts the failed items back and says how many."""
    if not (key := posted_key(request)):
        return redirect(url)

    def queue_again() -> str:
        count = requeue()
        messages.success(request, f"{count} failed item{'s' if count != 1 else ''} queued again.")
        return url

    return send_once(request, key, queue_again)


def earlier_result(request: HttpRequest) -> HttpResponse | None:
    """For a key already sent: the way to its work, before any other check or call
    (a resent form must land there even if its selection no longer resolves)."""
    key = request.POST.get(FIELD, "")
    if not KEY_PATTERN.fullmatch(key):
        return None
    url = (
        OneTimeKey.objects.filter(user=request.user, key=key)
        .values_list("result_url", flat=True)
        .first()
    )
    return _already_sent(request, url) if url else None


def replays_earlier_result(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view that starts work: a POST whose key was already sent lands on the work it
    started (`earlier_result`) before the view checks or calls anything. Put it under
    the role decorator, so the role is checked first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and (earlier := earlier_result(request)):
            return earlier
        return view(request, *args, **kwargs)

    return wrapper


def _already_sent(request: HttpRequest, url: str) -> HttpResponse:
    messages.info(request, ALREADY_SENT)
    return go_to(request, url)


def go_to(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if getattr(request, "htmx", False) else redirect(url)


def prune_keys() -> int:
    """Scheduled daily: forgets the keys of forms sent long ago."""
    old = OneTimeKey.objects.filter(created_at__lt=timezone.now() - KEY_RETENTION)
    deleted, _ = old.delete()
    return deleted
