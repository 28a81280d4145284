"""Accent- and case-insensitive search (commitments/search.py); PostgreSQL only.

`tracker_unaccent(text)` is an IMMUTABLE wrapper around the unaccent extension: unaccent is
only STABLE, because its dictionary could be changed, and an index expression must be
IMMUTABLE. The wrapper names the dictionary (schema-qualified, so a search_path cannot swap
it) and may therefore promise that the same text always folds the same way. Should the
dictionary ever change, rebuild the indexes below (REINDEX).

The trigram indexes hold exactly the expressions the search writes, `UPPER(tracker_unaccent(x))`
(commitments.search.Folded), so a `LIKE '%term%'` on them is a Bitmap Index Scan rather than a
read of the whole table, twice (the page and its count). The indexes of migration 0004 stay:
the admin's search still uses Django's plain `icontains`.

Created CONCURRENTLY, outside a transaction, so a deployment keeps writing while they build.
SQLite has nothing to create: it gets a Python function on each connection instead
(commitments.search.connect_signals).
"""

from django.db import migrations

# (index name, column, the query it serves)
FOLDED_TRIGRAM_INDEXES = [
    (
        "commitment_text_folded_trgm",
        "text",
        "the search (q) of the list, its exports, the API and the public register, on the text",
    ),
    (
        "commitment_reference_folded_trgm",
        "reference",
        "the same searches on the reference: without it the OR with the text index falls back "
        "to a full scan",
    ),
    (
        "commitment_register_folded_trgm",
        "register_number",
        "the public register's search, which also looks in the Kamer's register number",
    ),
]


def create_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Both are trusted extensions (PostgreSQL 13+): the database owner may create them.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
        )
        (schema,) = cursor.fetchone()
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION tracker_unaccent(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
        f"RETURN {schema}.unaccent('{schema}.unaccent'::regdictionary, $1)"
    )
    schema_editor.execute(
        "COMMENT ON FUNCTION tracker_unaccent(text) IS %s",
        ["The text without accents, IMMUTABLE so that indexes may hold it (migration 0011)."],
    )
    for name, column, purpose in FOLDED_TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON commitments_commitment "
            f"USING gin (UPPER(tracker_unaccent({column})) gin_trgm_ops)"
        )
        schema_editor.execute(f"COMMENT ON INDEX {name} IS %s", [f"Serves {purpose}."])
    # The planner knows how many rows a folded search matches only from the statistics of these
    # expressions, which ANALYZE gathers. Without them it guessed 397 of 17,670 matches on a
    # million commitments, sorted them all for the first page (300 ms) instead of walking the
    # due-date index (30 ms).
    schema_editor.execute("ANALYZE commitments_commitment")


def drop_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column, _purpose in FOLDED_TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS tracker_unaccent(text)")
    # The extensions stay: other database objects may use them, and they cost nothing.


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("commitments", "0010_public_register")]

    operations = [migrations.RunPython(create_search, drop_search, elidable=False)]
