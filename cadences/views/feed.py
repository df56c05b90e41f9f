"""The activity feed: webhook events as they arrive, filtered, scoped to the viewer."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from cadences import sandbox_activity
from cadences.forms import FeedFilterForm
from cadences.models import Cadence, Event
from cadences.webhooks import NoPublicUrl
from klentyadmin.accounts.roles import any_role, manager_required
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.klenty.target import klenty_target

FEED_SIZE = 100
POLL_SECONDS = 2


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def filtered_events(user, form: FeedFilterForm):
    events = Event.objects.visible_to(user)
    data = form.valid_filters()
    if data.get("type"):
        events = events.filter(event_type=data["type"])
    if data.get("cadence"):
        events = events.filter(cadence_name=data["cadence"])
    if data.get("owner"):
        events = events.filter(prospect_owner=data["owner"].lower())
    if data.get("date_from"):
        events = events.filter(received_at__date__gte=data["date_from"])
    if data.get("date_to"):
        events = events.filter(received_at__date__lte=data["date_to"])
    return events.order_by("-received_at", "-id")[:FEED_SIZE]


@require_GET
@any_role
def feed(request: HtmxHttpRequest):
    form = FeedFilterForm(request.GET, user=request.user)
    context = {
        "form": form,
        "events": filtered_events(request.user, form),
        "poll_seconds": POLL_SECONDS,
        "query": request.GET.urlencode(),
    }
    if request.htmx:
        return render(request, "cadences/feed.html#events", context)
    context["cadence_names"] = Cadence.objects.values_list("name", flat=True)
    context["owners"] = (
        Event.objects.visible_to(request.user)
        .exclude(prospect_owner="")
        .order_by("prospect_owner")
        .values_list("prospect_owner", flat=True)
        .distinct()
        if request.user.is_manager_or_admin
        else []
    )
    if request.user.is_manager_or_admin and klenty_target().sandbox:
        context["simulating"] = sandbox_activity.simulated_activity_running()
        context["offer_simulation"] = True
    return render(request, "cadences/feed.html", context)


@require_POST
@manager_required
def simulate(request: HttpRequest):
    """Switches the sandbox's simulated activity on (subscribing the dashboard) or off."""
    on = request.POST.get("on") == "1"
    if not klenty_target().sandbox:
        messages.error(request, "Simulated activity exists only in the sandbox.")
        return redirect("cadences:feed")
    try:
        sandbox_activity.simulate_activity(on, request.user)
    except (ApiError, NoPublicUrl) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "The sandbox now makes prospects open, click and reply; watch them arrive below."
            if on
            else "Simulated activity stopped.",
        )
    return redirect("cadences:feed")
