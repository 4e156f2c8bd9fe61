"""XLSX and CSV exports that stream: rows go from the database cursor to the output in batches.

CSV is written to the response as the rows arrive. An XLSX file is a zip that can only be
finished once every row is in, so openpyxl's write-only mode writes rows to a temporary file as
they arrive and the finished file is then sent in chunks; memory stays flat either way.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..spreadsheet import csv_cell, looks_like_formula, xlsx_cell
from .declarations import DataColumn, DataTable
from .render import iter_rows, typed

CHUNK = 64 * 1024
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"

# -- CSV ----------------------------------------------------------------------------------------


def csv_value(value, column: DataColumn) -> str:
    """*value* as written to CSV: plain numbers (no grouping), percentages as ``25.0%``."""
    if value is None:
        return ""
    if column.type == "decimal":
        return f"{value:.{column.digits}f}"
    if column.type == "percent":
        return f"{value * 100:.{column.digits}f}%"
    if column.type == "date":
        return value.isoformat()
    if column.type == "text":
        return csv_cell(value)  # never evaluated as a formula (CSV injection)
    return str(value)


def csv_stream(table: DataTable) -> Iterator[str]:
    """The CSV text of *table*, yielded in chunks of about 64 KiB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = table.columns
    # The byte order mark makes Excel read UTF-8 (Chinese names) correctly.
    buffer.write("\ufeff")
    writer.writerow([str(c.label) for c in columns])
    rows: Iterable = iter_rows(table)
    if table.footer is not None:
        rows = _with_footer(rows, table)
    for row in rows:
        writer.writerow([csv_value(v, c) for v, c in zip(row, columns, strict=True)])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _with_footer(rows: Iterable[tuple], table: DataTable) -> Iterator[tuple]:
    yield from rows
    yield tuple(typed(v, c) for v, c in zip(table.footer, table.columns, strict=True))


# -- XLSX ---------------------------------------------------------------------------------------

_WIDTHS = {"text": 24, "date": 12, "int": 12, "decimal": 14, "percent": 10}


def sheet_title(title: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``, unique."""
    base = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def write_workbook(tables: Iterable[tuple[str, DataTable]], target, title: str = "") -> None:
    """Write each ``(sheet title, table)`` to a sheet of a new workbook saved to *target*."""
    book = Workbook(write_only=True)
    book.properties.title = title
    taken: set[str] = set()
    bold = Font(bold=True)
    for name, table in tables:
        sheet = book.create_sheet(sheet_title(name, taken))
        columns = table.columns
        # Dates need no format of ours: openpyxl writes them as yyyy-mm-dd.
        formats = [c.pattern for c in columns]
        for i, column in enumerate(columns):
            sheet.column_dimensions[get_column_letter(i + 1)].width = _WIDTHS[column.type]
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=str(column.label))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in iter_rows(table):
            sheet.append(_cells(sheet, row, columns, formats))
        if table.footer is not None:
            footer = tuple(typed(v, c) for v, c in zip(table.footer, columns, strict=True))
            cells = [c if isinstance(c, Cell) else WriteOnlyCell(sheet, value=c)
                     for c in _cells(sheet, footer, columns, formats)]
            for cell in cells:
                cell.font = bold
            sheet.append(cells)
    if not taken:
        book.create_sheet("Sheet")
    book.save(target)


def _cells(sheet, row, columns, formats) -> list:
    """Plain values where Excel's default is right (cheap); cells where it is not."""
    out = []
    for value, column, fmt in zip(row, columns, formats, strict=True):
        if column.type == "text" and looks_like_formula(value):
            cell = xlsx_cell(sheet, value)
        elif fmt is not None and value is not None:
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = fmt
        else:
            cell = value
        out.append(cell)
    return out


def xlsx_stream(tables: list[tuple[str, DataTable]], title: str = "") -> Iterator[bytes]:
    """The XLSX file of *tables*, built in a temporary file and yielded in chunks."""
    with tempfile.TemporaryFile() as spool:
        write_workbook(tables, spool, title)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` value that survives non-ASCII file names."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename).strip("_") or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
