"""The built-in rules: bounces over 2% and 5% per cadence, the team's reply rate
down, webhook silence while cadences run, and a sync or pull failing or stale.
They send nowhere until a Manager adds an email or a webhook; they show in the
history and on Home's "Needs attention" meanwhile."""

from django.db import migrations

BUILTIN = [
    {
        "builtin": "bounce_2",
        "name": "Bounce rate over 2%",
        "metric": "bounce_rate",
        "scope": "each_cadence",
        "condition": "above",
        "threshold": 2,
        "window_days": 7,
    },
    {
        "builtin": "bounce_5",
        "name": "Bounce rate over 5%",
        "metric": "bounce_rate",
        "scope": "each_cadence",
        "condition": "above",
        "threshold": 5,
        "window_days": 7,
        # Proposed, never taken without a Manager's click (act_automatically stays off).
        "action": "stop_cadence",
    },
    {
        "builtin": "reply_drop",
        "name": "Reply rate down more than 3 points",
        "metric": "reply_rate",
        "scope": "team",
        "condition": "drop_previous",
        "threshold": 3,
        "window_days": 7,
    },
    {
        "builtin": "webhook_silence",
        "name": "No webhook event for 24 hours",
        "metric": "webhook_silence",
        "scope": "team",
        "condition": "above",
        "threshold": 24,
        "window_days": 1,
    },
    {
        "builtin": "sync_health",
        "name": "A sync or pull failing or stale",
        "metric": "sync_health",
        "scope": "team",
        "condition": "above",
        "threshold": 24,
        "window_days": 1,
    },
]


def create(apps, schema_editor):
    rule = apps.get_model("alerts", "AlertRule")
    for fields in BUILTIN:
        rule.objects.update_or_create(builtin=fields["builtin"], defaults=fields)


def remove(apps, schema_editor):
    apps.get_model("alerts", "AlertRule").objects.filter(
        builtin__in=[f["builtin"] for f in BUILTIN]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
