from __future__ import annotations

import pytest

from saved_views.models import SavedView, Visibility
from tests.prospects.test_search import DIEGO, PRIYA, make_prospect

MORGAN = "morgan.hale@northwind.example"


@pytest.fixture
def team_prospects(db):
    """Two of Priya's (the Rep) that replied, one of Diego's that replied, one of Priya's
    that bounced, one of Morgan's (the Manager) that replied."""
    return {
        "priya_replied": make_prospect(email="ada@lovelace.example", prospect_status="Replied"),
        "priya_replied_2": make_prospect(email="alan@turing.example", prospect_status="Replied"),
        "priya_bounced": make_prospect(email="linus@kernel.example", prospect_status="Bounced"),
        "diego_replied": make_prospect(
            email="grace@navy.example", prospect_status="Replied", owner_email=DIEGO
        ),
        "morgan_replied": make_prospect(
            email="edsger@dijkstra.example", prospect_status="Replied", owner_email=MORGAN
        ),
    }


def saved(owner, name: str = "Replied", query: str = "status=Replied", shared: bool = False):
    visibility = Visibility.SHARED if shared else Visibility.PERSONAL
    return SavedView.objects.create(owner=owner, name=name, query=query, visibility=visibility)


__all__ = ["DIEGO", "MORGAN", "PRIYA", "saved"]
