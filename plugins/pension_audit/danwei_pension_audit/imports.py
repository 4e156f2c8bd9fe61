"""Importing the fund's data: CSV (UTF-8 or GBK) and XLSX, all or nothing.

A file is read row by row (openpyxl's read-only mode, the csv module over the decoded text), each
row is checked and inserted in batches inside one transaction. If any row is bad, the
transaction is rolled back and every bad row is listed by line and reason — unless the auditor
chose to import the file without them. A file is never half-imported: a cancel or a crash
rolls back too. It runs as a core background task (:func:`run_import`), with progress and
cancel.

Which column holds which field is asked once per source (the county bank's export, the fund's
system) and remembered (:class:`~.models.PensionAuditMapping`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import insert, select

from core.api import Unit, TaskCancelled, db, utcnow

from . import values as v
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .models import (
    DATA_MODELS,
    PensionAuditEngagement,
    PensionAuditImport,
    PensionAuditMapping,
    PensionAuditUpload,
)

#: Problems kept on the import's page; all of them are in the downloadable file.
SHOWN_PROBLEMS = 500
BATCH = 2000

MEMBER_STATUS = {
    "paying": "paying", "缴费": "paying", "正常": "paying", "正常缴费": "paying", "参保缴费": "paying",
    "stopped": "stopped", "中断": "stopped", "中断缴费": "stopped", "暂停缴费": "stopped",
    "receiving": "receiving", "领取": "receiving", "领取待遇": "receiving",
    "待遇领取": "receiving", "ended": "ended", "终止": "ended", "注销": "ended",
}
CONTRIBUTION_KIND = {"regular": "regular", "正常": "regular", "正常缴费": "regular", "": "regular",
                     "back": "back", "补缴": "back", "一次性补缴": "back"}
SUBSIDY_KIND = {"fiscal": "fiscal", "财政": "fiscal", "财政补贴": "fiscal", "地方财政补贴": "fiscal",
                "cadre": "cadre", "村干部": "cadre", "村干部补贴": "cadre", "村干部缴费补贴": "cadre"}


def _choice(table: dict, what) -> Callable:
    def read(value):
        text = "" if value is None else str(value).strip().lower()
        if text in table:
            return table[text]
        raise v.Bad(_l("%(text)s is not a known %(what)s.", text=text[:40], what=what))
    return read


def _text(limit: int) -> Callable:
    def read(value):
        text = "" if value is None else str(value).strip()
        if len(text) > limit:
            raise v.Bad(_l("At most %(n)s characters.", n=limit))
        return text
    return read


def _required_text(limit: int) -> Callable:
    inner = _text(limit)

    def read(value):
        text = inner(value)
        if not text:
            raise v.Bad(_l("Empty."))
        return text
    return read


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    read: Callable
    required: bool = True
    #: Headings that name this field in the files people have (lower case).
    aliases: tuple[str, ...] = ()
    default: object = None


ID = Field("id_number", _l("ID number"), v.id_number, True,
           ("身份证号", "身份证号码", "公民身份号码", "证件号码", "idno", "id"))

FIELDS: dict[str, tuple[Field, ...]] = {
    "members": (
        ID,
        Field("name", _l("Name"), _required_text(100), True, ("姓名",)),
        Field("birth_date", _l("Birth date"), v.a_date, False, ("出生日期", "出生年月日")),
        Field("village", _l("Village"), _text(100), False, ("村", "村组", "所属村", "村居")),
        Field("status", _l("Status"), _choice(MEMBER_STATUS, _l("status")), False,
              ("状态", "参保状态", "人员状态"), "paying"),
        Field("balance_at_retirement", _l("Account balance at retirement"), v.fen, False,
              ("退休时账户余额", "领取时账户余额", "个人账户储存额")),
        Field("account_pension", _l("Monthly personal-account pension"), v.fen, False,
              ("个人账户养老金", "个人账户月养老金")),
    ),
    "contributions": (
        ID,
        Field("year", _l("Year"), v.a_year, True, ("年度", "缴费年度")),
        Field("tier", _l("Tier (yearly amount)"), v.fen, True, ("档次", "缴费档次")),
        Field("amount", _l("Amount booked"), v.fen, True, ("金额", "缴费金额", "入账金额")),
        Field("booked_on", _l("Booked on"), v.a_date, True, ("入账日期", "缴费日期", "记账日期")),
        Field("kind", _l("Kind (regular / back-payment)"),
              _choice(CONTRIBUTION_KIND, _l("contribution kind")), False,
              ("类型", "缴费类型"), "regular"),
        Field("years", _l("Years paid back"), lambda x: v.whole(x, 1, 15), False,
              ("补缴年限", "补缴年数"), 1),
    ),
    "receipts": (
        ID,
        Field("amount", _l("Amount received"), v.fen, True, ("金额", "到账金额", "扣款金额")),
        Field("received_on", _l("Received on"), v.a_date, True, ("到账日期", "扣款日期", "日期")),
    ),
    "subsidies": (
        ID,
        Field("year", _l("Year"), v.a_year, True, ("年度",)),
        Field("kind", _l("Kind (fiscal / village cadre)"),
              _choice(SUBSIDY_KIND, _l("subsidy kind")), False, ("类型", "补贴类型"), "fiscal"),
        Field("amount", _l("Amount"), v.fen, True, ("金额", "补贴金额")),
        Field("credited_month", _l("Credited from (month)"), v.a_month, True,
              ("计入月份", "计息起始月", "入账月份")),
    ),
    "rates": (
        Field("year", _l("Year"), v.a_year, True, ("年度",)),
        Field("rate_bp", _l("One-year deposit rate (%)"), v.rate_bp, True,
              ("利率", "一年期存款利率", "记账利率")),
    ),
    "accounts": (
        ID,
        Field("year", _l("Year"), v.a_year, True, ("年度",)),
        Field("opening_balance", _l("Opening balance"), v.fen, True, ("年初余额", "期初余额")),
        Field("interest", _l("Interest credited"), v.fen, True, ("利息", "本年利息", "记账利息")),
        Field("sealed_from", _l("Sealed from (month)"), v.a_month, False, ("封存月份", "封存时间")),
    ),
    "payments": (
        ID,
        Field("month", _l("Month paid for"), v.a_month, True, ("月份", "发放月份", "待遇月份")),
        Field("amount", _l("Amount paid"), v.fen, True, ("金额", "发放金额")),
        Field("prepared_by", _l("Prepared by"), _text(100), False, ("经办人", "制单人"), ""),
    ),
    "deaths": (
        ID,
        Field("died_on", _l("Died on"), v.a_date, True, ("死亡日期", "死亡时间")),
    ),
}

KIND_LABELS = {
    "members": _l("Members"), "contributions": _l("Contributions booked"),
    "receipts": _l("Bank receipts"), "subsidies": _l("Subsidies"),
    "rates": _l("Interest rates"), "accounts": _l("Personal accounts (yearly)"),
    "payments": _l("Pension payments"), "deaths": _l("Death register"),
}

#: Kinds whose rows must be unique by these fields within an engagement: a second one is a
#: bad row. Other kinds keep repeated rows (a payment made twice is what item 12 looks for)
#: and count them as duplicates in the report.
UNIQUE = {"members": ("id_number",), "deaths": ("id_number",), "rates": ("year",),
          "accounts": ("id_number", "year")}


class FileProblem(ValueError):
    """The file as a whole cannot be read."""


# -- reading -------------------------------------------------------------------------------------


def read_rows(filename: str, data: bytes) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """The heading row and an iterator of ``(line, cells)`` of the rows below it; blank rows
    are skipped. Raises :class:`FileProblem`."""
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise FileProblem(_l("Upload a CSV or XLSX file."))
    for line, cells in rows:
        if any(_blank(c) is False for c in cells):
            header = [("" if c is None else str(c).strip()) for c in cells]
            return header, rows
    raise FileProblem(_l("The file is empty."))


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def decode(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM) or GBK/GB18030, as Excel in China
    saves it; UTF-16 with its BOM."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileProblem(_l("The file is neither UTF-8 nor GBK text; save it as CSV "
                                 "(UTF-8) or XLSX.")) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileProblem(_l("The file is neither UTF-8 nor GBK text; save it as CSV (UTF-8) "
                             "or XLSX.")) from None


def _csv_rows(data: bytes) -> Iterator[tuple[int, list]]:
    text = decode(data)
    if "\x00" in text:
        raise FileProblem(_l("The file is not text; save it as CSV (UTF-8) or XLSX."))
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows():
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise FileProblem(_l("Line %(n)s cannot be read as CSV: %(e)s",
                                 n=reader.line_num, e=str(exc))) from None
    return rows()


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise FileProblem(_l("The file is not a valid XLSX workbook.")) from exc
    sheet = book.worksheets[0]

    def rows():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                    yield line, list(cells)
        finally:
            book.close()
    return rows()


def line_count(filename: str, data: bytes) -> int | None:
    """How many lines the file has (for the progress bar), when cheap to know."""
    if filename.lower().endswith(".csv") or filename.lower().endswith(".txt"):
        return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return None


# -- mapping -------------------------------------------------------------------------------------


def heading_key(text: str) -> str:
    return re.sub(r"[\s_\-（）()]+", "", str(text).strip().lower())


def guess_mapping(kind: str, header: list[str]) -> dict[str, str]:
    """Field → heading, for the headings that name a field (its key, label or an alias)."""
    keys = {heading_key(h): h for h in header if h}
    found = {}
    for field in FIELDS[kind]:
        for name in (field.key, str(field.label), *field.aliases):
            if heading_key(name) in keys:
                found[field.key] = keys[heading_key(name)]
                break
    return found


def saved_mapping(unit: Unit, kind: str, source: str) -> dict[str, str] | None:
    """The mapping remembered for *source* in *unit* or the nearest unit above it."""
    rows = db.session.execute(
        select(PensionAuditMapping.unit_id, PensionAuditMapping.mapping_json).where(
            PensionAuditMapping.unit_id.in_(unit.ancestor_ids),
            PensionAuditMapping.kind == kind, PensionAuditMapping.source == source)).all()
    if not rows:
        return None
    depth = {uid: i for i, uid in enumerate(unit.ancestor_ids)}
    return json.loads(max(rows, key=lambda r: depth[r.unit_id]).mapping_json)


def remember_mapping(unit: Unit, kind: str, source: str, mapping: dict[str, str]) -> None:
    row = db.session.scalar(select(PensionAuditMapping).where(
        PensionAuditMapping.unit_id == unit.id, PensionAuditMapping.kind == kind,
        PensionAuditMapping.source == source))
    if row is None:
        row = PensionAuditMapping(unit_id=unit.id, kind=kind, source=source)
        db.session.add(row)
    row.mapping_json = json.dumps(mapping, ensure_ascii=False)
    row.updated_at = utcnow()


# -- checking and importing ----------------------------------------------------------------------


@dataclass
class Outcome:
    read: int = 0
    imported: int = 0
    bad: int = 0
    duplicates: int = 0


def parse_row(kind: str, columns: dict[str, int],
              cells: list) -> tuple[dict, list[tuple[str, str]]]:
    """The row's values by field, and its problems as ``(field label, message)``."""
    values, problems = {}, []
    for field in FIELDS[kind]:
        index = columns.get(field.key)
        cell = cells[index] if index is not None and index < len(cells) else None
        if isinstance(cell, str) and cell.startswith("="):
            problems.append((str(field.label), _("A formula (%(f)s): paste the values instead.",
                                                 f=cell[:40])))
            continue
        if _blank(cell):
            if field.required:
                problems.append((str(field.label), _("Empty (merged cells read as empty: "
                                                     "unmerge them).")))
            elif field.default is not None:
                values[field.key] = field.default
            else:
                values[field.key] = None
            continue
        try:
            values[field.key] = field.read(cell)
        except v.Bad as exc:
            problems.append((str(field.label), str(exc)))
    if kind == "members" and not problems and values.get("birth_date") is None:
        values["birth_date"] = v.birth_date_of(values["id_number"])
    if kind == "members" and not problems and values["birth_date"] != v.birth_date_of(
            values["id_number"]):
        problems.append((str(_l("Birth date")),
                         _("It differs from the birth date in the ID number.")))
    if kind == "rates":
        values["id_number"] = ""
    return values, problems


