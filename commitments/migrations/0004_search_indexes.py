"""Trigram indexes for free-text search over 100,000 commitments; PostgreSQL only.

Django's `icontains` on PostgreSQL queries `UPPER("commitments_commitment"."text"::text) LIKE
UPPER('%term%')`. A B-tree index cannot serve a LIKE that starts with a wildcard, so without
these every search reads the whole table, twice (the page and its count). A GIN index with
pg_trgm's operator class on exactly that expression serves it; the expressions below are the
ones Django writes (`UPPER(x)` on a varchar column is `upper((x)::text)`, the same tree as
Django's `::text` cast), which EXPLAIN confirms as a Bitmap Index Scan on each of them.

Created CONCURRENTLY, outside a transaction, so a deployment keeps writing commitments while
the indexes build. On SQLite (development, the default test run) there is nothing to do: its
LIKE has no index support of this kind and its tables are small.

They live here and not in `Commitment.Meta.indexes` because a GIN index cannot be declared
there without breaking the SQLite schema; being SQL only, they are not part of the model
state, so `makemigrations` does not see them.
"""

from django.db import migrations

# (index name, expression, the query it serves)
TRIGRAM_INDEXES = [
    (
        "commitment_text_trgm",
        "UPPER(text)",
        "the list's and the exports' search (q: reference or text) and the admin's search",
    ),
    (
        "commitment_reference_trgm",
        "UPPER(reference)",
        "the same searches on the reference: without it the OR with the text index falls back "
        "to a full scan",
    ),
    (
        "commitment_register_trgm",
        "UPPER(register_number)",
        "the admin's search, which also looks in the register number (search_fields)",
    ),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression, purpose in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON commitments_commitment "
            f"USING gin ({expression} gin_trgm_ops)"
        )
        schema_editor.execute(f"COMMENT ON INDEX {name} IS %s", [f"Serves {purpose}."])


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _expression, _purpose in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    # The extension stays: other database objects may use it, and it costs nothing.


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("commitments", "0003_notification")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
