"""Several short lists of one record, read in one query.

`prefetch_related` asks the database once per relation. A page that shows five short lists
about one record (a commitment's addressees, documents, letters, activities and relations)
then pays five round trips for a handful of rows. `read_together` asks once: each list's rows
become JSON objects in one UNION ALL, numbered in the list's own order, and come back as
model instances, with the records they point at (`related`, one level) attached as
`select_related` would. It works the same on PostgreSQL and SQLite. `read_together_kept`
asks the same of a query compiled once per process and kind of reader, and
`read_values_kept` reads the rows of given ids through a values() query compiled once.
"""

import datetime
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.models import (
    Expression,
    F,
    Func,
    IntegerField,
    JSONField,
    QuerySet,
    Value,
    Window,
)
from django.db.models.functions import RowNumber

from tracker.kept import KeptInProcess


@dataclass(frozen=True)
class Part:
    """One list: its queryset (already narrowed to the record), order and related records."""

    queryset: QuerySet
    order_by: tuple = ("pk",)
    related: tuple[str, ...] = ()
    # One record the instance points at (a foreign key or a reverse one-to-one), kept as
    # select_related keeps it; otherwise a list kept as prefetch_related keeps it.
    single: bool = False


class Found(dict):
    """What `read_together` found, {name: [instances, in the part's order]}; `single` names
    the parts that are one record each."""

    def __init__(self, names, single: frozenset):
        super().__init__((name, []) for name in names)
        self.single = single


def read_together(parts: dict[str, Part]) -> Found:
    """The rows of every part, in one query; {name: [instances, in the part's order]}."""
    compiled = _compile(parts)
    return _read(compiled, compiled.params)


def read_together_kept(
    build: Callable[[dict[str, int]], dict[str, Part]], values: dict[str, int], *, key: Hashable
) -> Found:
    """As `read_together(build(values))`, with the query built and compiled once per process
    for each `key` rather than on every call.

    Building and compiling a dozen parts in the ORM cost about 7 ms of CPU on each view of a
    commitment's page (its selector took 9.9 ms, 2.8 ms with the query kept, as an official at
    100,000 commitments), more than PostgreSQL takes to plan and run it. The first call for a
    key builds the parts with stand-ins for `values` (ids no row has), compiles them and notes
    where each stand-in landed among the query's parameters; later calls put their own values
    there.
    So `key` must name everything else the parts depend on (who reads them, say), and
    `build` must pass each value only into filters (`pk=values["x"]`), never decide by it:
    a build whose stand-ins do not all come out as parameters is not kept, and is then built
    on every call.
    """
    kept = _KEPT.get_or_make(key, lambda: _prepare(build, list(values)))
    if kept is None:
        return read_together(build(values))
    compiled, slots = kept
    params = list(compiled.params)
    for name, positions in slots.items():
        for position in positions:
            params[position] = values[name]
    return _read(compiled, params)


def read_values_kept(
    build: Callable[[list[int]], QuerySet], ids: list[int], *, key: Hashable, size: int
) -> list[dict]:
    """As `list(build(ids))`, for a `values()` queryset that `build` narrows to `ids` (up to
    `size` of them) with the query compiled once per process for each `key`.

    A list page reads its fifty rows by id: building, compiling and reading them through the
    ORM cost about a tenth of the list's Python under load (py-spy, bench.load), for a query
    whose text never changes. The first call compiles `build` with `size` stand-ins and notes
    where each landed among the parameters; later calls put the ids there, the rest as 0
    (no row's id), and convert the values as the ORM would. The query is kept only when each
    stand-in is one parameter; `key` must name everything else `build` depends on.
    """
    if len(ids) > size:
        return list(build(ids))
    kept = _KEPT.get_or_make(("values", key), lambda: _prepare_values(build, size))
    if kept is None:
        return list(build(ids))
    params = list(kept.params)
    for slot, value in zip(kept.slots, [*ids, *[0] * (size - len(ids))], strict=True):
        params[slot] = value
    connection = connections[kept.alias]
    with connection.cursor() as cursor:
        cursor.execute(kept.sql, params)
        rows = cursor.fetchall()
    if kept.converters:  # as SQLCompiler.apply_converters does
        rows = [list(row) for row in rows]
        for row in rows:
            for position, functions, expression in kept.converters:
                for convert in functions:
                    row[position] = convert(row[position], expression, connection)
    return [dict(zip(kept.names, row, strict=True)) for row in rows]


@dataclass(frozen=True)
class _KeptValues:
    sql: str
    params: tuple
    slots: tuple[int, ...]
    names: tuple[str, ...]
    alias: str
    # (column, functions, expression): what the ORM would apply to each value it reads.
    converters: tuple


