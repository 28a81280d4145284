"""Bulk writes for the load generator: COPY on PostgreSQL, batched INSERTs elsewhere.

Rows are plain tuples in the order of the field names given, so one generator feeds both
backends: the SQLite path that the tests run is the same row-building code as the PostgreSQL
path that fills the benchmark database. The SQLite path is `executemany` of one INSERT per
batch rather than `bulk_create`, because it also writes the many-to-many tables, which have
no model instances to build, and skips building 100,000s of model instances for nothing.

Bulk writes pass `save()`, so they pass django-simple-history too: `write(..., history=…)`
writes, batch by batch with the records, the '+' row of the audit history that a save would
have written, with the same field values and the actor and reason given.

Nothing is held longer than a batch: `open` gives a sink that rows are added to as they are
made, several at once; rows that must end up in another order than they are made in go to a
temporary staging table (`open_staging`) and from there into their table with one
`INSERT … SELECT … ORDER BY` (`insert_from`), so that the database does the sorting, on disk
if need be, and the generator's memory stays the same at any size. For the same reason of
scale, a load sets aside the indexes and foreign keys of the big tables (`IndexesSetAside`).
"""

import datetime
import io
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

# Small enough that a batch of commitments (their texts) stays a few megabytes.
COPY_BATCH_ROWS = 10_000
INSERT_BATCH_ROWS = 2_000


def _copy_text(value) -> str:
    # COPY's text format: backslash escapes, \N for NULL.
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


@dataclass(frozen=True)
class History:
    """Who created the records and when: the '+' rows of their audit history.

    `date` is when a record came to be: the name of one of the fields written (a date counts
    from midnight UTC), a function of the row (the values in the order of the fields written,
    then the defaults filled in) or one moment for all. With `first_id` the history rows are
    numbered from it, in the order of the records, for rows that point at them (a team's
    members at the time); the caller then resets the sequence (`reset_sequences`).
    """

    user_id: int
    reason: str
    date: str | Callable[[tuple], datetime.datetime] | datetime.datetime
    first_id: int | None = None


@dataclass
class _Target:
    """One table that a batch of rows goes to, and how a row becomes its row."""

    table: str
    columns: list[str]
    converters: list[Callable]
    shape: Callable[[tuple], tuple] | None = None  # None: the row as it is


