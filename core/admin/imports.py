"""Bulk import of people from a CSV (UTF-8, with or without BOM, or GBK as Excel in China
saves it) or XLSX file with the columns ``username, name, unit_code, role, phone, email,
password``.

The whole file is checked first and every problem is reported with its row and column; if
there is any, nothing is imported. Otherwise every row is imported in one transaction. A
school imports thousands of students at once, so lookups are preloaded (a few queries for the
whole file) and hashing the passwords is the only cost per row. Rows without a password get a
generated one; those are written to an XLSX file under the instance folder that the importer
may download once, after which it is deleted.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    session,
    url_for,
)
from flask_login import current_user
from openpyxl.utils import get_column_letter
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from .. import audit
from .. import users as people
from ..access import enabled_plugins, permission_required, unit_ids_where
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Role, RoleAssignment, Unit, User
from ..plugins import plugin_host
from ..settings import get_setting
from ..spreadsheet import xlsx_cell
from . import bp
from .forms import ImportForm
from .spreadsheet import COLUMNS, REQUIRED, FileProblem, Table, read_table
from .spreadsheet import heading as heading_of

PERMISSION = "core.manage_users"

#: Problems shown on the report; the rest are counted.
MAX_SHOWN = 300
#: Generated passwords not downloaded within this time are deleted at the next import.
PASSWORD_FILE_HOURS = 24
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Problem:
    row: int | None
    column: str | None
    message: str


@dataclass
class ImportRow:
    """One person of the file, as typed, then with the unit and role it names."""

    number: int
    username: str = ""
    name: str = ""
    unit_code: str = ""
    role_name: str = ""
    phone: str = ""
    email: str = ""
    password: str = ""
    unit: Unit | None = None
    role: Role | None = None


# -- checking every row ------------------------------------------------------------------------


def check(table: Table) -> tuple[list[ImportRow], list[Problem]]:
    """Check every row against the database and the importer's scope; import nothing."""
    problems: list[Problem] = []
    columns: dict[str, int] = {}
    for index, heading in enumerate(table.header):
        if not heading:
            continue
        key = heading_of(heading)
        where = f"{get_column_letter(index + 1)} ({heading})"
        if key not in COLUMNS:
            problems.append(Problem(1, where, str(_l(
                "Unknown column. Use: %(columns)s.", columns=", ".join(COLUMNS)))))
        elif key in columns:
            problems.append(Problem(1, where, str(_l("This column appears twice."))))
        else:
            columns[key] = index
    for key in REQUIRED:
        if key not in columns:
            problems.append(Problem(1, key, str(_l("Column %(column)s is missing.", column=key))))
    if problems:
        return [], problems
    if not table.rows:
        return [], [Problem(None, None, str(_l("The file has a heading row but no people.")))]

    def label(key: str) -> str:
        return f"{get_column_letter(columns[key] + 1)} ({table.header[columns[key]]})"

    fields = {key: "role_name" if key == "role" else key for key in columns}
    rows = [
        ImportRow(number, **{fields[k]: cells[i] if i < len(cells) else ""
                             for k, i in columns.items()})
        for number, cells in table.rows
    ]
    known = _Preloaded(rows)
    seen: dict[str, int] = {}
    for row in rows:
        def bad(key: str, message, row=row):
            problems.append(Problem(row.number, label(key), str(message)))

        username = row.username
        if not username:
            bad("username", _l("The user name is missing."))
        elif people.username_problem(username):
            bad("username", people.username_problem(username))
        elif username.lower() in seen:
            bad("username", _l("User name %(username)s is already in row %(row)d.",
                               username=username, row=seen[username.lower()]))
        elif username.lower() in known.taken:
            bad("username", _l("User name %(username)s already exists.", username=username))
        seen.setdefault(username.lower(), row.number)

        if not row.name:
            bad("name", _l("The name is missing."))
        elif len(row.name) > 100:
            bad("name", _l("The name is longer than 100 characters."))

        row.unit = known.units.get(row.unit_code)
        if not row.unit_code:
            bad("unit_code", _l("The unit code is missing."))
        elif row.unit is None:
            bad("unit_code", _l("Unit code %(code)s is unknown or outside your units.",
                                code=row.unit_code))

        if row.role_name:
            role = known.role(row.role_name)
            if role is None:
                bad("role", _l("Role %(role)s is unknown.", role=row.role_name))
            elif row.unit is not None and row.unit.id not in known.assignable_units:
                bad("role", _l("You may not assign roles in %(unit)s.", unit=row.unit.code))
            elif row.unit is not None and role.plugin not in known.plugins_in(row.unit):
                bad("role", _l("Role %(role)s belongs to a plugin that is not enabled in "
                               "%(unit)s.", role=row.role_name, unit=row.unit.code))
            else:
                row.role = role

        for key, problem in (("phone", people.phone_problem(row.phone)),
                             ("email", people.email_problem(row.email))):
            if problem:
                bad(key, problem)
        if row.password and people.password_problem(row.password, row.username):
            bad("password", people.password_problem(row.password, row.username))
    return rows, problems


