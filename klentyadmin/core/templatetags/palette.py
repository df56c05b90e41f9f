"""`{% palette %}` in the layout: the command palette's and the shortcuts' dialogs,
and the script that drives them (static/js/palette.js)."""

from __future__ import annotations

from django import template

from klentyadmin.core.palette.providers import go_to_for

register = template.Library()


@register.inclusion_tag("includes/palette.html", takes_context=True)
def palette(context) -> dict:
    user = context["request"].user
    return {"go_to": go_to_for(user) if user.is_authenticated else []}
