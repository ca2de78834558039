"""Spreadsheet files sent to people: the formula guard, streamed CSV and XLSX answers.

Text that came from the field (a problem's title, a narrative) may start with "=": a
spreadsheet program opening the file must show it as text, never run it as a formula. Every CSV
and XLSX that Pantau writes goes through `csv_cell` or `text_row`.

Both answers stream: CSV rows are produced as the response is sent (give a generator over
`.iterator()`); an XLSX is written row by row (openpyxl's write-only mode) to a temporary file
that is then sent in chunks. Neither holds the whole list in memory.
"""

import csv
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from pantau.lib.clock import WIB

# What a spreadsheet program may read as the start of a formula or a DDE command: the ASCII
# signs, their full-width forms (some programs fold them to ASCII: "\uff1dcmd" ran as "=cmd"),
# the pipe of DDE ("=cmd|' /C calc'!A0") and the tab and carriage return that OWASP lists.
# Leading spaces do not hide a formula either: the check is made on the text without them.
FORMULA_START = (
    "=", "+", "-", "@", "|", "\t", "\r",
    "\uff1d", "\uff0b", "\uff0d", "\uff20", "\uff5c",
)  # fmt: skip
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula(value: Any) -> bool:
    """True for text that a spreadsheet program would read as a formula."""
    return isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    """A CSV value that a spreadsheet opens as text: a leading apostrophe before a formula."""
    return "'" + value if is_formula(value) else value


def text_row(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A row for a write-only sheet in which text is always text (a cell of type string)."""
    row: list[Any] = []
    for value in values:
        if is_formula(value):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row


class TextSheet:
    """A write-only sheet whose `append` guards every row with `text_row`."""

    def __init__(self, sheet: WriteOnlyWorksheet):
        self.sheet = sheet

    def append(self, values: Iterable[Any]) -> None:
        self.sheet.append(text_row(self.sheet, values))


def export_filename(stem: str, ext: str) -> str:
    """`stem-YYYYMMDD-HHMM.ext`, the time of the download in WIB."""
    return f"{stem}-{timezone.localtime(timezone.now(), WIB):%Y%m%d-%H%M}.{ext}"


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(rows: Iterable[Sequence[Any]], stem: str) -> StreamingHttpResponse:
    """A CSV download (UTF-8 with a BOM, so spreadsheet programs read it) streamed from `rows`,
    the first of which is the header."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(stem, "csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx_response(rows: Iterable[Sequence[Any]], stem: str, sheet_name: str) -> FileResponse:
    """An XLSX download of one sheet, written row by row to a temporary file."""
    workbook = Workbook(write_only=True)
    sheet = TextSheet(workbook.create_sheet(sheet_name))
    for row in rows:
        sheet.append(row)
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # deleted when closed, once it is sent
    workbook.save(tmp)
    tmp.seek(0)
    response = FileResponse(
        tmp, as_attachment=True, filename=export_filename(stem, "xlsx"), content_type=XLSX_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    return response
