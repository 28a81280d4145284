"""Bulk writes for the load generator: COPY on PostgreSQL, batched INSERTs elsewhere.

Rows are plain tuples in the order of the field names given, so one generator feeds both
backends: the SQLite path that the tests run is the same row-building code as the PostgreSQL
path that fills the benchmark database. The SQLite path is `executemany` of one INSERT per
batch rather than `bulk_create`, because it also writes the many-to-many tables, which have
no model instances to build, and skips building 100,000s of model instances for nothing.
"""

import datetime
import io
from collections.abc import Callable, Iterable, Sequence

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

COPY_BATCH_ROWS = 50_000
INSERT_BATCH_ROWS = 2_000


def _copy_text(value) -> str:
    # COPY's text format: backslash escapes, \N for NULL.
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


class BulkWriter:
    def __init__(self, connection: BaseDatabaseWrapper):
        self.connection = connection
        self.is_postgresql = connection.vendor == "postgresql"
        self.rows_written: dict[str, int] = {}

    def write(self, model: type[models.Model], fields: Sequence[str], rows: Iterable) -> int:
        """Insert `rows` (tuples in the order of `fields`) into the model's table.

        Concrete fields that are not named get their model default, so a field added later
        with a default does not break the generator; one without a default stops it here
        with its name instead of deep inside the database.
        """
        named = [model._meta.get_field(name) for name in fields]
        filled = self._defaults(model, named)
        columns = [field.column for field in named] + [field.column for field, _ in filled]
        extra = tuple(value for _, value in filled)
        converters = [self._converter(field) for field in named] + [
            self._converter(field) for field, _ in filled
        ]
        table = model._meta.db_table
        if self.is_postgresql:
            count = self._copy(table, columns, converters, rows, extra)
        else:
            count = self._insert(table, columns, converters, rows, extra)
        self.rows_written[table] = self.rows_written.get(table, 0) + count
        return count

    def _defaults(self, model, named) -> list[tuple[models.Field, object]]:
        filled = []
        for field in model._meta.concrete_fields:
            if field in named or field.primary_key:
                continue
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

    def _converter(self, field: models.Field) -> Callable:
        ops = self.connection.ops
        if self.is_postgresql:
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

    def _copy(self, table, columns, converters, rows, extra) -> int:
        sql = "COPY {} ({}) FROM STDIN".format(
            self.connection.ops.quote_name(table),
            ", ".join(self.connection.ops.quote_name(c) for c in columns),
        )
        count = 0
        lines: list[str] = []
        with self.connection.cursor() as cursor:
            for row in rows:
                values = (*row, *extra) if extra else row
                lines.append(
                    "\t".join(convert(v) for convert, v in zip(converters, values, strict=True))
                )
                if len(lines) >= COPY_BATCH_ROWS:
                    cursor.copy_expert(sql, io.StringIO("\n".join(lines) + "\n"))
                    count += len(lines)
                    lines = []
            if lines:
                cursor.copy_expert(sql, io.StringIO("\n".join(lines) + "\n"))
                count += len(lines)
        return count

    def _insert(self, table, columns, converters, rows, extra) -> int:
        quote = self.connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(table), ", ".join(quote(c) for c in columns), ", ".join(["%s"] * len(columns))
        )
        count = 0
        batch: list[tuple] = []
        with self.connection.cursor() as cursor:
            for row in rows:
                values = (*row, *extra) if extra else row
                batch.append(
                    tuple(convert(v) for convert, v in zip(converters, values, strict=True))
                )
                if len(batch) >= INSERT_BATCH_ROWS:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count


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