def _prepare_values(build, size: int) -> _KeptValues | None:
    stand_ins = [_STAND_IN_BASE - index for index in range(size)]
    queryset = build(stand_ins)
    query = queryset.query
    compiler = query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    slots = [[i for i, param in enumerate(params) if param == s] for s in stand_ins]
    if any(len(found) != 1 for found in slots) or any(str(-s) in sql for s in stand_ins):
        return None
    converters = compiler.get_converters([expression for expression, _sql, _a in compiler.select])
    # The names ValuesIterable gives the columns, in the same order.
    names = (
        list(query.selected)
        if query.selected
        else [*query.extra_select, *query.values_select, *query.annotation_select]
    )
    if len(names) != len(compiler.select):
        return None
    return _KeptValues(
        sql,
        tuple(params),
        tuple(found[0] for found in slots),
        tuple(names),
        queryset.db,
        tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in converters.items()
        ),
    )


# The compiled queries `read_together_kept` and `read_values_kept` keep: one per kind of
# reader (their teams) and page; a commitment's page is 6.5 kB of SQL.
KEPT_QUERIES = 256
_KEPT = KeptInProcess(KEPT_QUERIES)
# Far below any id a table hands out, and unlike any other number a query would hold.
_STAND_IN_BASE = -7_340_000_000_000


def _prepare(build, names: list[str]):
    """The compiled query of `build` and, per value, its places among the parameters; None
    when a stand-in did not become a parameter (the build decided by it, or it was written
    into the SQL)."""
    stand_ins = {name: _STAND_IN_BASE - index for index, name in enumerate(names)}
    compiled = _compile(build(stand_ins))
    slots = {
        name: [i for i, param in enumerate(compiled.params) if param == stand_in]
        for name, stand_in in stand_ins.items()
    }
    if compiled.sql is None or not all(slots.values()):
        return None
    if any(str(-stand_in) in compiled.sql for stand_in in stand_ins.values()):
        return None
    return compiled, slots


@dataclass(frozen=True)
class _Compiled:
    """One UNION ALL of parts, ready to run: None as SQL when no part can find a row."""

    sql: str | None
    params: tuple
    names: list[str]
    shapes: dict[str, "_Shape"]
    alias: str
    single: frozenset


def _compile(parts: dict[str, Part]) -> _Compiled:
    names = list(parts)
    shapes = {name: _shape(part) for name, part in parts.items()}
    single = frozenset(name for name, part in parts.items() if part.single)
    branches = []
    for index, name in enumerate(names):
        part = parts[name]
        branches.append(
            part.queryset.order_by()
            .annotate(
                _part=Value(index, output_field=IntegerField()),
                _position=Window(RowNumber(), order_by=[_ordering(o) for o in part.order_by]),
                _row=_Records(shapes[name]),
            )
            .values_list("_part", "_position", "_row")
        )
    if not branches:
        return _Compiled(None, (), names, shapes, DEFAULT_DB_ALIAS, single)
    query = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    alias = parts[names[0]].queryset.db
    try:
        sql, params = query.query.get_compiler(alias).as_sql()
    except EmptyResultSet:  # every part is empty by its condition (`pk__in=[]`)
        return _Compiled(None, (), names, shapes, alias, single)
    return _Compiled(sql, tuple(params), names, shapes, alias, single)


def _read(compiled: _Compiled, params) -> Found:
    found = Found(compiled.names, compiled.single)
    if compiled.sql is None:
        return found
    vendor = connections[compiled.alias].vendor
    with connections[compiled.alias].cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = cursor.fetchall()
    for index, _position, row in sorted(rows, key=lambda r: (r[0], r[1])):
        name = compiled.names[index]
        # The JSON comes as text from both databases (Django reads jsonb unparsed).
        row = json.loads(row) if isinstance(row, str) else row
        if vendor == "postgresql":
            row = {
                (f"{relation}__{column}" if relation else column): value
                for relation, record in row.items()
                for column, value in (record or {}).items()
            }
        found[name].append(compiled.shapes[name].build(row, compiled.alias, vendor))
    return found


def keep_together(instance: models.Model, found: Found) -> None:
    """Keep each list `read_together` found as the instance's prefetched relation of that name,
    so that `instance.<name>.all()` (in code and templates alike) reads no further; a single
    record's part as `instance.<name>` (None when there is none)."""
    for name, rows in found.items():
        if name in found.single:
            instance._state.fields_cache[name] = rows[0] if rows else None
            continue
        manager = getattr(instance, name)
        # The name under which prefetch_related itself keeps the relation: many-to-many
        # managers carry it, reverse foreign keys take it from their field.
        cache_name = getattr(manager, "prefetch_cache_name", None)
        if cache_name is None:
            cache_name = manager.field.remote_field.cache_name
        queryset = manager.get_queryset()
        queryset._result_cache = rows
        queryset._prefetch_done = True
        if not hasattr(instance, "_prefetched_objects_cache"):
            instance._prefetched_objects_cache = {}
        instance._prefetched_objects_cache[cache_name] = queryset


