"""Spreadsheet safety: text a user typed must never run as a formula in Excel or WPS.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` is read as a formula by spreadsheet
programs, and a leading tab or carriage return hides such a start from a quick look (OWASP's
"CSV injection"). Every export goes through this one module: a CSV cell gets an apostrophe in
front, the way spreadsheets themselves mark text; an XLSX cell is typed as text, so it shows
exactly what was typed and is never evaluated.
"""

from __future__ import annotations

#: A cell starting with one of these may be evaluated by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    """Whether *value* is text that a spreadsheet could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value) -> str:
    """*value* as CSV text that a spreadsheet shows as text (``None`` is empty)."""
    text = "" if value is None else str(value)
    return "'" + text if looks_like_formula(text) else text


def xlsx_cell(sheet, value):
    """*value* for ``sheet.append`` of a write-only sheet: text that could pass for a formula
    becomes a cell typed as text; anything else is returned as it is."""
    if not looks_like_formula(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # user text, never a formula
    return cell
