"""Webhook events on other apps' pages: `{% load cadence_events %}` then a tag."""

from __future__ import annotations

from django import template

from cadences.models import Event
from cadences.receiver import events_for_prospect
from klentyadmin.lib.event_labels import event_label

register = template.Library()
register.filter("event_label", event_label)


@register.inclusion_tag("cadences/_prospect_events.html")
def prospect_events(prospect, limit: int = 50) -> dict:
    """The prospect detail page's events (the page already checked the prospect is visible)."""
    return {"prospect_events": events_for_prospect(prospect, limit)}


@register.inclusion_tag("cadences/_latest_events.html", takes_context=True)
def latest_events(context, limit: int = 5) -> dict:
    """The home page's newest events the signed-in user may see."""
    user = context["request"].user
    return {"events": Event.objects.visible_to(user).order_by("-received_at", "-id")[:limit]}
