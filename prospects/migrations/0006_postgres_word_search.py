"""The prospects search on PostgreSQL: an index that answers "every typed word starts a
word of the prospect" as SQLite's FTS5 index does (migration 0002).

The words are those of `search_text` split at every character that is not a letter or
a digit, as FTS5's unicode61 tokenizer splits them (an email's "natarajan" is a word of
its own: PostgreSQL's own parser would keep the whole address as one token). The
`simple` configuration neither stems nor drops stop words, so "the" and "ing" are
prefixes like any other. A GIN index over that tsvector answers `@@ 'pri:* & nat:*'`
without reading the table. Only PostgreSQL runs this; prospects/search.py builds the
same expression (`POSTGRES_WORDS`), which must stay identical for the index to serve.
"""

from django.db import migrations

INDEX = "prospects_prospect_words_gin"
CREATE = f"""
    CREATE INDEX IF NOT EXISTS {INDEX} ON prospects_prospect USING gin (
        to_tsvector('simple'::regconfig, regexp_replace(search_text, '[^[:alnum:]]+', ' ', 'g'))
    )
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("prospects", "0005_column_preferences_and_sort_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
