"""Writers for CSV and Excel exports that never hand a spreadsheet a formula.

A value typed by a user ("=HYPERLINK(...)", "+31 ...", "@SUM(...)") would run as a formula when
the export is opened in Excel or LibreOffice (CSV injection, OWASP). Every export writes its
rows through `csv_writer()` or `ExcelSheet`, which write such strings as text: in CSV with a
leading single quote, in Excel as a text cell marked "quote prefix", so Excel shows the value
as typed and keeps it text when the cell is edited. Only strings are touched: dates, numbers
(negative ones too) and booleans stay what they are.
"""

import csv
import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

# Characters with which a spreadsheet starts a formula or a DDE command.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def starts_a_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_value(value):
    """The value as a CSV cell: a string that would start a formula gets a leading quote."""
    if starts_a_formula(value):
        return "'" + value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return "" if value is None else value


class CsvWriter:
    """`csv.writer` whose rows pass through `csv_value`; `writerow` returns what the file's
    `write` returned, so a writer on an echoing object streams lines."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, values):
        return self._writer.writerow([csv_value(value) for value in values])


def csv_writer(file, **options) -> CsvWriter:
    return CsvWriter(file, **options)


def excel_row(sheet, values) -> list:
    """The values as cells of `sheet`: a string that would start a formula becomes a text cell
    (openpyxl would otherwise store any string that starts with "=" as a formula)."""
    row = []
    for value in values:
        if starts_a_formula(value):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            row.append(cell)
        else:
            row.append(value)
    return row


class ExcelSheet:
    """A workbook with one sheet, written row by row in openpyxl's write-only (streaming) mode."""

    def __init__(self, title: str, widths=()):
        self.workbook = Workbook(write_only=True)
        # Excel allows at most 31 characters in a sheet's name.
        self.sheet = self.workbook.create_sheet(title=title[:31])
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width

    def append(self, values) -> None:
        self.sheet.append(excel_row(self.sheet, values))

    def save(self, file) -> None:
        self.workbook.save(file)
