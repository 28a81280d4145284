"""Reads of commitments: the querysets that pages, exports and reminders share."""

from datetime import date

from django.db.models import QuerySet

from commitments.models import OPEN_STATUSES, Commitment


def commitments_overdue(*, today: date) -> QuerySet[Commitment]:
    """Open or in-progress commitments whose due date has passed, oldest first.

    "Overdue" is not a status: it is derived from the date each time it is asked.
    Served by the index `commitment_status_due`.
    """
    return Commitment.objects.filter(status__in=OPEN_STATUSES, due_date__lt=today).order_by(
        "due_date", "reference"
    )
