"""Every error as JSON with a clear message per field, whatever raised it.

The services speak Django: `ValidationError` (per field), `PermissionDenied` (the access rules),
`ConcurrentUpdateError` (a stale version). Here they become 400, 403 and 412, the same answers
the pages give, so a script and a person meet one set of rules.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from tracker.concurrency import ConcurrentUpdateError


class PreconditionRequired(Exception):
    """A write without `If-Match`: the client must say which version it changes."""


class StaleVersion(Exception):
    """`If-Match` names a version that is no longer the record's; `current` is the record now."""

    def __init__(self, current=None):
        self.current = current


def api_exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                field: [str(m) for m in messages] for field, messages in exc.message_dict.items()
            }
            # Django's whole-record errors go under DRF's name for them.
            if "__all__" in detail:
                detail["non_field_errors"] = detail.pop("__all__")
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PreconditionRequired):
        return Response(
            {
                "detail": _(
                    "Send If-Match with the ETag of the version you change, so that nobody's "
                    "change is overwritten unseen."
                )
            },
            status=status.HTTP_428_PRECONDITION_REQUIRED,
        )
    if isinstance(exc, StaleVersion | ConcurrentUpdateError):
        current = getattr(exc, "current", None)
        return Response(
            {
                "detail": _(
                    "Somebody else changed this record after the version you sent; nothing was "
                    "changed. The current state is below: check it, then send again with its ETag."
                ),
                "current": current,
            },
            status=status.HTTP_412_PRECONDITION_FAILED,
        )
    if isinstance(exc, Http404):
        return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied) and not hasattr(exc, "detail"):
        return Response(
            {"detail": str(exc) or _("You may not do this.")}, status=status.HTTP_403_FORBIDDEN
        )
    return exception_handler(exc, context)
