"""`{{ row|sealed_for:user }}`: a verified row as Send to Klenty will accept it."""

from __future__ import annotations

from django import template

from enrichment.services import Row, sealed_value
from klentyadmin.integrations.snov.types import CREDIT_COST

register = template.Library()


@register.filter
def sealed_for(row: Row, user) -> str:
    return sealed_value(row, user)


@register.simple_tag
def snov_cost(call: str) -> int:
    """`{% snov_cost "get_profile_by_email" %}`: the credits one such call costs."""
    return CREDIT_COST[call]
