"""The filtered commitment list and its CSV and Excel exports, all from one selector."""

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commitments import export_rows, selectors
from commitments.access import can_create_commitment, can_export
from commitments.filters import CHOICE_FIELDS, DEFAULT_SORT
from commitments.models import OPEN_STATUSES, STATUS_TO_REGISTER, CommitmentStatus
from tracker import exports

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50
# Beyond this an Excel file is slow to write and to open; the CSV export has no limit.
EXCEL_MAX_ROWS = 200_000
# openpyxl keeps every hyperlink in memory until the file is complete (about 1 kB each): above
# this many rows the link column holds the address as text.
EXCEL_LINKED_ROWS = 50_000


@login_required
def commitment_list(request):
    clean = _clean_query(request.GET)
    if clean is not None:
        # The filter form sends every field, filled or not: the link to share holds only the
        # filter itself. The page's script does the same before sending; this covers a
        # browser without it and hand-written links.
        return redirect(f"{request.path}?{clean}" if clean else request.path)
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
        sort=filterset.position_sort,
        sort_groups=filterset.statuses_found(),
        search_order=filterset.search_order(),
        search_parts=filterset.search_parts,
        cursor=request.GET.get("cursor"),
        kept=selectors.kept_list(user=request.user, data=request.GET, today=today),
    )
    return render(
        request,
        "commitments/commitment_list.html",
        {
            "filter": filterset,
            "filter_panel_key": filterset.panel_cache_key(get_language()),
            "filter_panel_seconds": settings.FILTER_CHOICES_CACHE_SECONDS,
            "page": page,
            "today": today,
            "per_page": per_page,
            "page_sizes": PAGE_SIZES,
            "default_page_size": DEFAULT_PAGE_SIZE,
            "default_sort": DEFAULT_SORT,
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


def _clean_query(query) -> str | None:
    """The query string without empty parameters and defaults; None if there were none."""
    defaults = {"sort": DEFAULT_SORT, "per_page": str(DEFAULT_PAGE_SIZE)}
    kept = QueryDict(mutable=True)
    dropped = False
    for name, values in query.lists():
        for value in values:
            if not value.strip() or defaults.get(name) == value:
                dropped = True
            else:
                kept.appendlist(name, value)
    return kept.urlencode() if dropped else None


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
        _("Action lines"),
        _("Activities"),
        _("Follow-up letters"),
        _("Last progress note"),
        _("Date of the last progress note"),
        _("Link"),
    ]


# Characters per column in Excel, in the order of `_export_header`: wide for the texts, as
# wide as a date (23-12-2016) or a count for the rest.
EXCEL_WIDTHS = (
    *(14, 16, 70, 16, 16, 12, 26, 30, 40, 12, 24, 18, 12, 12, 10, 12, 24, 22),
    *(36, 40, 40, 60, 12, 40),
)


class _Export:
    """What every row of one export needs to know once: the day, the status labels, the
    address of the commitment pages."""

    def __init__(self, *, links=True):
        self.today = timezone.localdate()
        self.labels = {value: str(label) for value, label in CommitmentStatus.choices}
        # The detail page is /commitments/<pk>/, absolute: the file leaves the site.
        self.page_prefix = settings.SITE_URL + reverse("commitments:list")
        self.links = links

    def row(self, row) -> list:
        status, due = row["status"], row["due_date"]
        late = (
            (self.today - due).days if due and status in OPEN_STATUSES and due < self.today else 0
        )
        dossier, volgnummer = (
            row["source_document__dossier_number"],
            row["source_document__volgnummer"],
        )
        document = f"Kamerstuk {dossier}, nr. {volgnummer}" if volgnummer else (dossier or "")
        owner = f"{row['owner__first_name'] or ''} {row['owner__last_name'] or ''}".strip()
        url = f"{self.page_prefix}{row['pk']}/"
        return [
            row["reference"],
            row["register_number"],
            row["text"],
            self.labels[status],
            STATUS_TO_REGISTER[status],
            row["made_on"],
            row["made_by__name"],
            row["made_by__ministry__name"],
            row["debate__title"] or "",
            row["debate__date"],
            document,
            row["deadline_wording"],
            row["original_due_date"],
            due,
            late or "",
            row["fulfilled_on"],
            row["team__name"] or "",
            owner or (row["owner__username"] or ""),
            export_rows.joined_names(row["action_lines"]),
            export_rows.joined_names(row["activity_titles"]),
            export_rows.joined_names(row["letter_titles"]),
            row["last_note"] or "",
            export_rows.local_date(row["last_note_at"]),
            exports.Link(url) if self.links else url,
        ]


def _filtered_for_export(request):
    if not can_export(request.user):
        raise PermissionDenied
    return selectors.commitment_filter(
        user=request.user, data=request.GET, today=timezone.localdate()
    )


def _filename(extension, variant=""):
    return f"toezeggingen-{timezone.localdate():%Y-%m-%d}{variant}.{extension}"


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value):
        return value


def _csv_response(request, writer, *, first="", variant=""):
    filterset = _filtered_for_export(request)
    export = _Export()

    def lines():
        yield first + writer.writerow(_export_header())
        for row in export_rows.commitment_export_rows(filterset.qs, user=request.user):
            yield writer.writerow(export.row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv", variant)}"'
    return response


@login_required
def commitment_export_csv(request):
    """Exactly the filtered list as RFC 4180 CSV (comma, ISO dates) for other programs,
    streamed: the first row leaves before the last is read.

    Values that a spreadsheet would run as a formula are written as text (tracker.exports)."""
    return _csv_response(request, exports.csv_writer(_Echo()))


@login_required
def commitment_export_csv_nl(request):
    """The same rows as a CSV that Excel with Dutch settings opens in columns: semicolons,
    dates as 23-12-2016, and the byte-order mark by which Excel knows the file is UTF-8."""
    return _csv_response(
        request,
        exports.dutch_excel_csv_writer(_Echo()),
        first=exports.BYTE_ORDER_MARK,
        variant="-excel",
    )


@login_required
def commitment_export_xlsx(request):
    """Exactly the filtered list as an Excel file, written row by row in constant memory:
    dates as date cells (23-12-2016), the header frozen and filtered, every row linked to its
    page.

    Values that Excel would run as a formula are written as text cells (tracker.exports)."""
    filterset = _filtered_for_export(request)
    queryset = filterset.qs
    count = queryset.count()
    if count > EXCEL_MAX_ROWS:
        return HttpResponse(
            _("More than %(max)s rows: narrow the filter or use the CSV export.")
            % {"max": f"{EXCEL_MAX_ROWS:,}".replace(",", ".")},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    export = _Export(links=count <= EXCEL_LINKED_ROWS)
    sheet = exports.ExcelSheet(title=_("Commitments"), widths=EXCEL_WIDTHS)
    sheet.append_header(_export_header())
    for row in export_rows.commitment_export_rows(queryset, user=request.user):
        sheet.append(export.row(row))
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
