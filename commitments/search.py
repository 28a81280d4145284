"""Free-text search that ignores accents and case: "barrieremodel" finds "Barrièremodel".

One function, `text_search`, serves every search over commitments: the list page (and so its
exports and the API, which share its filter set) and the public register.

Both sides of the comparison are folded in the database, by the same function, so what the
column holds and what the user typed can never be folded two different ways:

- **PostgreSQL**: `UPPER(tracker_unaccent(column))`, where `tracker_unaccent` is an IMMUTABLE
  wrapper around the unaccent extension (migration 0011). unaccent itself is only STABLE (its
  dictionary could change), and an index expression must be IMMUTABLE; the wrapper names the
  dictionary explicitly, which makes the promise safe. Trigram GIN indexes on exactly these
  expressions serve the search; the folded pattern is a constant, so the planner folds it
  before it picks the index.
- **SQLite** (development and the default test run): a deterministic Python function
  `tracker_fold`, registered on every new connection (`connection_created`), doing what
  unaccent and UPPER do for the letters the Kamer's texts use: decompose (NFKD), drop the
  combining accents, upper-case. A function rather than a normalised shadow column, so the
  schema stays the same on both databases and no write has to keep a copy in step; SQLite's
  tables here are small, so a scan is fine.
"""

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import BooleanField, Func, Q, TextField, Value

SQLITE_FOLD_FUNCTION = "tracker_fold"


def fold(value: str | None) -> str | None:
    """The text without accents, in capitals: SQLite's stand-in for PostgreSQL's unaccent."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).upper()


def _register_sqlite_fold(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FOLD_FUNCTION, 1, fold, deterministic=True)


def connect_signals() -> None:
    connection_created.connect(_register_sqlite_fold, dispatch_uid="tracker-sqlite-fold")


class Folded(Func):
    """A text without accents, in capitals; on PostgreSQL the expression the indexes hold."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="UPPER(tracker_unaccent(%(expressions)s))"
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template=f"{SQLITE_FOLD_FUNCTION}(%(expressions)s)"
        )

    def as_sql(self, compiler, connection, template=None, **extra_context):
        # Other databases are not supported by the project; UPPER keeps the search working.
        return super().as_sql(
            compiler, connection, template=template or "UPPER(%(expressions)s)", **extra_context
        )


class _Like(Func):
    """`text LIKE pattern`, with backslash as the escape character (the default on PostgreSQL)."""

    arg_joiner = " LIKE "
    template = "(%(expressions)s)"
    output_field = BooleanField()
    conditional = True

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s ESCAPE '\\')")


def _like_pattern(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_search(value: str, *fields: str) -> Q:
    """Rows where any of `fields` contains `value`, whatever the accents and the case."""
    pattern = Folded(Value(_like_pattern(value), output_field=TextField()))
    condition = Q()
    for field in fields:
        condition |= Q(_Like(Folded(field), pattern))
    return condition
