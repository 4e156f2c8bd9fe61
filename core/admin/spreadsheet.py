"""Reading an uploaded people file (CSV or XLSX) into text cells, for the bulk import.

A CSV may be UTF-8 (with or without BOM), UTF-16, or GBK as Excel in China saves it; numbers
Excel stored as numbers (phone numbers, student numbers) come back as the digits typed.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl

from ..i18n import lazy_gettext as _l

#: The columns of an import file, in the order of the templates.
COLUMNS = ("username", "name", "unit_code", "role", "phone", "email", "password")
REQUIRED = ("username", "name", "unit_code")
#: Other headings people write for the same columns (compared in lower case).
ALIASES = {
    "user_name": "username", "login": "username", "用户名": "username", "账号": "username",
    "学号": "username", "工号": "username",
    "display_name": "name", "姓名": "name", "名字": "name",
    "unit": "unit_code", "unitcode": "unit_code", "单位代码": "unit_code", "单位编码": "unit_code",
    "角色": "role",
    "mobile": "phone", "手机": "phone", "手机号": "phone", "电话": "phone",
    "e-mail": "email", "mail": "email", "邮箱": "email", "电子邮箱": "email",
    "初始密码": "password", "密码": "password",
}
#: Larger files are refused: split them by grade or department.
MAX_ROWS = 10_000


class FileProblem(ValueError):
    """The file as a whole cannot be read (wrong format, no header, too many rows...)."""


@dataclass
class Table:
    """The file's cells as text: the heading row, then ``(row number, cells)`` per row."""

    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def read_table(filename: str, data: bytes) -> Table:
    """Read a CSV or XLSX upload into text cells, or raise :class:`FileProblem`."""
    if filename.lower().endswith(".xlsx"):
        records = _xlsx_records(data)
    else:
        records = _csv_records(data)
    numbered = [(n, [_text(c) for c in cells]) for n, cells in enumerate(records, start=1)]
    numbered = [(n, cells) for n, cells in numbered if any(cells)]
    if not numbered:
        raise FileProblem(_l("The file is empty."))
    (_, header), rows = numbered[0], numbered[1:]
    if len(rows) > MAX_ROWS:
        raise FileProblem(_l("The file has %(count)d rows; import at most %(max)d at a time.",
                             count=len(rows), max=MAX_ROWS))
    return Table(header, rows)


def _csv_records(data: bytes):
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 reads GBK, which Excel writes in China
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(_l("The file is not readable text; save it as CSV (UTF-8) or XLSX."))


def _xlsx_records(data: bytes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise FileProblem(_l("The file is not a valid XLSX workbook.")) from exc
        try:
            return [list(row) for row in book.worksheets[0].iter_rows(min_row=1, values_only=True)]
        finally:
            book.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 13800138000 and 2024001 as numbers
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def heading(text: str) -> str:
    """The column a heading names, aliases and Chinese headings included."""
    key = re.sub(r"[\s\-]+", "_", text.strip().lower())
    return ALIASES.get(key, ALIASES.get(text.strip().lower(), key))
