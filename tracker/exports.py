"""Writers for CSV and Excel exports that never hand a spreadsheet a formula.

A value typed by a user ("=HYPERLINK(...)", "+31 ...", "@SUM(...)") would run as a formula when
the export is opened in Excel or LibreOffice (CSV injection, OWASP). Every export writes its
rows through `csv_writer()`, `dutch_excel_csv_writer()` or `ExcelSheet`, which write such
strings as text: in CSV with a leading single quote, in Excel as a text cell marked "quote
prefix", so Excel shows the value as typed and keeps it text when the cell is edited. Only
strings are touched: dates, numbers (negative ones too) and booleans stay what they are.

Two CSV dialects:
- `csv_writer()`: RFC 4180 for machines (comma, ISO dates); the commitment list writes it
  without a byte-order mark, which a parser would read as part of the first column's name;
- `dutch_excel_csv_writer()`: what Excel with Dutch regional settings opens in columns by a
  double click (semicolon, the list separator where the comma is the decimal sign; dates as
  23-12-2016; a byte-order mark, without which Excel reads UTF-8 as Windows-1252: "BarriÃ¨re").
"""

import csv
import datetime
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter

# Characters with which a spreadsheet starts a formula or a DDE command.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The byte-order mark that tells Excel a CSV file is UTF-8.
BYTE_ORDER_MARK = "\ufeff"
DUTCH_DATE = "%d-%m-%Y"
# Excel's number format for a date as the Dutch write it; Dutch Excel shows the code as
# "dd-mm-jjjj", the file stores it in Excel's invariant form.
EXCEL_DATE_FORMAT = "dd-mm-yyyy"


@dataclass(frozen=True)
class Link:
    """A cell that links to `url`: a hyperlink in Excel, the address itself in CSV."""

    url: str

    def __str__(self):
        return self.url


def starts_a_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_value(value, *, date_format: str | None = None):
    """The value as a CSV cell: a string that would start a formula gets a leading quote.

    Dates are ISO (2016-12-23) unless `date_format` says otherwise."""
    if isinstance(value, Link):
        value = value.url
    if starts_a_formula(value):
        return "'" + value
    if (
        isinstance(value, datetime.date)
        and date_format
        and not isinstance(value, datetime.datetime)
    ):
        return value.strftime(date_format)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return "" if value is None else value


class CsvWriter:
    """`csv.writer` whose rows pass through `csv_value`; `writerow` returns what the file's
    `write` returned, so a writer on an echoing object streams lines."""

    def __init__(self, file, *, date_format: str | None = None, **options):
        self._writer = csv.writer(file, **options)
        self._date_format = date_format

    def writerow(self, values):
        return self._writer.writerow(
            [csv_value(value, date_format=self._date_format) for value in values]
        )


def csv_writer(file, **options) -> CsvWriter:
    """RFC 4180: comma-separated, every line ended by CRLF, ISO dates."""
    return CsvWriter(file, **options)


def dutch_excel_csv_writer(file) -> CsvWriter:
    """Semicolon-separated with Dutch dates; the caller writes BYTE_ORDER_MARK first."""
    return CsvWriter(file, delimiter=";", date_format=DUTCH_DATE)


def excel_row(sheet, values) -> list:
    """The values as cells of `sheet`: a string that would start a formula becomes a text cell
    (openpyxl would otherwise store any string that starts with "=" as a formula), a date a
    date cell in the Dutch format, a `Link` a hyperlink."""
    row = []
    for value in values:
        if isinstance(value, Link):
            cell = WriteOnlyCell(sheet, value=value.url)
            cell.hyperlink = value.url
            cell.style = "Hyperlink"
            row.append(cell)
        elif starts_a_formula(value):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            row.append(cell)
        elif isinstance(value, datetime.date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = EXCEL_DATE_FORMAT
            row.append(cell)
        else:
            row.append(value)
    return row


class ExcelSheet:
    """A workbook with one sheet, written row by row in openpyxl's write-only (streaming) mode.

    The first row appended is the header: bold, frozen (it stays in view while scrolling) and
    carrying an autofilter over every row written."""

    def __init__(self, title: str, widths=()):
        self.workbook = Workbook(write_only=True)
        # Excel allows at most 31 characters in a sheet's name.
        self.sheet = self.workbook.create_sheet(title=title[:31])
        # Write-only mode writes the sheet's view and columns before the first row.
        self.sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self._rows = 0
        self._columns = 0

    def append_header(self, names) -> None:
        bold = Font(bold=True)
        cells = []
        for cell in excel_row(self.sheet, list(names)):
            if not hasattr(cell, "font"):
                cell = WriteOnlyCell(self.sheet, value=cell)
            cell.font = bold
            cells.append(cell)
        self._append(cells)

    def append(self, values) -> None:
        self._append(excel_row(self.sheet, values))

    def _append(self, cells) -> None:
        self.sheet.append(cells)
        self._rows += 1
        self._columns = max(self._columns, len(cells))

    def save(self, file) -> None:
        if self._rows and self._columns:
            self.sheet.auto_filter = AutoFilter(
                ref=f"A1:{get_column_letter(self._columns)}{self._rows}"
            )
        self.workbook.save(file)
