"""Snov.io events get an identity (event, recipient, moment, campaign): Snov.io
resends a delivery up to seven times, and each was stored again.

Existing events get theirs here. Of the replays stored before, the first keeps it
and the others keep none (they stay, as history; nothing new matches them).
"""

from django.db import migrations, models


def fill_identities(apps, schema_editor):
    from enrichment.hooks import delivery_identity

    SnovEvent = apps.get_model("enrichment", "SnovEvent")
    seen, batch = set(), []
    for event in SnovEvent.objects.order_by("pk").iterator(chunk_size=1000):
        payload = event.payload if isinstance(event.payload, dict) else {}
        identity = delivery_identity(event.event, event.email, payload)
        if identity in seen:
            continue
        seen.add(identity)
        event.identity = identity
        batch.append(event)
    SnovEvent.objects.bulk_update(batch, ["identity"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("enrichment", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="snovevent",
            name="identity",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunPython(fill_identities, migrations.RunPython.noop),
    ]
