"""Refusing databases with real work in them, and removing earlier generated data."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import Q

from actionlines.models import ActionLine, Activity, Organisation, Plan, Team
from commitments.loadgen.markers import (
    HISTORY_REASON,
    NAME_SUFFIX,
    PLAN_2016_REFERENCE_PREFIX,
    REFERENCE_PREFIX,
    USERNAME_PREFIX,
)
from commitments.management.commands.setup_demo import DEMO_USERS
from commitments.models import (
    Addressee,
    Bewindspersoon,
    Commitment,
    Committee,
    Debate,
    FollowUpLetter,
    ParliamentaryDocument,
)
from tracker.actors import SYSTEM_PREFIX


def foreign_data() -> list[str]:
    """What in the database is not generated, nor the 2016 plan, the demo users or the system.

    The 2016 plan and the demo setup write as system actors (`system:fixture`, `system:demo`),
    and so does the generator itself: those users, and the history they wrote, belong to the
    shipped data. Only commitments and users are counted: any real work has both.
    """
    problems = []
    commitments = Commitment.objects.exclude(reference__startswith=REFERENCE_PREFIX).exclude(
        reference__startswith=PLAN_2016_REFERENCE_PREFIX
    )
    if count := commitments.count():
        examples = ", ".join(commitments.values_list("reference", flat=True)[:3])
        problems.append(f"{count} commitment(s) not made by generate_load, e.g. {examples}")
    users = (
        get_user_model()
        .objects.exclude(username__startswith=USERNAME_PREFIX)
        .exclude(username__in=DEMO_USERS)
        # As tracker.actors.is_system_actor: no account made through a form can pass for one.
        .exclude(username__startswith=SYSTEM_PREFIX, is_active=False)
    )
    if count := users.count():
        examples = ", ".join(users.order_by("username").values_list("username", flat=True)[:3])
        problems.append(
            f"{count} user(s) who are neither generated nor demo users, e.g. {examples}"
        )
    return problems


@dataclass
class _Generated:
    """The generated records of one model, and how their history rows are recognised."""

    model: type[models.Model]
    records: models.QuerySet
    # Marks on the history rows themselves, for rows of records that are gone already.
    history_mark: Q | None = None

    def history_condition(self) -> Q:
        condition = Q(id__in=self.records.values("pk"))
        if self.history_mark is not None:
            condition |= self.history_mark
        return condition


def _generated() -> list[_Generated]:
    """Every generated model, in the order it is deleted: what points at a model goes first."""

    def marked(model, **mark):
        return _Generated(model, model._base_manager.filter(**mark), Q(**mark))

    plans = Plan._base_manager.filter(title__endswith=NAME_SUFFIX)
    return [
        marked(Commitment, reference__startswith=REFERENCE_PREFIX),
        marked(FollowUpLetter, title__endswith=NAME_SUFFIX),
        marked(Debate, title__endswith=NAME_SUFFIX),
        marked(ParliamentaryDocument, title__endswith=NAME_SUFFIX),
        _Generated(
            Activity, Activity._base_manager.filter(plan__in=plans), Q(title__endswith=NAME_SUFFIX)
        ),
        _Generated(ActionLine, ActionLine._base_manager.filter(plan__in=plans)),
        marked(Plan, title__endswith=NAME_SUFFIX),
        marked(Bewindspersoon, name__endswith=NAME_SUFFIX),
        marked(Committee, name__endswith=NAME_SUFFIX),
        marked(Addressee, name__endswith=NAME_SUFFIX),
        _Generated(
            Team,
            Team._base_manager.filter(organisation__name__endswith=NAME_SUFFIX),
            Q(name__endswith=NAME_SUFFIX),
        ),
        marked(Organisation, name__endswith=NAME_SUFFIX),
    ]


def _deletions(generated: _Generated) -> list[tuple[type[models.Model], Q]]:
    """The DELETEs that remove a generated model's records with all that goes with them.

    Rows that point at the records go first: link rows and other dependents with them, and
    the history rows. A history row is recognised by its record or by its mark, in two
    DELETEs: one with `OR` between a subquery and a mark cannot be planned as a join.
    """
    model, records = generated.model, generated.records
    deletions = []
    for dependent, condition in _dependents(model, records):
        if _keeps_history(dependent):  # the deadline changes of a commitment
            ids = dependent._base_manager.filter(condition).values("pk")
            deletions.append((dependent.history.model, Q(id__in=ids)))
        deletions.append((dependent, condition))
    history_model = model.history.model
    if model is Team:
        # The managers and members as the teams' history rows recorded them (world.py).
        team_history = history_model._base_manager.filter(generated.history_condition())
        for field in ("managers", "members"):
            m2m_history = getattr(history_model, field).model
            deletions.append((m2m_history, Q(history__in=team_history.values("pk"))))
    if generated.history_mark is not None:
        deletions.append((history_model, generated.history_mark))
    deletions.append((history_model, Q(id__in=records.values("pk"))))
    deletions.append((model, Q(pk__in=records.values("pk"))))
    return deletions


def delete_generated(*, actor) -> dict[str, int]:
    """Delete every generated record and its audit history; return the rows per table.

    Generated records are synthetic, and so is their history: it goes with them, and no '-'
    rows are left behind. Each table goes with one DELETE, in SQL rather than through the ORM,
    whose collector would load a million rows to delete them one set at a time and would
    write a '-' history row for each. Rows that point at generated records go first: link
    rows and other dependents with them; a record that is not generated itself but points at a
    generated one (only with --force) is detached through `record_save`, as `actor`, so its
    history says so. Users are not historied and go through the ORM, which clears the
    references to them (the history's `history_user` among them).

    When the tables hold nothing but generated rows, as a benchmark database does, they are
    emptied with one TRUNCATE instead (`_truncate_if_only_generated`).
    """
    generated = _generated()
    deleted = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The subqueries of a million generated ids are hashed instead of scanned again
            # for every row; the database server's memory, for this transaction only.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        deleted = _truncate_if_only_generated(generated)
    if deleted is None:
        deleted = {}
        for step in generated:
            _detach_survivors(step.model, step.records, actor)
            for model, condition in _deletions(step):
                _delete(deleted, model._base_manager.filter(condition))

    users = get_user_model()._base_manager.filter(username__startswith=USERNAME_PREFIX)
    _detach_survivors(get_user_model(), users, actor)
    _total, per_model = users.delete()
    for label, count in per_model.items():
        deleted[label] = deleted.get(label, 0) + count
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem TO DEFAULT")
    return {label: count for label, count in deleted.items() if count}


def _truncate_if_only_generated(generated: list[_Generated]) -> dict[str, int] | None:
    """Empty the generated tables with TRUNCATE, if that removes exactly what DELETE would.

    Deleting a million commitments row by row costs a foreign-key check per row and per
    table that points at commitments (a dozen), at commit: many minutes. TRUNCATE costs
    nothing per row, but takes every row, and so is only done when every row of every table
    involved would be deleted anyway, and every other table that points at one of them is
    empty (PostgreSQL truncates those along, which changes nothing). Otherwise (the 2016
    plan, the demo users' work or real records under --force): None, and the DELETEs run.
    """
    conditions: dict[type[models.Model], Q] = {}
    for step in generated:
        for model, condition in _deletions(step):
            conditions[model] = conditions[model] | condition if model in conditions else condition
    for model, condition in conditions.items():
        if model._base_manager.exclude(condition).exists():
            return None
    tables = {model._meta.db_table: model for model in conditions}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT referring.relname, referred.relname
            FROM pg_constraint
            JOIN pg_class referring ON referring.oid = pg_constraint.conrelid
            JOIN pg_class referred ON referred.oid = pg_constraint.confrelid
            WHERE pg_constraint.contype = 'f' AND pg_table_is_visible(referring.oid)
            """
        )
        references = cursor.fetchall()
        truncated = set(tables)
        grew = True
        while grew:
            grew = False
            for referring, referred in references:
                if referred in truncated and referring not in truncated:
                    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_quote(referring)})")
                    if cursor.fetchone()[0]:
                        return None  # a table outside the generated data points in
                    truncated.add(referring)
                    grew = True
        deleted = {}
        for table, model in tables.items():
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
            deleted[model._meta.label] = cursor.fetchone()[0]
        cursor.execute(f"TRUNCATE {', '.join(_quote(t) for t in sorted(truncated))}")
    return deleted


