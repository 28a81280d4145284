"""Refusing databases with real work in them, and removing earlier generated data."""

from django.contrib.auth import get_user_model
from django.db import connection, models

from actionlines.models import Activity, Organisation, Plan, Team
from commitments.loadgen.markers import (
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
    DeadlineChange,
    Debate,
    FollowUpLetter,
    ParliamentaryDocument,
)


def foreign_data() -> list[str]:
    """What in the database is neither generated nor the 2016 plan and the demo users."""
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
    )
    if count := users.count():
        examples = ", ".join(users.values_list("username", flat=True)[:3])
        problems.append(
            f"{count} user(s) who are neither generated nor demo users, e.g. {examples}"
        )
    return problems


def delete_generated() -> dict[str, int]:
    """Delete every generated record; return the number of rows per table.

    The large tables (progress updates, commitments and what hangs off them, documents) go
    with one DELETE each: the ORM's collector would load a million rows to delete them one
    set at a time. The small tables go through the ORM, which clears the references
    (`SET_NULL`, the history's users) that the raw statements would trip over.
    """
    deleted: dict[str, int] = {}
    generated = f"SELECT id FROM {_table(Commitment)} WHERE reference LIKE %s"
    prefix = REFERENCE_PREFIX + "%"
    suffix = "%" + NAME_SUFFIX
    letters = f"SELECT id FROM {_table(FollowUpLetter)} WHERE title LIKE %s"
    teams = (
        f"SELECT t.id FROM {_table(Team)} t JOIN {_table(Organisation)} o"
        " ON o.id = t.organisation_id WHERE o.name LIKE %s"
    )
    users = f"SELECT id FROM {_table(get_user_model())} WHERE username LIKE %s"
    statements = [
        *_rows_pointing_at_generated_commitments(generated, prefix),
        (DeadlineChange.history.model, f"commitment_id IN ({generated})", [prefix]),
        (
            FollowUpLetter.commitments.through,
            f"followupletter_id IN ({letters})",
            [suffix],
        ),
        (Commitment.history.model, "reference LIKE %s", [prefix]),
        (Commitment, "reference LIKE %s", [prefix]),
        (FollowUpLetter.history.model, "title LIKE %s", [suffix]),
        (FollowUpLetter, "title LIKE %s", [suffix]),
        (Debate.history.model, "title LIKE %s", [suffix]),
        (Debate, "title LIKE %s", [suffix]),
        (ParliamentaryDocument.history.model, "title LIKE %s", [suffix]),
        (ParliamentaryDocument, "title LIKE %s", [suffix]),
        (
            Team.managers.through,
            f"team_id IN ({teams}) OR user_id IN ({users})",
            [suffix, USERNAME_PREFIX + "%"],
        ),
        (
            Team.members.through,
            f"team_id IN ({teams}) OR user_id IN ({users})",
            [suffix, USERNAME_PREFIX + "%"],
        ),
    ]
    with connection.cursor() as cursor:
        for model, condition, params in statements:
            cursor.execute(f"DELETE FROM {_table(model)} WHERE {condition}", params)
            _count(deleted, model, cursor.rowcount)
        # Teams point at their parent team: one statement removes parents and children at once
        # (Django's foreign keys are checked at commit), which the ORM's PROTECT would refuse.
        cursor.execute(
            f"UPDATE {_table(Activity)} SET team_id = NULL WHERE team_id IN ({teams})", [suffix]
        )
        cursor.execute(f"DELETE FROM {_table(Team)} WHERE id IN ({teams})", [suffix])
        _count(deleted, Team, cursor.rowcount)

    plans = Plan.objects.filter(title__endswith=NAME_SUFFIX)
    Activity.history.filter(plan__in=plans).delete()
    for queryset in [
        plans,
        Bewindspersoon.objects.filter(name__endswith=NAME_SUFFIX),
        Committee.objects.filter(name__endswith=NAME_SUFFIX),
        Addressee.objects.filter(name__endswith=NAME_SUFFIX),
        Organisation.objects.filter(name__endswith=NAME_SUFFIX),
        get_user_model().objects.filter(username__startswith=USERNAME_PREFIX),
    ]:
        _total, per_model = queryset.delete()
        for label, count in per_model.items():
            deleted[label] = deleted.get(label, 0) + count
    return {label: count for label, count in deleted.items() if count}


def _rows_pointing_at_generated_commitments(generated: str, prefix: str) -> list[tuple]:
    """DELETE statements for every table that points at commitments, found from the models.

    Found rather than listed, so that a table added later (notifications, say) is
    emptied of generated references too instead of failing the foreign-key check at commit.
    """
    columns: dict[tuple, type[models.Model]] = {}  # (table, column) -> model, once each
    for field in Commitment._meta.many_to_many:
        through = field.remote_field.through
        column = through._meta.get_field(field.m2m_field_name()).column
        columns[(through._meta.db_table, column)] = through
    for relation in Commitment._meta.related_objects:
        if relation.many_to_many:
            through = relation.field.remote_field.through
            column = through._meta.get_field(relation.field.m2m_reverse_field_name()).column
            columns[(through._meta.db_table, column)] = through
        else:
            model = relation.related_model
            columns[(model._meta.db_table, relation.field.column)] = model
    return [
        (model, f"{column} IN ({generated})", [prefix])
        for (_table_name, column), model in columns.items()
    ]


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _count(deleted: dict[str, int], model, count: int) -> None:
    deleted[model._meta.label] = deleted.get(model._meta.label, 0) + max(count, 0)