class _Preloaded:
    """Everything the check looks up, fetched once for the whole file."""

    def __init__(self, rows: list[ImportRow]):
        self.taken = people.existing_usernames(r.username for r in rows)
        codes = sorted({r.unit_code for r in rows if r.unit_code})
        self.units: dict[str, Unit] = {}
        for start in range(0, len(codes), 500):
            self.units.update(
                (u.code, u) for u in db.session.scalars(select(Unit).where(
                    Unit.code.in_(codes[start:start + 500]),
                    Unit.id.in_(unit_ids_where(PERMISSION)),
                ))
            )
        ids = [u.id for u in self.units.values()]
        self.assignable_units = set(db.session.scalars(
            select(Unit.id).where(Unit.id.in_(ids), Unit.id.in_(unit_ids_where("core.assign_roles")))
        )) if any(r.role_name for r in rows) else set()
        self.roles = list(db.session.scalars(select(Role)))
        host = plugin_host()
        labels = {spec.name: str(spec.label) for _, spec in host.role_specs}
        self.by_name = {r.name.lower(): r for r in self.roles}
        self.by_label: dict[str, list[Role]] = defaultdict(list)
        for r in self.roles:
            for text in {r.label, labels.get(r.name, r.label)}:
                self.by_label[text.lower()].append(r)

    def role(self, text: str) -> Role | None:
        """A role by name (``core.unit_admin``) or by its label when that is unambiguous."""
        text = text.strip().lower()
        if text in self.by_name:
            return self.by_name[text]
        found = self.by_label.get(text, [])
        return found[0] if len(found) == 1 else None

    def plugins_in(self, unit: Unit) -> set[str]:
        return {"core"} | enabled_plugins(unit)


# -- importing ---------------------------------------------------------------------------------


def import_rows(rows: list[ImportRow], source: str, progress=None) -> dict[str, str]:
    """Create every checked row in the current transaction; return generated passwords.

    Plain bulk INSERTs (no RETURNING of each new id, which SQLite would do row by row): the
    few ids needed for role assignments are read back in one query per 500 names. Hashing the
    passwords is the slow part; *progress(done, total)* hears about it every 200 rows (the
    background task's progress page).
    """
    generated = {r.username: people.generate_password() for r in rows if not r.password}
    passwords = [r.password or generated[r.username] for r in rows]
    hashes = []
    for start in range(0, len(passwords), 200 if progress else len(passwords) or 1):
        hashes += people.hash_passwords(passwords[start:start + 200 if progress else None])
        if progress:
            progress(len(hashes), len(rows))
    db.session.execute(insert(User), [
        {
            "username": row.username, "name": row.name, "unit_id": row.unit.id,
            "phone": row.phone or None, "email": row.email or None,
            "password_hash": password_hash, "must_change_password": True,
        }
        for row, password_hash in zip(rows, hashes, strict=True)
    ])
    with_role = [r for r in rows if r.role is not None]
    if with_role:
        ids = _ids_of([r.username for r in with_role])
        db.session.execute(insert(RoleAssignment), [
            {"user_id": ids[r.username.lower()], "role_id": r.role.id, "unit_id": r.unit.id}
            for r in with_role
        ])
    by_unit: dict[Unit, list[ImportRow]] = defaultdict(list)
    for row in rows:
        by_unit[row.unit].append(row)
    for unit, unit_rows in by_unit.items():
        audit.record(
            "core.users_imported", unit=unit,
            summary=f"{len(unit_rows)} users imported into {unit.code} from {source}"[:500],
            data={
                "file": source,
                "users": [r.username for r in unit_rows],
                "roles": {r.username: r.role.name for r in unit_rows if r.role is not None},
            },
        )
    return generated


def _ids_of(usernames: list[str]) -> dict[str, int]:
    found = {}
    for start in range(0, len(usernames), 500):
        found.update((name.lower(), uid) for uid, name in db.session.execute(
            select(User.id, User.username).where(User.username.in_(usernames[start:start + 500]))
        ))
    return found


# -- generated passwords: kept on the server until downloaded once ------------------------------


def _password_dir() -> Path:
    return Path(current_app.instance_path) / "import-passwords"


def _password_file(token: str) -> Path:
    # The file name carries the importer's id: only they can fetch it.
    return _password_dir() / f"{current_user.id}-{token}.xlsx"


def save_passwords(rows: list[ImportRow], generated: dict[str, str]) -> str:
    """Write the generated passwords to a private file; return the token to download it."""
    folder = _password_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stale = time.time() - PASSWORD_FILE_HOURS * 3600
    for old in folder.glob("*.xlsx"):
        if old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(16)
    target = _password_file(token)
    write_passwords(rows, generated, target)
    return token


