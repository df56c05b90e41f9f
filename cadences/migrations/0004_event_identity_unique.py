"""One row per event identity: the database refuses a replay, even one that races
the original (a migration of its own, after the rows got their identities)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cadences", "0003_event_identity_instead_of_body_hash")]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="identity",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
    ]