def import_file(record: PensionAuditImport, data: bytes,
                progress: Callable[[int, int | None], None] | None = None,
                problems_out=None, write: bool = True) -> Outcome:
    """Check and (with *write*) insert every row of *data* into the engagement, in the
    caller's transaction.

    Returns the counts; the caller commits when ``bad == 0`` or ``record.skip_bad``, and rolls
    back otherwise. Problems are written to *problems_out* (a csv writer) and the first
    :data:`SHOWN_PROBLEMS` are kept on *record*.
    """
    kind = record.kind
    model = DATA_MODELS[kind]
    mapping = json.loads(record.mapping_json)
    header, rows = read_rows(record.filename, data)
    columns = {}
    for key, heading in mapping.items():
        if heading in header:
            columns[key] = header.index(heading)
    missing = [str(f.label) for f in FIELDS[kind] if f.required and f.key not in columns]
    if missing:
        raise FileProblem(_l("Columns missing: %(names)s.", names=", ".join(missing)))
    total = line_count(record.filename, data)
    unique = UNIQUE.get(kind)
    seen: set = set()
    if unique:
        existing = db.session.execute(select(*(getattr(model, k) for k in unique)).where(
            model.engagement_id == record.engagement_id))
        seen = {tuple(row) for row in existing}
    shown: list = []
    outcome = Outcome()
    repeated: set[int] = set()
    batch: list[dict] = []

    for line, cells in rows:
        if all(_blank(c) for c in cells):
            continue
        outcome.read += 1
        values, problems = parse_row(kind, columns, cells)
        if not problems and unique:
            key = tuple(values[k] for k in unique)
            if key in seen:
                problems.append(("", _("Duplicate: %(key)s is already in the engagement or "
                                       "earlier in the file.", key=" / ".join(map(str, key)))))
            else:
                seen.add(key)
        if problems:
            outcome.bad += 1
            for column, message in problems:
                if len(shown) < SHOWN_PROBLEMS:
                    shown.append([line, column, message])
                if problems_out is not None:
                    problems_out.writerow([line, column, message])
            continue
        if not unique:
            signature = hash(tuple(sorted(values.items(), key=lambda kv: kv[0])))
            if signature in repeated:
                outcome.duplicates += 1
            else:
                repeated.add(signature)
        if not write:
            outcome.imported += 1
            if progress is not None and outcome.read % 500 == 0:
                progress(line, total)
            continue
        values.update(engagement_id=record.engagement_id, import_id=record.id, line=line)
        batch.append(values)
        if len(batch) >= BATCH:
            db.session.execute(insert(model), batch)
            outcome.imported += len(batch)
            batch = []
        if progress is not None and outcome.read % 500 == 0:
            progress(line, total)
    if batch:
        db.session.execute(insert(model), batch)
        outcome.imported += len(batch)
    if outcome.read == 0:
        raise FileProblem(_l("The file has a heading row but no data."))
    record.problems_json = json.dumps(shown, ensure_ascii=False, default=str)
    return outcome