def _quote(table: str) -> str:
    return connection.ops.quote_name(table)


def _keeps_history(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def _dependents(model, records) -> list[tuple[type[models.Model], Q]]:
    """The tables whose rows point at `records` and go with them, found from the models.

    Found rather than listed, so that a table added later (notifications, say) is emptied of
    generated references too instead of failing the foreign-key check at commit: link rows
    either way, and rows that depend on the record (`CASCADE`). A reference that is merely
    cleared (`SET_NULL`) is `_detach_survivors`' business; the one that protects a record
    (`PROTECT`) belongs to generated data deleted before it, or the commit refuses the lot.
    """
    ids = records.values("pk")
    found: dict[tuple, tuple] = {}  # (table, column) -> (model, condition), once each
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        column = through._meta.get_field(field.m2m_field_name())
        found[(through._meta.db_table, column.column)] = (through, Q(**{f"{column.name}__in": ids}))
    for relation in model._meta.related_objects:
        if relation.many_to_many:
            through = relation.field.remote_field.through
            column = through._meta.get_field(relation.field.m2m_reverse_field_name())
        elif relation.on_delete is models.CASCADE:
            through, column = relation.related_model, relation.field
        else:
            continue
        found[(through._meta.db_table, column.column)] = (through, Q(**{f"{column.name}__in": ids}))
    return list(found.values())


def _detach_survivors(model, records, actor) -> None:
    """Clear the references (`SET_NULL`) to generated records from records that stay.

    Records with an audit history are saved one by one through `record_save`, as the
    generator's actor: the history tells who cleared the reference, and why. Tables without
    history (notifications) get the `UPDATE` that Django's `SET_NULL` would run.
    """
    from tracker.audit import record_save

    for relation in model._meta.related_objects:
        if relation.many_to_many or relation.on_delete is not models.SET_NULL:
            continue
        related, field = relation.related_model, relation.field
        survivors = related._base_manager.filter(**{f"{field.name}__in": records.values("pk")})
        if related is model:
            survivors = survivors.exclude(pk__in=records.values("pk"))
        if not _keeps_history(related):
            survivors.update(**{field.name: None})  # a log, not a domain record
            continue
        for record in survivors.iterator():
            setattr(record, field.name, None)
            record_save(
                actor=actor,
                record=record,
                expected_version=None,
                reason=HISTORY_REASON,
                validate=False,
            )


def _delete(deleted: dict[str, int], queryset: models.QuerySet) -> None:
    """One DELETE of the rows of `queryset`: no collector, no signals, no '-' history rows.

    Django's own fast delete (what the collector runs for rows without dependents): a plain
    `DELETE … WHERE`, or `WHERE id IN (SELECT …)` when the filter needs a join.
    """
    model = queryset.model
    label = model._meta.label
    deleted[label] = deleted.get(label, 0) + max(queryset._raw_delete(connection.alias), 0)
