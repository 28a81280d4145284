"""The filtered commitment list and its CSV and Excel exports, all from one selector."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments import selectors
from commitments.access import can_create_commitment, can_export
from commitments.filters import CHOICE_FIELDS
from commitments.models import STATUS_TO_REGISTER, CommitmentStatus
from tracker import exports

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50
# Beyond this an Excel file is slow to write and to open; the CSV export has no limit.
EXCEL_MAX_ROWS = 200_000


@login_required
def commitment_list(request):
    today = timezone.localdate()
    filterset = selectors.commitment_filter(user=request.user, data=request.GET, today=today)
    filterset.load_choices()
    per_page = _page_size(request.GET.get("per_page"))
    queryset = filterset.qs
    page = selectors.commitment_page(
        queryset=queryset,
        number=request.GET.get("page"),
        per_page=per_page,
        today=today,
        count=selectors.commitment_count(
            queryset=queryset, user=request.user, data=request.GET, today=today
        ),
    )
    return render(
        request,
        "commitments/commitment_list.html",
        {
            "filter": filterset,
            "page": page,
            "today": today,
            "per_page": per_page,
            "page_sizes": PAGE_SIZES,
            "chosen_statuses": request.GET.getlist("status"),
            "status_choices": CommitmentStatus.choices,
            "select_fields": [filterset.form[name] for name in CHOICE_FIELDS],
            # The detail page is /commitments/<pk>/: one prefix instead of a reverse() per row.
            "detail_url_prefix": reverse("commitments:list"),
            "text_length": selectors.LIST_TEXT_LENGTH,
            "can_export": can_export(request.user),
            "can_create": can_create_commitment(request.user),
        },
    )


def _page_size(value) -> int:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _export_header() -> list[str]:
    return [
        _("Reference"),
        _("Register number"),
        _("Text"),
        _("Status"),
        _("Status in the Kamer's register"),
        _("Made on"),
        _("Made by"),
        _("Ministry"),
        _("Debate"),
        _("Date of the debate"),
        _("Made in document"),
        _("Deadline as worded"),
        _("Original due date"),
        _("Due date"),
        _("Overdue (days)"),
        _("Fulfilled on"),
        _("Team"),
        _("Owner"),
    ]


def _export_row(row, today, status_labels):
    (
        reference,
        register_number,
        text,
        status,
        made_on,
        made_by,
        ministry,
        debate,
        debate_date,
        dossier,
        volgnummer,
        wording,
        original_due,
        due,
        fulfilled_on,
        team,
        owner_first,
        owner_last,
        owner_username,
    ) = row
    late = (today - due).days if due and status in ("open", "in_progress") and due < today else 0
    document = f"Kamerstuk {dossier}, nr. {volgnummer}" if volgnummer else (dossier or "")
    owner = f"{owner_first} {owner_last}".strip() or (owner_username or "")
    return [
        reference,
        register_number,
        text,
        status_labels[status],
        STATUS_TO_REGISTER[status],
        made_on,
        made_by,
        ministry,
        debate or "",
        debate_date,
        document,
        wording,
        original_due,
        due,
        late or "",
        fulfilled_on,
        team or "",
        owner,
    ]


def _filtered_for_export(request):
    if not can_export(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    filterset = selectors.commitment_filter(user=request.user, data=request.GET, today=today)
    return filterset, today, {value: str(label) for value, label in CommitmentStatus.choices}


def _filename(extension):
    return f"toezeggingen-{timezone.localdate():%Y-%m-%d}.{extension}"


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value):
        return value


@login_required
def commitment_export_csv(request):
    """Exactly the filtered list, streamed: the first row leaves before the last is read.

    Values that a spreadsheet would run as a formula are written as text (tracker.exports)."""
    filterset, today, labels = _filtered_for_export(request)
    writer = exports.csv_writer(_Echo())

    def lines():
        # The byte-order mark lets Excel recognise UTF-8 (ë, é) when the file is opened.
        yield "\ufeff" + writer.writerow(_export_header())
        for row in selectors.commitment_export_rows(filterset.qs):
            yield writer.writerow(_export_row(row, today, labels))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


@login_required
def commitment_export_xlsx(request):
    """Exactly the filtered list as an Excel file, written row by row in constant memory.

    Values that Excel would run as a formula are written as text cells (tracker.exports)."""
    filterset, today, labels = _filtered_for_export(request)
    queryset = filterset.qs
    if queryset.count() > EXCEL_MAX_ROWS:
        return HttpResponse(
            _("More than %(max)s rows: narrow the filter or use the CSV export.")
            % {"max": f"{EXCEL_MAX_ROWS:,}".replace(",", ".")},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    header = _export_header()
    widths = (14, 14, 80, 16, 16, 12, 24, 30, 40, 12, 24, 18, 12, 12, 10, 12, 24, 22)
    sheet = exports.ExcelSheet(title=_("Commitments"), widths=widths)
    sheet.append(header)
    for row in selectors.commitment_export_rows(queryset):
        sheet.append(_export_row(row, today, labels))
    # A temporary file instead of memory: openpyxl's write-only mode streams rows to disk.
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    sheet.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=_filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