def run_import(task) -> str:
    """The background task: import one file, all or nothing."""
    record = db.session.get(PensionAuditImport, task.params["import_id"])
    upload = db.session.get(PensionAuditUpload, record.upload_id)
    data = upload.data
    import_id = record.id
    try:
        with open(task.result_file(f"problems-{import_id}.csv"), "w", encoding="utf-8-sig",
                  newline="") as out:
            writer = csv.writer(out)
            writer.writerow([_("Line"), _("Column"), _("Problem")])
            # First every row is checked, with progress and cancel; nothing is written yet.
            outcome = import_file(record, data, task.progress, writer, write=False)
            if not outcome.bad or record.skip_bad:
                # Then inserted in one transaction. SQLite has one writer: the progress
                # page's row cannot be updated by another connection meanwhile.
                outcome = import_file(record, data, _progress_while_writing(task))
    except TaskCancelled:
        _close(import_id, "cancelled", _("Cancelled: nothing was imported."))
        raise
    except FileProblem as exc:
        _close(import_id, "refused", str(exc))
        return str(exc)
    except Exception:
        _close(import_id, "failed", _("The import failed: nothing was imported."))
        raise
    if outcome.bad and not record.skip_bad:
        shown = record.problems_json
        _close(import_id, "refused", _(
            "%(bad)s of %(read)s rows are bad: nothing was imported.", bad=outcome.bad,
            read=outcome.read), outcome, shown)
        return record_message(import_id)
    record.state = "imported"
    record.rows_read, record.rows_imported = outcome.read, outcome.imported
    record.rows_bad, record.duplicates = outcome.bad, outcome.duplicates
    record.message = _("%(n)s rows imported.", n=outcome.imported)
    engagement = db.session.get(PensionAuditEngagement, record.engagement_id)
    engagement.checked_at = None  # the findings no longer reflect the data
    from core.api import audit

    audit("pension_audit.imported", subject=record, unit=engagement.unit,
          summary=f"{record.kind} {record.filename}: {outcome.imported}",
          data={"bad": outcome.bad, "duplicates": outcome.duplicates}, actor=task.user)
    return record.message


def _progress_while_writing(task):
    """The task's progress, where the database lets another connection write beside ours."""
    return None if db.engine.dialect.name == "sqlite" else task.progress


def _close(import_id: int, state: str, message: str, outcome: Outcome | None = None,
           shown: str | None = None) -> None:
    """Roll the data back and record why, in a transaction of its own."""
    db.session.rollback()
    record = db.session.get(PensionAuditImport, import_id)
    record.state, record.message = state, message[:500]
    if outcome is not None:
        record.rows_read, record.rows_bad = outcome.read, outcome.bad
        record.duplicates, record.rows_imported = outcome.duplicates, 0
    if shown is not None:
        record.problems_json = shown
    db.session.commit()


def record_message(import_id: int) -> str:
    return db.session.get(PensionAuditImport, import_id).message