class BulkWriter:
    def __init__(self, connection: BaseDatabaseWrapper):
        self.connection = connection
        self.is_postgresql = connection.vendor == "postgresql"
        self.rows_written: dict[str, int] = {}

    def write(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        rows: Iterable,
        *,
        history: History | None = None,
    ) -> int:
        """Insert `rows` (tuples in the order of `fields`) into the model's table.

        Concrete fields that are not named get their model default, so a field added later
        with a default does not break the generator; one without a default stops it here
        with its name instead of deep inside the database. With `history`, each record also
        gets its '+' row in the model's historical table, written in the same batches.
        """
        sink = self.open(model, fields, history=history)
        for row in rows:
            sink.add(row)
        return sink.close()

    def open(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        *,
        history: History | None = None,
    ) -> "_Sink":
        """Like `write`, row by row: `add` rows as they are made, `close` to flush the rest.

        Several sinks can be open at once, so one pass over the commitments feeds all the
        tables that follow from them, holding no more than a batch of each in memory.
        """
        named = [model._meta.get_field(name) for name in fields]
        filled = self._defaults(model, named)
        written = named + [field for field, _ in filled]
        targets = [
            _Target(
                model._meta.db_table,
                [field.column for field in written],
                [self._converter(field) for field in written],
            )
        ]
        if history is not None:
            targets.append(self._history_target(model, written, history))
        return _Sink(self, targets, tuple(value for _, value in filled))

    def open_staging(self, table: str, columns: dict[str, models.Field]) -> "_Sink":
        """A temporary table for rows that the database puts in order (`insert_from`).

        The columns are typed by the model fields given, so dates and moments are stored and
        compared as the real tables do. The table lives until `drop_staging`, or the session.
        """
        quote = self.connection.ops.quote_name
        definition = ", ".join(
            f"{quote(name)} {field.db_type(self.connection)}" for name, field in columns.items()
        )
        with self.connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {quote(table)} ({definition})")
        # Their text columns hold codes (statuses, reasons), never text that needs escaping.
        target = _Target(
            table,
            list(columns),
            [self._converter(field, escape=False) for field in columns.values()],
        )
        return _Sink(self, [target], (), counted=False)

    def drop_staging(self, *tables: str) -> None:
        with self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DROP TABLE {self.connection.ops.quote_name(table)}")

    def insert_from(self, model: type[models.Model], values: dict[str, str], query: str) -> int:
        """`INSERT INTO` the model's table `SELECT` `values` (SQL per field) `query` (FROM …).

        Fields that are not named get their model default, as in `write`. The rows are
        numbered by the table's sequence in the order the query gives them.
        """
        named = [model._meta.get_field(name) for name in values]
        filled = self._defaults(model, named)
        quote = self.connection.ops.quote_name
        columns = [field.column for field in named] + [field.column for field, _ in filled]
        expressions = list(values.values()) + ["%s"] * len(filled)
        params = [field.get_db_prep_value(value, self.connection) for field, value in filled]
        sql = "INSERT INTO {} ({}) SELECT {} {}".format(
            quote(model._meta.db_table),
            ", ".join(quote(c) for c in columns),
            ", ".join(expressions),
            query,
        )
        with self.connection.cursor() as cursor:
            if self.is_postgresql:
                # The sort of a few million narrow rows fits in memory instead of on disk;
                # the database server's memory, for this transaction only.
                cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(sql, params)
            count = cursor.rowcount
            if self.is_postgresql:
                cursor.execute("SET LOCAL work_mem TO DEFAULT")
        table = model._meta.db_table
        self.rows_written[table] = self.rows_written.get(table, 0) + count
        return count

    def _defaults(self, model, named) -> list[tuple[models.Field, object]]:
        filled = []
        for field in model._meta.concrete_fields:
            if field in named or field.primary_key or field.generated:
                continue  # a generated column is written by the database
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = timezone.now() if isinstance(field, models.DateTimeField) else None
            else:
                value = field.get_default()
            if value is None and not field.null:
                raise ImproperlyConfigured(
                    f"generate_load does not fill {model._meta.label}.{field.name}, which has "
                    "no default: add it to the generator (commitments/loadgen/)."
                )
            filled.append((field, value))
        return filled

    def _history_target(self, model, written: list[models.Field], history: History) -> _Target:
        """The historical table's columns, and how a record's row becomes its '+' row.

        The historical model has the record's fields (less any excluded from the history)
        under the same columns, and simple-history's own: history_id, history_date,
        history_change_reason, history_type and history_user.
        """
        history_model = getattr(model, "history", None)
        if history_model is None:
            raise ImproperlyConfigured(f"{model._meta.label} keeps no audit history.")
        history_model = history_model.model
        position = {field.column: index for index, field in enumerate(written)}
        if model._meta.pk.column not in position:
            raise ImproperlyConfigured(
                f"Write the ids of {model._meta.label}: its history rows need them."
            )
        own = ("history_id", "history_date", "history_change_reason", "history_type")
        own_fields = [history_model._meta.get_field(name) for name in own] + [
            history_model._meta.get_field("history_user")
        ]
        copied = [f for f in history_model._meta.concrete_fields if f not in own_fields]
        missing = [f.name for f in copied if f.column not in position]
        if missing:
            raise ImproperlyConfigured(
                f"generate_load does not write {', '.join(missing)} of the history of "
                f"{model._meta.label}."
            )
        indexes = [position[f.column] for f in copied]
        date = self._history_date(history.date, [f.name for f in written], model)
        user_id, reason = history.user_id, history.reason
        added = own_fields[1:]
        if history.first_id is None:
            ids = None
        else:
            ids = itertools.count(history.first_id)
            added = own_fields

        def shape(row):
            values = [row[i] for i in indexes]
            if ids is not None:
                values.append(next(ids))
            values.extend((date(row), reason, "+", user_id))
            return values

        return _Target(
            history_model._meta.db_table,
            [f.column for f in copied] + [f.column for f in added],
            [self._converter(written[i]) for i in indexes] + [self._converter(f) for f in added],
            shape,
        )

    @staticmethod
    def _history_date(date, names: list[str], model) -> Callable[[tuple], datetime.datetime]:
        if isinstance(date, datetime.datetime):
            return lambda row: date
        if callable(date):
            return date
        if date not in names:
            raise ImproperlyConfigured(f"{model._meta.label}.{date} is not among the fields.")
        index = names.index(date)

        def from_field(row):
            value = row[index]
            if isinstance(value, datetime.datetime):
                return value
            return as_utc(value, 0)

        return from_field

    def _converter(self, field: models.Field, escape=True) -> Callable:
        ops = self.connection.ops
        if self.is_postgresql:
            if not escape and isinstance(field, models.CharField):
                return lambda v: r"\N" if v is None else v
            if isinstance(field, models.BooleanField):
                return lambda v: r"\N" if v is None else ("t" if v else "f")
            if isinstance(field, models.DateTimeField):
                return lambda v: r"\N" if v is None else v.isoformat()
            if isinstance(field, models.DateField):
                return lambda v: r"\N" if v is None else v.isoformat()
            if isinstance(field, (models.CharField, models.TextField, models.FileField)):
                return lambda v: r"\N" if v is None else _copy_text(v)
            return lambda v: r"\N" if v is None else str(v)
        if isinstance(field, models.DateTimeField):
            return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
        if isinstance(field, models.DateField):
            return lambda v: None if v is None else ops.adapt_datefield_value(v)
        return lambda v: v

    def _copy(self, cursor, target: _Target, batch: list[tuple]) -> None:
        quote = self.connection.ops.quote_name
        sql = "COPY {} ({}) FROM STDIN".format(
            quote(target.table), ", ".join(quote(c) for c in target.columns)
        )
        converters, shape = target.converters, target.shape
        rows = batch if shape is None else map(shape, batch)
        text = "".join(
            "\t".join([convert(v) for convert, v in zip(converters, row, strict=True)]) + "\n"
            for row in rows
        )
        cursor.copy_expert(sql, io.StringIO(text))

    def _insert(self, cursor, target: _Target, batch: list[tuple]) -> None:
        quote = self.connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(target.table),
            ", ".join(quote(c) for c in target.columns),
            ", ".join(["%s"] * len(target.columns)),
        )
        converters, shape = target.converters, target.shape
        rows = batch if shape is None else map(shape, batch)
        cursor.executemany(
            sql,
            [tuple(convert(v) for convert, v in zip(converters, row, strict=True)) for row in rows],
        )


