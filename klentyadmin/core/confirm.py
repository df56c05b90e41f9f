"""Destructive POSTs ask first, with a second POST rather than a script.

A delete view calls `ask_first` before it deletes. The first POST (the list page's
Delete button) gets the question back: as a partial that replaces the button's form
when HTMX sent it, or as a page of its own without JavaScript. Its button posts the
same fields to the same URL, plus `confirmed=yes`; only that POST deletes. Nothing
here needs an inline script, so it works under the Content-Security-Policy.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url

CONFIRMED = "confirmed"
TEMPLATE = "includes/confirm.html"
NOT_CARRIED = {CONFIRMED, "csrfmiddlewaretoken"}


def confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRMED) == "yes"


def ask_first(
    request: HttpRequest,
    question: str,
    consequence: str,
    back: str,
    button: str = "Delete",
) -> HttpResponse | None:
    """None when this POST is the confirmed one; otherwise the answer that asks.

    `back` (a URL or a URL name) is where Cancel goes: the list the button was on.
    """
    if confirmed(request):
        return None
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in NOT_CARRIED
        for value in values
    ]
    context = {
        "question": question,
        "consequence": consequence,
        "button": button,
        "back": resolve_url(back),
        "action": request.get_full_path(),
        "fields": fields,
        "confirmed_field": CONFIRMED,
    }
    template = f"{TEMPLATE}#confirm" if getattr(request, "htmx", False) else TEMPLATE
    return render(request, template, context)
