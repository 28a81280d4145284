"""Every write checked and recorded: the one save that all the services end in.

`record_save` asks the access rules for the record as it is stored and as it will be, checks
the version the form (or API call, or import) started from, validates, and saves with the
actor and the reason for the audit history (django-simple-history's `history_user` and
`history_change_reason`). The domain services call it for their final write; the admin calls
it for the records that have no service of their own (plans, teams, bewindspersonen …).

A bulk `QuerySet.update()` would change rows without any of that and without a history row,
so the domain models' querysets refuse it (`AuditedQuerySet`).
"""

from django.db import models, transaction

from tracker import data_version
from tracker.access import require
from tracker.concurrency import claim_version

# Columns a conditional UPDATE may bump on its own: the optimistic-locking claim. Its save,
# which writes the history row, follows in the same transaction.
BOOKKEEPING_FIELDS = frozenset({"version"})


class BypassesHistory(RuntimeError):
    """A bulk update of domain records was attempted; it would leave no audit trail."""


class AuditedQuerySet(models.QuerySet):
    """Querysets of the domain's records: no bulk update past the audit history."""

    def update(self, **kwargs):
        if set(kwargs) <= BOOKKEEPING_FIELDS:
            return super().update(**kwargs)
        raise BypassesHistory(
            f"{self.model._meta.label}: update({', '.join(sorted(kwargs))}) would change rows "
            "without checking access or recording who did it. Save each record through its "
            "service (tracker.audit.record_save)."
        )

    def unaudited_update(self, **kwargs):
        """The plain UPDATE, for tests that prove the database itself refuses a value."""
        updated = super().update(**kwargs)
        if self.model._meta.label_lower not in data_version.IGNORED:
            # No signal tells the cached counts: say it here.
            data_version.replace_now_and_after_commit()
        return updated


AuditedManager = models.Manager.from_queryset(AuditedQuerySet)


def permission_name(record: models.Model, action: str) -> str:
    opts = record._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


# `record_save(validate=FIELDS_ONLY)`: the fields and unique checks, not the constraints.
FIELDS_ONLY = "fields"

# django-simple-history's column for the reason of a change.
REASON_MAX_LENGTH = 100


def set_history_actor(record: models.Model, actor, reason: str = "") -> None:
    # django-simple-history reads the author and the reason of a change from these attributes.
    record._history_user = actor
    record._change_reason = reason[:REASON_MAX_LENGTH]


def is_versioned(model) -> bool:
    return any(field.name == "version" for field in model._meta.concrete_fields)


@transaction.atomic
def record_save(
    *,
    actor,
    record: models.Model,
    expected_version: int | None = None,
    check_version: bool = True,
    reason: str = "",
    permission: str | None = None,
    validate: bool | str = True,
) -> models.Model:
    """Save `record` as `actor`: access asked, version checked, history recorded.

    A new record needs the `add_<model>` rule; a stored one needs `change_<model>` both as it
    is stored (may the actor touch it?) and as it will be (may the actor put it there, e.g.
    in that team?). With `check_version`, a record that carries a `version` is claimed at
    `expected_version` and the save is refused (ConcurrentUpdateError) when somebody saved it
    since; `expected_version=None` bumps it unconditionally, which makes every form opened
    before this write stale. `validate=FIELDS_ONLY` leaves the constraints to the database.
    """
    model = type(record)
    adding = record._state.adding
    if adding:
        require(actor, permission or permission_name(record, "add"), record)
    else:
        stored = model._default_manager.get(pk=record.pk)
        require(actor, permission or permission_name(record, "change"), stored)
        require(actor, permission or permission_name(record, "change"), record)
    if validate == FIELDS_ONLY:
        # The database checks its own constraints on the insert; a bulk load that reports an
        # IntegrityError per record need not ask for each of them again first.
        record.full_clean(validate_constraints=False)
    elif validate:
        record.full_clean()
    if not adding and check_version and is_versioned(model):
        claim_version(model, pk=record.pk, expected_version=expected_version)
        record.version = (
            model._default_manager.filter(pk=record.pk).values_list("version", flat=True).get()
        )
    set_history_actor(record, actor, reason)
    if adding:
        record.save()
        return record
    # What the save changes, for whoever follows saves (tracker.data_version: a save that
    # changes nothing a filter reads keeps the list's counts); only for this save.
    setattr(record, data_version.CHANGED_FIELDS_ATTRIBUTE, changed_fields(stored, record))
    try:
        record.save()
    finally:
        delattr(record, data_version.CHANGED_FIELDS_ATTRIBUTE)
    return record


def changed_fields(stored: models.Model, record: models.Model) -> frozenset[str]:
    """The names of the concrete fields whose value `record` changes from `stored` (a column
    the database generates follows the others, and is not read back after a save)."""
    return frozenset(
        field.name
        for field in record._meta.concrete_fields
        if not field.generated and getattr(stored, field.attname) != getattr(record, field.attname)
    )


@transaction.atomic
def record_delete(*, actor, record: models.Model, reason: str = "") -> None:
    """Delete `record` as `actor`; the history keeps what it was and who removed it."""
    require(actor, permission_name(record, "delete"), record)
    set_history_actor(record, actor, reason)
    record.delete()
