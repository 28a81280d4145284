"""The one question every way in asks: may this user (or system actor) do this to this record?

The rules themselves live with the records they guard, as django-rules predicates registered
under Django-style permission names (`commitments.change_commitment`,
`actionlines.change_activity`, …): see `commitments/access.py` and `actionlines/access.py`.
Views ask them to answer 403 or 404 and to hide buttons; the services that write ask them
again for every record a write touches, so a view, form, admin action, command, task or API
call that forgets cannot open a hole.
"""

import rules
from django.core.exceptions import PermissionDenied


class AccessDenied(PermissionDenied):
    """The actor may not do this to this record. Nothing was changed.

    The message names the permission and the record's kind and id, never its text: a refusal
    must not tell the user what they may not read.
    """


def allowed(user, permission: str, record=None) -> bool:
    if not rules.perm_exists(permission):
        # A misspelt permission would otherwise deny quietly, or worse, be "fixed" by allowing.
        raise LookupError(f"No access rule is registered as {permission!r}.")
    return rules.has_perm(permission, user, record)


def require(user, permission: str, record=None) -> None:
    """Raise AccessDenied unless `user` may do `permission` to `record`."""
    if not allowed(user, permission, record):
        what = (
            f"{type(record)._meta.label}(pk={record.pk})"
            if record is not None and getattr(record, "_meta", None)
            else repr(record)
        )
        raise AccessDenied(f"{permission} refused for {what}.")


def require_each(user, permission: str, records) -> None:
    """The same question for every record a write touches: a letter fulfilling five
    commitments asks five times."""
    for record in records:
        require(user, permission, record)
