"""Indexes for the prospects search page.

On SQLite, an FTS5 index over `search_text` answers "every typed word starts a word
in the name, email, company, title or domain" without scanning the table; the
`prefix` option keeps 2-4 letter prefixes (the first keystrokes) fast. Triggers
keep it in step with every INSERT, UPDATE and DELETE, bulk ones included, so no
Python code has to remember it. Other databases fall back to a LIKE on
`search_text` (see prospects/search.py).

The plain indexes serve the sort orders of the results table, so a page of 50 is
read in index order instead of sorting every match.
"""

from django.db import migrations

FTS_CREATE = [
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS prospects_prospect_fts USING fts5(
        search_text,
        content='prospects_prospect',
        content_rowid='id',
        prefix='2 3 4'
    )
    """,
    """
    CREATE TRIGGER IF NOT EXISTS prospects_prospect_fts_ai
    AFTER INSERT ON prospects_prospect BEGIN
        INSERT INTO prospects_prospect_fts(rowid, search_text)
        VALUES (new.id, new.search_text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS prospects_prospect_fts_ad
    AFTER DELETE ON prospects_prospect BEGIN
        INSERT INTO prospects_prospect_fts(prospects_prospect_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS prospects_prospect_fts_au
    AFTER UPDATE OF search_text ON prospects_prospect BEGIN
        INSERT INTO prospects_prospect_fts(prospects_prospect_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO prospects_prospect_fts(rowid, search_text)
        VALUES (new.id, new.search_text);
    END
    """,
    "INSERT INTO prospects_prospect_fts(prospects_prospect_fts) VALUES ('rebuild')",
]

FTS_DROP = [
    "DROP TRIGGER IF EXISTS prospects_prospect_fts_au",
    "DROP TRIGGER IF EXISTS prospects_prospect_fts_ad",
    "DROP TRIGGER IF EXISTS prospects_prospect_fts_ai",
    "DROP TABLE IF EXISTS prospects_prospect_fts",
]

SORT_INDEXES = {
    "prospects_prospect_sort_name": "search_text, id",
    "prospects_prospect_sort_company": "company, id",
    "prospects_prospect_sort_status": "prospect_status, id",
    "prospects_prospect_sort_synced": "last_synced_at, id",
}


def create_indexes(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name, columns in SORT_INDEXES.items():
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON prospects_prospect ({columns})")
        if schema_editor.connection.vendor == "sqlite":
            for statement in FTS_CREATE:
                cursor.execute(statement)


def drop_indexes(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "sqlite":
            for statement in FTS_DROP:
                cursor.execute(statement)
        for name in SORT_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("prospects", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
