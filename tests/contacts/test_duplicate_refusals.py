"""The CRM import does not tell a Rep which emails a colleague has (issue 14, finding 4)."""

from __future__ import annotations

from contacts.models import Transfer
from klentyadmin.integrations.klenty import KlentyClient
from prospects.owners import DUPLICATE_FOR_REPS
from sandbox.team import TEAM_EMAILS
from tests.contacts.helpers import cache, crm_contacts, klenty_emails
from tests.contacts.test_import import post_ids

PRIYA, DIEGO = TEAM_EMAILS[1], TEAM_EMAILS[2]


def three_contacts(sandbox) -> dict[str, dict]:
    """CRM contacts Klenty also holds: one cached as the Rep's, one cached as a
    colleague's, one the cache has never seen."""
    in_klenty = klenty_emails(sandbox)
    own, colleagues, klenty_only = [c for c in crm_contacts(sandbox) if c["email"] in in_klenty][:3]
    cache(own["email"], PRIYA)
    cache(colleagues["email"], DIEGO)
    return {"own": own, "colleague's": colleagues, "Klenty only": klenty_only}


def test_a_reps_crm_preview_and_outcome_do_not_single_out_a_colleagues_prospect(
    rep_client, sandbox, committed
):
    contacts = three_contacts(sandbox)
    klenty = KlentyClient.from_settings()
    owner_before = klenty.get_prospect(contacts["colleague's"]["email"]).owner
    page = rep_client.post("/contacts/import/", post_ids(list(contacts.values())))
    plan = {row.contact.email: (row.send, row.reason) for row in page.context["plan"]}
    said = {kind: plan[contact["email"]] for kind, contact in contacts.items()}
    assert said["colleague's"] == said["Klenty only"]
    assert said["own"] == (False, DUPLICATE_FOR_REPS)

    committed(rep_client.post, "/contacts/import/start/", post_ids(list(contacts.values())))
    transfer = Transfer.objects.get()
    items = {i.email: (i.state, i.message) for i in transfer.bulk_job.items.all()}
    assert items[contacts["colleague's"]["email"]] == items[contacts["Klenty only"]["email"]]
    # Klenty refused it: nothing changed hands.
    assert klenty.get_prospect(contacts["colleague's"]["email"]).owner == owner_before
