"""The list's search reads a stored column (commitments.search): `search_text`, the reference
and the text folded, written by the database itself on every insert and update.

On PostgreSQL the column is served by a trigram index, `commitment_search_text_trgm`; the two
indexes on the folded expressions of the reference and the text (migration 0011) served only
the searches that now read the column, and are dropped. The register number's stays: the
public register also looks in it. SQLite has no index to make (its tables are small), but it
adds the column by copying the table into a new one, which leaves the trigger of migration
0002 behind: it is made again on the new table, both ways.

Adding a stored generated column rewrites the table and its indexes once, and the table is
locked meanwhile: 51 s at a million commitments on a 2-core machine (81 s with the old
indexes still there), the whole migration 1 min 51 s. The old indexes are dropped first, so
they are not rebuilt on the way; the new index is then created CONCURRENTLY, outside a
transaction, so a deployment keeps writing while it builds.
"""

import importlib

import django.db.models.functions.text
from django.db import migrations, models

import commitments.search

due_date_guard = importlib.import_module("commitments.migrations.0002_original_due_date_guard")

SEARCH_INDEX = "commitment_search_text_trgm"
DROPPED = {
    "commitment_text_folded_trgm": "text",
    "commitment_reference_folded_trgm": "reference",
}


def restore_sqlite_trigger(apps, schema_editor):
    """The original due date's guard, on the table SQLite has just made."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(due_date_guard.SQLITE_DROP)
        schema_editor.execute(due_date_guard.SQLITE_CREATE)


def drop_folded_indexes(apps, schema_editor):
    # Before the column: adding it rewrites the table and every index on it, while the table
    # is locked, and these two are not worth rebuilding only to be dropped.
    if schema_editor.connection.vendor == "postgresql":
        for name in DROPPED:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


def restore_folded_indexes(apps, schema_editor):
    """Backwards, once the column is gone."""
    if schema_editor.connection.vendor != "postgresql":
        restore_sqlite_trigger(apps, schema_editor)
        return
    for name, column in DROPPED.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON commitments_commitment "
            f"USING gin (UPPER(tracker_unaccent({column})) gin_trgm_ops)"
        )


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        restore_sqlite_trigger(apps, schema_editor)
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {SEARCH_INDEX} ON commitments_commitment "
        "USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(
        f"COMMENT ON INDEX {SEARCH_INDEX} IS %s",
        [
            "Serves the search (q) of the list, its exports, the API and the public register: "
            "search_text LIKE '%term%'."
        ],
    )
    # The planner estimates the matches of a search from the column's statistics.
    schema_editor.execute("ANALYZE commitments_commitment")


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {SEARCH_INDEX}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("commitments", "0014_status_sort_index")]

    operations = [
        migrations.RunPython(drop_folded_indexes, restore_folded_indexes, elidable=False),
        migrations.AddField(
            model_name="commitment",
            name="search_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=commitments.search.Folded(
                    django.db.models.functions.text.Concat(
                        "reference",
                        models.Value("\x1f"),
                        "text",
                        output_field=models.TextField(),
                    )
                ),
                output_field=models.TextField(),
                verbose_name="search text",
            ),
        ),
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
