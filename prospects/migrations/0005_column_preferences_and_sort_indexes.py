"""Each user's choice of columns in the prospects table, and an index for every new sort.

Every column of the table sorts from its header (prospects/columns.py). As in 0002,
each sort has an index on its column and the id tiebreak, so a page of the table
is read in index order instead of sorting every prospect. The List column sorts
by the list's name, through the join: lists are few, so that sort stays cheap.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SORT_INDEXES = {
    "prospects_prospect_sort_email": "email, id",
    "prospects_prospect_sort_title": "title, id",
    "prospects_prospect_sort_tags": "tags_text, id",
    "prospects_prospect_sort_cadence_status": "cadence_status, id",
    "prospects_prospect_sort_cadence": "cadence_name, id",
    "prospects_prospect_sort_owner": "owner_email, id",
    "prospects_prospect_sort_created": "created_on, id",
    "prospects_prospect_sort_updated": "updated_on, id",
}


def create_indexes(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name, columns in SORT_INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON prospects_prospect ({columns})")


def drop_indexes(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in SORT_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0004_sync_run_on_background_framework"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ColumnPreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("columns", models.JSONField(blank=True, default=list)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="prospect_columns",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
