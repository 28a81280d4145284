"""Optimistic locking shared by the apps: detect that a record moved on since a form opened."""

import datetime
from dataclasses import dataclass

from django.db.models import F, Model
from django.utils.formats import date_format
from django.utils.translation import gettext

from tracker.actors import actor_name


class ConcurrentUpdateError(Exception):
    """Somebody else saved the record after the form was opened."""


def claim_version(model: type[Model], *, pk: int, expected_version: int | None) -> None:
    """Bump the row's version, or raise when it is no longer the version the form was opened at.

    The conditional UPDATE is atomic in every database: of two concurrent saves from the same
    version exactly one matches the WHERE clause; the other updates 0 rows and is told so.
    Pass `expected_version=None` to bump unconditionally (a decision that must invalidate
    forms opened before it).
    """
    rows = model._default_manager.filter(pk=pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if rows.update(version=F("version") + 1) == 0:
        raise ConcurrentUpdateError


@dataclass(frozen=True)
class Change:
    """One field somebody else changed since a form was opened: what it was then, what it is
    now and who changed it last, each as the interface shows it."""

    field: str
    label: str
    then: str
    now: str
    by: str


# Bookkeeping that changes with every save and says nothing to the person merging.
_NOT_SHOWN = {"id", "version", "created_at", "updated_at"}


def changes_since(record: Model, version: int) -> list[Change]:
    """What others changed in `record` since its `version`, field by field, read from its
    audit history. Empty when the history does not hold that version."""
    history = getattr(record, "history", None)
    if history is None:
        return []
    then = history.filter(version=version).order_by("-history_date", "-history_id").first()
    latest = history.order_by("-history_date", "-history_id").first()
    if then is None or latest is None:
        return []
    current = type(record)._default_manager.get(pk=record.pk)
    by = actor_name(latest.history_user) if latest.history_user_id else ""
    changes = []
    for field in type(record)._meta.concrete_fields:
        if field.name in _NOT_SHOWN or not field.editable:
            continue
        before, after = getattr(then, field.attname), getattr(current, field.attname)
        if before != after:
            changes.append(
                Change(
                    field=field.name,
                    label=str(field.verbose_name).capitalize(),
                    then=display_value(field, before),
                    now=display_value(field, after),
                    by=by,
                )
            )
    return changes


def display_value(field, value) -> str:
    """A field's value as a form shows it: a choice by its label, a record by its name."""
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    return str(value)
