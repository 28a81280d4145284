"""Reads behind the commitment list's CSV and Excel exports.

One query whatever the number of rows: what a commitment links to several times (action lines,
activities, follow-up letters) is joined into one column by a correlated subquery, and the last
progress note is read the same way, so the rows still stream from the database in chunks. A
prefetch per chunk would cost a query per relation for every 2,000 rows.
"""

import datetime

from django.db.models import (
    Aggregate,
    CharField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from commitments.access import reads_everything
from commitments.models import Commitment, FollowUpLetter, ProgressUpdate
from commitments.selectors import letters_visible_to

# Joins the values of a column inside the database; the unit separator never occurs in a
# title, so Python splits them again safely.
SEPARATOR = "\x1f"


class _Joined(Aggregate):
    """The values of a group joined by SEPARATOR: STRING_AGG on PostgreSQL, GROUP_CONCAT on
    SQLite. Order and duplicates are settled in Python (`joined_names`), the same on both."""

    function = "STRING_AGG"
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(SEPARATOR), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _joined(queryset: QuerySet, expression) -> Subquery:
    """`expression` over the rows of a link table that belong to the outer commitment."""
    return Subquery(
        queryset.filter(commitment_id=OuterRef("pk"))
        .order_by()
        .values("commitment_id")
        .annotate(joined=_Joined(expression))
        .values("joined"),
        output_field=TextField(),
    )


def joined_names(value: str | None) -> str:
    """The names a `_joined` column holds, each once, sorted, separated by "; "."""
    if not value:
        return ""
    return "; ".join(sorted(set(value.split(SEPARATOR)), key=_natural))


def _natural(name: str):
    """ "2. Opsporing" before "10. …": a leading number sorts as a number."""
    number, _, rest = name.partition(". ")
    return (int(number), rest) if number.isdigit() else (float("inf"), name)


def commitment_export_rows(queryset: QuerySet[Commitment], *, user):
    """Plain rows for CSV and Excel, streamed from the database in chunks.

    Each row is a dict; the follow-up letters are those the user may read.
    """
    activity_links = Commitment.activities.through.objects.all()
    letter_links = FollowUpLetter.commitments.through.objects.all()
    if not reads_everything(user):
        letter_links = letter_links.filter(
            followupletter_id__in=letters_visible_to(user).values("pk")
        )
    notes = ProgressUpdate.objects.filter(commitment_id=OuterRef("pk")).exclude(note="")
    # Served by the index `progress_timeline` (commitment, -created_at).
    last_note = notes.order_by("-created_at", "-id")
    return (
        queryset.select_related(None)
        .annotate(
            action_lines=_joined(
                activity_links.filter(activity__action_line__isnull=False),
                Concat(
                    Cast("activity__action_line__number", CharField()),
                    Value(". "),
                    F("activity__action_line__title"),
                    output_field=TextField(),
                ),
            ),
            activity_titles=_joined(activity_links, F("activity__title")),
            letter_titles=_joined(letter_links, F("followupletter__title")),
            last_note=Subquery(last_note.values("note")[:1]),
            last_note_at=Subquery(last_note.values("created_at")[:1]),
        )
        .values(
            "pk",
            "reference",
            "register_number",
            "text",
            "status",
            "made_on",
            "made_by__name",
            "made_by__ministry__name",
            "debate__title",
            "debate__date",
            "source_document__dossier_number",
            "source_document__volgnummer",
            "deadline_wording",
            "original_due_date",
            "due_date",
            "fulfilled_on",
            "team__name",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "action_lines",
            "activity_titles",
            "letter_titles",
            "last_note",
            "last_note_at",
        )
        .iterator(chunk_size=2000)
    )


def local_date(moment: datetime.datetime | None) -> datetime.date | None:
    """The day of `moment` in the tracker's time zone (Amsterdam), as the pages show it."""
    return timezone.localtime(moment).date() if moment else None