class _Sink:
    """Rows on their way to one table (and its history): flushed a batch at a time."""

    def __init__(self, writer: BulkWriter, targets: list[_Target], extra: tuple, counted=True):
        self.writer, self.targets, self.extra, self.counted = writer, targets, extra, counted
        self.batch_rows = COPY_BATCH_ROWS if writer.is_postgresql else INSERT_BATCH_ROWS
        self.flush_batch = writer._copy if writer.is_postgresql else writer._insert
        self.batch: list[tuple] = []
        self.count = 0

    def add(self, row: tuple) -> None:
        self.batch.append((*row, *self.extra) if self.extra else row)
        if len(self.batch) >= self.batch_rows:
            self._flush()

    def _flush(self) -> None:
        with self.writer.connection.cursor() as cursor:
            for target in self.targets:
                self.flush_batch(cursor, target, self.batch)
        self.count += len(self.batch)
        self.batch = []

    def close(self) -> int:
        """Flush what is left; return the rows written."""
        if self.batch:
            self._flush()
        if self.counted:
            written = self.writer.rows_written
            for target in self.targets:
                written[target.table] = written.get(target.table, 0) + self.count
        return self.count


def next_ids(connection: BaseDatabaseWrapper, model: type[models.Model]) -> int:
    """The first free primary key of the model's table; the caller numbers rows from it.

    On PostgreSQL the caller holds a lock on the table (see `lock_tables`) so that nobody
    takes the same numbers, and resets the sequence afterwards (`reset_sequences`).
    """
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {table}")
        return cursor.fetchone()[0] + 1


