"""One row per Snov.io event identity: the database refuses a replay, even one that
races the original (a migration of its own, after the rows got their identities)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("enrichment", "0003_snov_event_identity")]

    operations = [
        migrations.AlterField(
            model_name="snovevent",
            name="identity",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
    ]
