"""Events are told apart by their identity (type, prospect, moment), not by the hash
of their raw body per subscription: a resend spelled differently, or delivered to
another of our subscriptions to the same event, was stored again.

Existing events get their identity here. Of the replays stored before, the first
keeps it and the others keep none (they stay, as history; nothing new matches them).
"""

import json

from django.db import migrations, models


def fill_identities(apps, schema_editor):
    from cadences.receiver import delivery_identity

    Event = apps.get_model("cadences", "Event")
    seen, batch = set(), []
    fields = ("pk", "event_type", "email", "occurred_at", "raw_body")
    for event in Event.objects.order_by("pk").only(*fields).iterator(chunk_size=1000):
        try:
            body = json.loads(event.raw_body)
        except ValueError:
            body = None
        identity = delivery_identity(
            event.event_type, event.email, event.occurred_at, body if isinstance(body, dict) else {}
        )
        if identity in seen:
            continue
        seen.add(identity)
        event.identity = identity
        batch.append(event)
    Event.objects.bulk_update(batch, ["identity"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("cadences", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="event", name="event_unique_body_per_subscription"),
        migrations.RemoveField(model_name="event", name="body_hash"),
        migrations.AddField(
            model_name="event",
            name="identity",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunPython(fill_identities, migrations.RunPython.noop),
    ]