def lock_tables(connection: BaseDatabaseWrapper, models_: Iterable[type[models.Model]]) -> None:
    """Keep other writers out of the tables whose ids are numbered here, until commit."""
    if connection.vendor != "postgresql":
        return  # SQLite locks the whole database for the writing transaction anyway.
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def reset_sequences(connection: BaseDatabaseWrapper, models_: Sequence[type[models.Model]]):
    """After inserting explicit ids, move the sequences past them (PostgreSQL only).

    SQLite's AUTOINCREMENT follows explicit ids by itself.
    """
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def as_utc(day: datetime.date, seconds: int) -> datetime.datetime:
    """A moment on `day`, `seconds` after midnight UTC."""
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC) + (
        datetime.timedelta(seconds=seconds)
    )


class IndexesSetAside:
    """The secondary indexes and foreign keys of the tables a load fills, dropped meanwhile.

    PostgreSQL's advice for a bulk load: a million rows are indexed far faster by one CREATE
    INDEX afterwards (a sort) than one by one, and a foreign key added afterwards checks all
    rows with one join, where a kept one checks each row at commit. Everything happens in the
    load's transaction, so a failure restores them with the rest; until commit, other
    sessions wait for these tables (they could not write to them anyway). Primary keys and
    unique constraints stay, as does every foreign key that points into these tables from
    elsewhere. Only on PostgreSQL.
    """

    def __init__(self, connection: BaseDatabaseWrapper, models_: Iterable[type[models.Model]]):
        self.connection = connection
        self.tables = sorted({model._meta.db_table for model in models_})
        self.indexes: list[str] = []  # CREATE INDEX statements
        self.foreign_keys: list[tuple[str, str, str]] = []  # table, name, definition

    def drop(self) -> None:
        if self.connection.vendor != "postgresql":
            return
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            self._check_pending(cursor)  # of what the caller wrote in its transaction before
            cursor.execute(
                """
                SELECT table_.relname, constraint_.conname, pg_get_constraintdef(constraint_.oid)
                FROM pg_constraint constraint_
                JOIN pg_class table_ ON table_.oid = constraint_.conrelid
                WHERE constraint_.contype = 'f' AND table_.relname = ANY(%s)
                    AND pg_table_is_visible(table_.oid)
                ORDER BY 1, 2
                """,
                [self.tables],
            )
            self.foreign_keys = cursor.fetchall()
            for table, name, _definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            cursor.execute(
                """
                SELECT index_.relname, pg_get_indexdef(pg_index.indexrelid)
                FROM pg_index
                JOIN pg_class table_ ON table_.oid = pg_index.indrelid
                JOIN pg_class index_ ON index_.oid = pg_index.indexrelid
                WHERE table_.relname = ANY(%s) AND pg_table_is_visible(table_.oid)
                    AND NOT EXISTS (
                        SELECT 1 FROM pg_constraint WHERE conindid = pg_index.indexrelid
                    )
                ORDER BY 1
                """,
                [self.tables],
            )
            dropped = cursor.fetchall()
            self.indexes = [definition for _name, definition in dropped]
            for name, _definition in dropped:
                cursor.execute(f"DROP INDEX {quote(name)}")

    @staticmethod
    def _check_pending(cursor) -> None:
        # PostgreSQL alters no table with foreign-key checks pending on it: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def restore(self) -> str:
        """Build the indexes again and add the foreign keys, which checks every row."""
        if self.connection.vendor != "postgresql":
            return "kept (not PostgreSQL)"
        quote = self.connection.ops.quote_name
        with self.connection.cursor() as cursor:
            self._check_pending(cursor)  # of the deletes
            # The database server's memory for the sorts of the index builds, this once.
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for statement in self.indexes:
                cursor.execute(statement)
            for table, name, definition in self.foreign_keys:
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
                )
            cursor.execute("SET LOCAL maintenance_work_mem TO DEFAULT")
        return f"{len(self.indexes)} indexes, {len(self.foreign_keys)} foreign keys"