class _Records(Expression):
    """A part's row as JSON: on PostgreSQL each table's whole row (`to_jsonb(alias.*)`) under
    its relation's name, found by one join lookup per table; elsewhere one key per column
    (`_JSONRow`). Resolving a column per key cost some 250 join lookups on a commitment's
    page, more time than the query took to run."""

    output_field = JSONField()

    def __init__(self, shape: "_Shape"):
        super().__init__()
        self.shape = shape
        self.anchors: list = []
        self.fallback = None

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        resolved = self.copy()
        resolved.anchors = [
            (
                relation,
                _anchor(relation, model).resolve_expression(
                    query, allow_joins, reuse, summarize, for_save
                ),
            )
            for relation, model in [("", self.shape.model)]
            + [(name, model) for name, model, _fields in self.shape.related]
        ]
        if connections[router.db_for_read(self.shape.model)].vendor != "postgresql":
            resolved.fallback = _JSONRow(self.shape.columns).resolve_expression(
                query, allow_joins, reuse, summarize, for_save
            )
        return resolved

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            return compiler.compile(self.fallback)
        parts = [
            f"'{relation}', to_jsonb({compiler.quote_name_unless_alias(column.alias)}.*)"
            for relation, column in self.anchors
        ]
        return f"JSONB_BUILD_OBJECT({', '.join(parts)})", []

    def get_source_expressions(self):
        return [column for _relation, column in self.anchors]

    def set_source_expressions(self, expressions):
        self.anchors = [
            (relation, expression)
            for (relation, _old), expression in zip(self.anchors, expressions, strict=True)
        ]


def _anchor(relation: str, model) -> F:
    """A column of the relation's own table, through which its join alias is found.

    Not the primary key: Django reads `relation__id` from the foreign key's column without
    joining the related table at all.
    """
    if not relation:
        return F(model._meta.pk.attname)
    other = next(f for f in model._meta.concrete_fields if not f.primary_key)
    return F(f"{relation}__{other.attname}")


class _JSONRow(Func):
    """A JSON object of columns, its keys written into the SQL.

    Django's JSONObject passes each key as a parameter, which PostgreSQL needs cast to text:
    a TextField made per key per query, some 200 for a commitment's page, which cost more than
    the query itself. Our keys are field names (letters, digits and underscores), so they can
    stand in the SQL as they are.
    """

    output_field = JSONField()

    def __init__(self, columns: dict[str, str]):
        self.keys = list(columns)
        for key in self.keys:
            if not key.replace("_", "").isalnum():
                raise ValueError(f"Not a field name: {key!r}")
        super().__init__(*[F(path) for path in columns.values()])

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for key, expression in zip(self.keys, self.get_source_expressions(), strict=True):
            sql, more = compiler.compile(expression)
            parts.append(f"'{key}', {sql}")
            params.extend(more)
        function = "JSONB_BUILD_OBJECT" if connection.vendor == "postgresql" else "JSON_OBJECT"
        return f"{function}({', '.join(parts)})", params


def _ordering(name):
    if not isinstance(name, str):
        return name  # an expression, e.g. F("x").asc(nulls_first=True)
    return F(name[1:]).desc() if name.startswith("-") else F(name).asc()


@dataclass
class _Shape:
    """Which JSON keys a part's rows carry, and how a row becomes instances again."""

    model: type[models.Model]
    fields: list[models.Field]
    related: list[tuple[str, type[models.Model], list[models.Field]]]
    columns: dict[str, str]

    def build(self, row: dict, alias: str, vendor: str) -> models.Model:
        instance = _instance(self.model, self.fields, row, "", alias, vendor)
        for name, model, fields in self.related:
            pk = row.get(f"{name}__{model._meta.pk.column}")
            other = (
                None if pk is None else _instance(model, fields, row, f"{name}__", alias, vendor)
            )
            instance._state.fields_cache[name] = other
        return instance


def _shape(part: Part) -> _Shape:
    model = part.queryset.model
    fields = list(model._meta.concrete_fields)
    columns = {field.column: field.attname for field in fields}
    related = []
    for name in part.related:
        other = model._meta.get_field(name).related_model
        other_fields = list(other._meta.concrete_fields)
        for field in other_fields:
            columns[f"{name}__{field.column}"] = f"{name}__{field.attname}"
        related.append((name, other, other_fields))
    return _Shape(model, fields, related, columns)


def _instance(model, fields, row: dict, prefix: str, alias: str, vendor: str) -> models.Model:
    values = [_value(field, row.get(prefix + field.column), vendor) for field in fields]
    return model.from_db(alias, [field.attname for field in fields], values)


def _value(field: models.Field, value, vendor: str):
    """A JSON value back as the field's Python value (dates come as ISO text)."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        # PostgreSQL nests a jsonb column as JSON; SQLite nests the text it stores.
        return json.loads(value) if vendor == "sqlite" else value
    if isinstance(field, models.DateTimeField):
        moment = field.to_python(value)
        # SQLite writes moments in UTC without an offset; PostgreSQL with one.
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    if isinstance(field, (models.DateField, models.BooleanField, models.DecimalField)):
        return field.to_python(value)
    if isinstance(field, models.ForeignKey):
        return _value(field.target_field, value, vendor)
    return value
