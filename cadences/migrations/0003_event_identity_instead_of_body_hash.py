"""Events are told apart by their identity (type, prospect, moment), not by the hash
of their raw body per subscription: a resend spelled differently, or delivered to
another of our subscriptions to the same event, was stored again.

Existing events get their identity here. Of the replays stored before, the first
keeps it and the others keep none (they stay, as history; nothing new matches them).
"""

import json

from django.db import migrations, models


def give_events_identities(apps, schema_editor):
    from cadences.receiver import delivery_identity
    from klentyadmin.lib.webhook_identity import fill_identities

    def identity(event) -> str:
        try:
            body = json.loads(event.raw_body)
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        return delivery_identity(event.event_type, event.email, event.occurred_at, body)

    events = apps.get_model("cadences", "Event").objects
    fill_identities(events.only("pk", "event_type", "email", "occurred_at", "raw_body"), identity)


class Migration(migrations.Migration):
    dependencies = [("cadences", "0002_refreshes_run_on_the_background_framework")]

    operations = [
        migrations.RemoveConstraint(model_name="event", name="event_unique_body_per_subscription"),
        migrations.RemoveField(model_name="event", name="body_hash"),
        migrations.AddField(
            model_name="event",
            name="identity",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunPython(give_events_identities, migrations.RunPython.noop),
    ]
