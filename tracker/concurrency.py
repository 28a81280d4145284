"""Optimistic locking shared by the apps: detect that a record moved on since a form opened."""

from django.db.models import F, Model


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