def write_passwords(rows: list[ImportRow], generated: dict[str, str], target: Path) -> None:
    """The XLSX of the generated initial passwords, readable by this machine's owner only."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(str(_l("Initial passwords")))
    sheet.append([str(_l("User name")), str(_l("Name")), str(_l("Unit code")), str(_l("Unit")),
                  str(_l("Initial password"))])
    for row in rows:
        if row.username in generated:
            sheet.append([xlsx_cell(sheet, v) for v in (row.username, row.name, row.unit.code,
                                                   row.unit.name, generated[row.username])])
    book.save(target)
    target.chmod(0o600)


# -- views -------------------------------------------------------------------------------------


@bp.route("/users/import", methods=["GET", "POST"])
@permission_required(PERMISSION)
def import_users():
    """Upload a file of people; import them all if every row is right, else show the report."""
    form = ImportForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("admin/import.html", form=form), status
    upload = form.file.data
    filename = (upload.filename or "upload").rsplit("/", 1)[-1][:100]
    try:
        rows, problems = check(read_table(filename, upload.read()))
    except FileProblem as exc:
        rows, problems = [], [Problem(None, None, str(exc))]
    if problems:
        return render_template(
            "admin/import.html", form=form, problems=problems[:MAX_SHOWN],
            hidden=max(len(problems) - MAX_SHOWN, 0), total=len(problems),
            checked=len(rows), filename=filename,
        ), 422
    if len(rows) > get_setting("core", "import_task_rows"):
        return _import_in_background(upload, filename)
    try:
        generated = import_rows(rows, filename)
    except IntegrityError:  # someone took one of the user names since the check
        db.session.rollback()
        flash(_l("Some user names were taken while the file was imported; nothing was "
                 "imported. Please upload the file again."), "danger")
        return render_template("admin/import.html", form=form), 409
    token = save_passwords(rows, generated) if generated else None
    try:
        db.session.commit()
    except Exception:
        if token:
            _password_file(token).unlink(missing_ok=True)
        raise
    session["admin_import"] = {
        "count": len(rows), "generated": len(generated), "token": token, "file": filename,
        "units": len({r.unit.id for r in rows}), "roles": sum(1 for r in rows if r.role),
    }
    return redirect(url_for("admin.import_done"))


def _import_in_background(upload, filename: str):
    """Hand a big file to a background task (it checks it again) and show its progress."""
    from .. import storage
    from ..tasks import progress_url, start_task

    key = f"task-inputs/{secrets.token_hex(16)}"
    upload.seek(0)
    storage.backend().write(key, upload.read())
    run = start_task("core.import_users", {"input_key": key, "filename": filename})
    return redirect(progress_url(run))


@bp.route("/users/import/done")
@permission_required(PERMISSION)
def import_done():
    """What the last import did, with the one-time download of generated passwords."""
    summary = session.get("admin_import")
    if not summary:
        return redirect(url_for("admin.import_users"))
    available = bool(summary["token"]) and _password_file(summary["token"]).exists()
    return render_template("admin/import_done.html", summary=summary, available=available)


@bp.route("/users/import/passwords/<token>.xlsx")
@permission_required(PERMISSION)
def import_passwords(token: str):
    """Download the generated initial passwords, once: the file is deleted as it is sent."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{8,64}", token):
        abort(404)
    path = _password_file(token)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        abort(404)
    path.unlink(missing_ok=True)
    audit.record("core.import_passwords_downloaded", summary=f"initial passwords ({token[:6]}…)")
    db.session.commit()
    response = send_file(io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True,
                         download_name="initial-passwords.xlsx")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/users/import/template.<fmt>")
@permission_required(PERMISSION)
def import_template(fmt: str):
    """An empty import file with the right columns, as CSV (UTF-8 with BOM) or XLSX."""
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text).writerow(COLUMNS)
        # The BOM makes Excel open the file as UTF-8 rather than as GBK.
        data = b"\xef\xbb\xbf" + text.getvalue().encode("utf-8")
        return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True,
                         download_name="users-template.csv")
    if fmt != "xlsx":
        abort(404)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "users"
    sheet.append(COLUMNS)
    for letter in "ABCDEFG":
        sheet.column_dimensions[letter].width = 16
        sheet.column_dimensions[letter].number_format = "@"  # keep leading zeros as typed
    notes = book.create_sheet("notes")
    for line in _template_notes():
        notes.append([str(line)])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return send_file(out, mimetype=XLSX_TYPE, as_attachment=True,
                     download_name="users-template.xlsx")


def _template_notes():
    return (
        _l("One person per row on the first sheet; the first row names the columns."),
        _l("username, name and unit_code are required; role, phone, email and password "
           "are optional."),
        _l("unit_code is the code of the person's unit, as shown on the Units page."),
        _l("role is given in the person's unit: its name (e.g. core.unit_admin) or its label."),
        _l("Without a password, one is generated; download them once after the import."),
        _l("Everyone must choose a new password at first login."),
    )
