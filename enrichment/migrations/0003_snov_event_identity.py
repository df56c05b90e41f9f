"""Snov.io events get an identity (event, recipient, moment, campaign): Snov.io
resends a delivery up to seven times, and each was stored again.

Existing events get theirs here. Of the replays stored before, the first keeps it
and the others keep none (they stay, as history; nothing new matches them).
"""

from django.db import migrations, models


def give_events_identities(apps, schema_editor):
    from enrichment.hooks import delivery_identity
    from klentyadmin.lib.webhook_identity import fill_identities

    def identity(event) -> str:
        payload = event.payload if isinstance(event.payload, dict) else {}
        return delivery_identity(event.event, event.email, payload)

    fill_identities(apps.get_model("enrichment", "SnovEvent").objects.all(), identity)


class Migration(migrations.Migration):
    dependencies = [("enrichment", "0002_verification_runs_on_the_background_framework")]

    operations = [
        migrations.AddField(
            model_name="snovevent",
            name="identity",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunPython(give_events_identities, migrations.RunPython.noop),
    ]
