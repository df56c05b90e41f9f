"""The sync table says why Updated can be larger than Seen."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from prospects.models import SyncRun


@pytest.mark.django_db
def test_the_sync_table_explains_updated_against_seen(rep_client):
    # An incremental run: 3 prospects in the updated-since answers, 7 status changes.
    SyncRun.objects.create(kind="incremental", status="done", seen=3, updated=10)

    html = rep_client.get(reverse("prospects:sync_status")).content.decode()

    help_text = re.search(r'data-testid="sync-counts-help">([^<]*)<', html).group(1)
    assert "status checks" in help_text
    assert "Updated can be larger than Seen" in help_text
    assert re.search(r'<th class="num" title="[^"]+">Updated</th>', html)
