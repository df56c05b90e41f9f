"""`{{ row|sealed_for:user }}`: a verified row as Send to Klenty will accept it."""

from __future__ import annotations

from django import template

from enrichment.services import Row, sealed_value

register = template.Library()


@register.filter
def sealed_for(row: Row, user) -> str:
    return sealed_value(row, user)
