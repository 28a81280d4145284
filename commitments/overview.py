"""The overview of open commitments for the Kamer, as a page and as a Word document.

Ministries send the Kamer lists of their open commitments: with the budget and the annual
report, and in answer to the Eerste Kamer's half-yearly *toezeggingenrappel* (its reminder of
commitments past their deadline). Such a list is an annex (*bijlage*) to a *Kamerbrief*, the
minister's letter to the Kamer: per commitment its number, its text, where it was made (debate
or Kamerstuk, and date), the deadline, the state of affairs and the date now expected.

The list holds what was open or partially fulfilled on the reference date, as the audit
history recorded it then, so an overview as of 1 January reads the same in March.
"""

import datetime
import io
from dataclasses import dataclass

from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commitments.models import (
    Bewindspersoon,
    Commitment,
    CommitmentStatus,
    Committee,
    ProgressUpdate,
)
from commitments.selectors import commitments_visible_to

# The Eerste Kamer's rappel asks for the "openstaande en deels voldane" commitments.
OVERVIEW_STATUSES = (
    CommitmentStatus.OPEN,
    CommitmentStatus.IN_PROGRESS,
    CommitmentStatus.PARTIALLY_FULFILLED,
)


@dataclass
class OverviewRow:
    pk: int
    number: str
    text: str
    made_in: str
    deadline: str
    state_of_affairs: str
    state_of_affairs_on: datetime.date | None
    expected: datetime.date | None
    status: str


@dataclass
class KamerOverview:
    title: str
    subject: str
    as_of: datetime.date
    rows: list[OverviewRow]


def _long(value: datetime.date | None) -> str:
    return date_format(value, "j F Y") if value else ""


def kamer_overview(
    *,
    user,
    as_of: datetime.date,
    bewindspersoon: Bewindspersoon | None = None,
    committee: Committee | None = None,
) -> KamerOverview:
    """The commitments of a bewindspersoon (or made in a committee's debates) that were open
    or partially fulfilled on `as_of`, oldest first, as far as `user` may read them.

    One query whatever the number of commitments. The status and due date on `as_of` are the
    last the audit history holds before the end of that day; a commitment registered later
    counts with its present state, open until the day its fulfilling letter is dated.
    """
    if (bewindspersoon is None) == (committee is None):
        raise ValueError("An overview is of one bewindspersoon or of one committee.")
    cutoff = timezone.make_aware(
        datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min)
    )
    # Served by the history's indexes on id and history_date.
    then = Commitment.history.filter(id=OuterRef("pk"), history_date__lt=cutoff).order_by(
        "-history_date", "-history_id"
    )
    # Served by the index `progress_timeline` (commitment, -created_at).
    notes = (
        ProgressUpdate.objects.filter(commitment_id=OuterRef("pk"), created_at__lt=cutoff)
        .exclude(note="")
        .order_by("-created_at", "-id")
    )
    commitments = commitments_visible_to(user).filter(made_on__lte=as_of)
    if bewindspersoon is not None:
        commitments = commitments.filter(made_by=bewindspersoon)
    else:
        commitments = commitments.filter(debate__committee=committee)
    commitments = (
        commitments.annotate(
            history_status=Subquery(then.values("status")[:1]),
            history_due=Subquery(then.values("due_date")[:1]),
            status_then=Coalesce(
                "history_status",
                Case(
                    When(fulfilled_on__gt=as_of, then=Value(CommitmentStatus.OPEN.value)),
                    default=F("status"),
                ),
                output_field=CharField(),
            ),
            note_then=Subquery(notes.values("note")[:1]),
            note_then_at=Subquery(notes.values("created_at")[:1]),
        )
        .filter(Q(status_then__in=OVERVIEW_STATUSES))
        .select_related("debate", "source_document")
        .order_by("made_on", "reference")
    )
    rows = [_row(commitment) for commitment in commitments]
    if bewindspersoon is not None:
        subject = f"{bewindspersoon.title or bewindspersoon.name} ({bewindspersoon.name})"
    else:
        subject = committee.name
    return KamerOverview(
        title=_("Overview of open commitments"), subject=subject, as_of=as_of, rows=rows
    )


def _row(commitment: Commitment) -> OverviewRow:
    expected = (
        commitment.history_due if commitment.history_status is not None else commitment.due_date
    )
    if commitment.debate is not None:
        made_in = f"{commitment.debate.title}, {_long(commitment.debate.date)}"
    elif commitment.source_document is not None:
        made_in = f"{commitment.source_document}, {_long(commitment.source_document.date)}"
    else:
        made_in = _long(commitment.made_on)
    original = _long(commitment.original_due_date)
    if commitment.deadline_wording and original:
        deadline = f"{commitment.deadline_wording} ({original})"
    else:
        deadline = commitment.deadline_wording or original or "—"
    state = commitment.note_then or _("No progress recorded yet.")
    if commitment.status_then == CommitmentStatus.PARTIALLY_FULFILLED:
        state = _("Partially fulfilled. %(state)s") % {"state": state}
        # What is still open, where the commitment records it (its present wording).
        open_part = getattr(commitment, "open_part", "")
        if open_part:
            state = _("%(state)s Still open: %(open_part)s") % {
                "state": state,
                "open_part": open_part,
            }
    noted = commitment.note_then_at
    return OverviewRow(
        pk=commitment.pk,
        number=commitment.register_number or commitment.reference,
        text=commitment.text,
        made_in=made_in,
        deadline=deadline,
        state_of_affairs=state,
        state_of_affairs_on=timezone.localtime(noted).date() if noted else None,
        expected=expected,
        status=commitment.status_then,
    )


# --- the Word document ---------------------------------------------------------------------------


def overview_columns() -> list[str]:
    return [
        _("No."),
        _("Commitment"),
        _("Made in"),
        _("Deadline"),
        _("State of affairs"),
        _("Expected"),
    ]


def overview_docx(overview: KamerOverview) -> bytes:
    """The overview as a Word document in the layout of a Kamerbrief annex: landscape A4, the
    title, the bewindspersoon or committee and the reference date, then one table whose header
    row repeats on every page."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    normal = document.styles["Normal"]
    # The Rijksoverheid's letters are set in a sans serif at 9 pt; Verdana is everywhere.
    normal.font.name = "Verdana"
    normal.font.size = Pt(9)

    document.add_paragraph(_("Annex"))
    document.add_heading(overview.title, level=1)
    document.add_paragraph(overview.subject)
    document.add_paragraph(_("As of %(date)s") % {"date": _long(overview.as_of)})

    columns = overview_columns()
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for cell, name in zip(header.cells, columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(name).bold = True
    for row in overview.rows:
        state = row.state_of_affairs
        if row.state_of_affairs_on:
            state = f"{state} ({_long(row.state_of_affairs_on)})"
        values = [
            row.number,
            row.text,
            row.made_in,
            row.deadline,
            state,
            _long(row.expected) or "—",
        ]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    widths = (Cm(2.6), Cm(7.5), Cm(4.2), Cm(3.2), Cm(6.2), Cm(2.6))
    for table_row in table.rows:
        for cell, width in zip(table_row.cells, widths, strict=True):
            cell.width = width
    if not overview.rows:
        document.add_paragraph(_("No open commitments on this date."))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
