"""Reports: a plugin declares them, core runs them for the units a user may see, renders the
page, the print view and the XLSX/CSV exports.

The throwaway plugin ``rep_att`` owns a table of absence entries with a ``unit_id``; its
reports aggregate it in SQL. A school has grades g1 (classes a, b) and g2 (class c).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import threading
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest

PASSWORD = "secret123"

MIGRATION = '''
"""rep_att: absence entries"""
import sqlalchemy as sa
from alembic import op

revision = "rep_att_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rep_att_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
        sa.Column("note", sa.String(200), nullable=False, server_default=""),
    )


def downgrade():
    op.drop_table("rep_att_entries")
'''

PLUGIN = '''
import sqlalchemy as sa
from core.api import (Chart, DataColumn, DataTable, Note, Permission, Report, ReportFilter,
                      RoleSpec, Series, Unit, db, hookimpl)

# Its own MetaData: the table is the plugin's, not core's (tests clean it themselves).
entries = sa.Table(
    "rep_att_entries", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer),
    sa.Column("day", sa.Date),
    sa.Column("kind", sa.String(20)),
    sa.Column("minutes", sa.Integer),
    sa.Column("amount", sa.Numeric(10, 2)),
    sa.Column("note", sa.String(200)),
)
KINDS = (("sick", "Sick"), ("personal", "Personal"), ("other", "Other"))


def _where(ctx):
    conditions = [ctx.in_scope(entries.c.unit_id), ctx.in_period(entries.c.day)]
    if ctx.filters.get("kind"):
        conditions.append(entries.c.kind == ctx.filters["kind"])
    return conditions


def by_unit(ctx):
    where = _where(ctx)
    total = sa.select(sa.func.count()).select_from(entries).where(*where).scalar_subquery()
    count = sa.func.count(entries.c.id)
    rows = db.session.execute(
        sa.select(Unit.name, count, sa.func.sum(entries.c.minutes), sa.func.sum(entries.c.amount),
                  count * 1.0 / total, sa.func.max(entries.c.day))
        .join(Unit, Unit.id == entries.c.unit_id)
        .where(*where)
        .group_by(Unit.id, Unit.name, Unit.path)
        .order_by(Unit.path)
    ).all()
    n, minutes, amount, last = db.session.execute(
        sa.select(sa.func.count(entries.c.id), sa.func.sum(entries.c.minutes),
                  sa.func.sum(entries.c.amount), sa.func.max(entries.c.day)).where(*where)
    ).one()
    return [
        Note("Absences recorded in the period."),
        Chart("bar", "Entries by unit", labels=[r[0] for r in rows],
              series=[Series("Entries", [r[1] for r in rows])]),
        DataTable(
            id="units", title="By unit", rows=rows,
            columns=[DataColumn("unit", "Unit"), DataColumn("entries", "Entries", "int"),
                     DataColumn("minutes", "Minutes", "int"),
                     DataColumn("amount", "Deductions", "decimal"),
                     DataColumn("share", "Share", "percent"),
                     DataColumn("last", "Last entry", "date")],
            footer=("Total", n, minutes, amount, 1 if n else None, last),
        ),
    ]


def detail(ctx):
    query = (
        sa.select(Unit.name, entries.c.day, entries.c.kind, entries.c.minutes,
                  entries.c.amount, entries.c.note)
        .join(Unit, Unit.id == entries.c.unit_id)
        .where(*_where(ctx))
        .order_by(entries.c.day, entries.c.id)
    )
    return [DataTable(
        id="entries", title="Entries", rows=query,
        columns=[DataColumn("unit", "Unit"), DataColumn("day", "Day", "date"),
                 DataColumn("kind", "Kind"), DataColumn("minutes", "Minutes", "int"),
                 DataColumn("amount", "Deduction", "decimal"), DataColumn("note", "Note")],
    )]


def broken(ctx):
    raise RuntimeError("the report broke")


@hookimpl
def register_permissions():
    return [Permission("rep_att.view", "View absences")]


@hookimpl
def register_roles():
    return [RoleSpec("rep_att.teacher", "Teacher", ("rep_att.view",))]


@hookimpl
def register_reports():
    kind = ReportFilter("kind", "Kind", choices=KINDS)
    return [
        Report("rep_att.by_unit", "Absences by unit", "rep_att.view", by_unit,
               description="Counts, minutes and deductions per unit.", filters=(kind,),
               order=1),
        Report("rep_att.detail", "Absence entries", "rep_att.view", detail,
               periods=("month", "quarter"), filters=(kind,), order=2),
        Report("rep_att.broken", "Broken report", "rep_att.view", broken, order=3),
    ]
'''


# -- the school, its people, its data ----------------------------------------------------------


@pytest.fixture
def school(make_plugin, make_app):
    make_plugin("rep_att", PLUGIN, migrations={"0001_entries.py": MIGRATION})
    app = make_app()
    with app.app_context():
        from danwei_rep_att import entries

        from core import units
        from core.extensions import db

        db.session.execute(entries.delete())  # left by an earlier test on this database
        s = units.create_unit("s", "School", "school")
        g1 = units.create_unit("g1", "Grade 1", "grade", s)
        a = units.create_unit("a", "Class A", "class", g1)
        b = units.create_unit("b", "Class B", "class", g1)
        g2 = units.create_unit("g2", "Grade 2", "grade", s)
        c = units.create_unit("c", "Class C", "class", g2)
        units.set_plugin_state("rep_att", s, True)
        db.session.commit()
        yield SimpleNamespace(app=app, db=db, entries=entries, s=s, g1=g1, a=a, b=b, g2=g2, c=c)
        db.session.execute(entries.delete())
        db.session.commit()


def person(school, username, unit, role_in=None):
    """A user of *unit* holding the teacher role in *role_in*, logged in on a new client."""
    from core import roles, users

    user = users.create_user(username, username.title(), PASSWORD, unit)
    if role_in is not None:
        roles.assign(user, "rep_att.teacher", role_in)
    school.db.session.commit()
    client = school.app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def add(school, unit, day, kind="sick", minutes=45, amount="10.00", note=""):
    school.db.session.execute(school.entries.insert().values(
        unit_id=unit.id, day=day, kind=kind, minutes=minutes, amount=Decimal(amount), note=note,
    ))
    school.db.session.commit()


def table_rows(html: str, key: str) -> list[list[str]]:
    """The body cells of the table ``data-table=key`` of a page."""
    section = html.split(f'data-table="{key}"', 1)[1].split("</section>", 1)[0]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def xlsx_rows(response) -> dict[str, list[tuple]]:
    assert response.status_code == 200, response.text[:500]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.text[:500]
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Chinese names correctly
    return list(csv.reader(io.StringIO(text[1:])))


# -- the hook -------------------------------------------------------------------------------------


BAD_PLUGIN = '''
from core.api import Report, hookimpl


@hookimpl
def register_reports():
    return [
        Report("someone_else.thing", "Not mine", "rep_bad.view", lambda ctx: []),
        "not a report",
    ]
'''


def test_hook_register_reports(school, make_plugin, make_app):
    add(school, school.a, date(2026, 3, 2), minutes=40, amount="12.50")
    add(school, school.b, date(2026, 3, 3), minutes=90, amount="7.25")
    head = person(school, "head", school.g1, role_in=school.g1)

    listing = head.get("/reports/")
    assert listing.status_code == 200
    assert "Absences by unit" in listing.text and "Absence entries" in listing.text
    assert "Counts, minutes and deductions per unit." in listing.text
    assert 'href="/reports/"' in head.get("/").text  # the menu offers Reports

    page = head.get("/reports/rep_att.by_unit?period=2026-03")
    assert page.status_code == 200
    assert table_rows(page.text, "units") == [
        ["Class A", "1", "40", "12.50", "50.0%", "2026-03-02"],
        ["Class B", "1", "90", "7.25", "50.0%", "2026-03-03"],
    ]
    assert "Absences recorded in the period." in page.text


def test_invalid_declarations_are_reported_and_skipped(make_plugin, make_app):
    make_plugin("rep_bad", BAD_PLUGIN)
    app = make_app()
    with app.app_context():
        from core.reports import registry

        assert not [r for r in registry.reports() if r.startswith("someone_else")]
    problems = [e.message for e in app.extensions["danwei"].errors_of("rep_bad")]
    assert any("must be named rep_bad.<name>" in p for p in problems)
    assert any("must be a Report" in p for p in problems)


# -- who sees what ------------------------------------------------------------------------------


def test_class_teacher_sees_their_class_grade_head_the_grade(school):
    for unit, minutes in ((school.a, 10), (school.b, 20), (school.g1, 30), (school.c, 40)):
        add(school, unit, date(2026, 3, 5), minutes=minutes)
    teacher = person(school, "teacher_a", school.a, role_in=school.a)
    head = person(school, "head_g1", school.g1, role_in=school.g1)

    mine = teacher.get("/reports/rep_att.by_unit?period=2026-03")
    assert [r[0] for r in table_rows(mine.text, "units")] == ["Class A"]
    grade = head.get("/reports/rep_att.by_unit?period=2026-03")
    assert [r[:3] for r in table_rows(grade.text, "units")] == [
        ["Grade 1", "1", "30"], ["Class A", "1", "10"], ["Class B", "1", "20"],
    ]
    # The grade head may narrow the report to one class of the grade.
    one = head.get(f"/reports/rep_att.by_unit?period=2026-03&unit={school.b.id}")
    assert [r[0] for r in table_rows(one.text, "units")] == ["Class B"]


def test_a_report_on_another_class_does_not_exist(school):
    add(school, school.b, date(2026, 3, 5))
    teacher = person(school, "teacher_a2", school.a, role_in=school.a)
    for url in (
        f"/reports/rep_att.by_unit?period=2026-03&unit={school.b.id}",
        f"/reports/rep_att.by_unit?period=2026-03&unit={school.g1.id}",
        f"/reports/rep_att.by_unit/export.xlsx?period=2026-03&unit={school.b.id}",
        f"/reports/rep_att.by_unit/export.csv?period=2026-03&unit={school.b.id}",
        f"/reports/rep_att.by_unit/print?period=2026-03&unit={school.b.id}",
        "/reports/rep_att.by_unit?unit=not-a-number",
        "/reports/rep_att.nothing",
    ):
        assert teacher.get(url).status_code == 404, url


def test_a_school_report_is_filtered_to_the_units_one_may_see(school):
    """A teacher who belongs to the school but teaches class A asks for the whole school."""
    add(school, school.a, date(2026, 3, 5), minutes=10)
    add(school, school.c, date(2026, 3, 5), minutes=99)
    teacher = person(school, "teacher_s", school.s, role_in=school.a)
    page = teacher.get(f"/reports/rep_att.by_unit?period=2026-03&unit={school.s.id}")
    assert page.status_code == 200
    assert [r[:3] for r in table_rows(page.text, "units")] == [["Class A", "1", "10"]]
    workbook = xlsx_rows(teacher.get(
        f"/reports/rep_att.by_unit/export.xlsx?period=2026-03&unit={school.s.id}"))
    assert [row[0] for row in workbook["By unit"][1:]] == ["Class A", "Total"]


def test_without_permission_or_with_the_plugin_disabled_there_are_no_reports(school):
    from core import units

    nobody = person(school, "nobody", school.a)
    listing = nobody.get("/reports/")
    assert listing.status_code == 200
    assert 'data-testid="empty"' in listing.text
    assert "No reports are available to you in this unit." in listing.text
    assert nobody.get("/reports/rep_att.by_unit").status_code == 404

    units.set_plugin_state("rep_att", school.b, False)
    school.db.session.commit()
    teacher_b = person(school, "teacher_b", school.b, role_in=school.b)
    assert "Absences by unit" not in teacher_b.get("/reports/").text
    assert teacher_b.get("/reports/rep_att.by_unit").status_code == 404
    assert 'href="/reports/"' not in teacher_b.get("/").text


# -- the form -----------------------------------------------------------------------------------


def test_defaults_run_the_report_for_this_month(school):
    from core.reports.periods import Period, today

    this_month = Period.containing(today())
    add(school, school.a, this_month.start, minutes=33)
    teacher = person(school, "teacher_d", school.a, role_in=school.a)
    page = teacher.get("/reports/rep_att.by_unit")
    assert page.status_code == 200
    assert f'value="{this_month.key}"' in page.text
    assert table_rows(page.text, "units")[0][:3] == ["Class A", "1", "33"]


def test_invalid_parameters_are_kept_and_explained(school):
    teacher = person(school, "teacher_f", school.a, role_in=school.a)
    page = teacher.get("/reports/rep_att.by_unit?period=2026-13&kind=sick")
    assert page.status_code == 200
    assert 'value="2026-13"' in page.text
    assert "Enter a month (2026-03), a quarter (2026-Q1) or a year (2026)." in page.text
    assert 'data-table="units"' not in page.text
    assert re.search(r'<option[^>]*selected[^>]*value="sick"|<option[^>]*value="sick"[^>]*selected',
                     page.text)

    yearly = teacher.get("/reports/rep_att.detail?period=2026")
    assert "This report is made by month / quarter." in yearly.text
    assert 'value="2026"' in yearly.text
    bad_kind = teacher.get("/reports/rep_att.by_unit?period=2026-03&kind=holiday")
    assert "Not a valid choice" in bad_kind.text
    # An export with wrong parameters goes back to the form rather than sending a file.
    export = teacher.get("/reports/rep_att.by_unit/export.xlsx?period=nope&fmt=pdf&report_id=x")
    assert export.status_code == 302
    assert export.location.startswith("/reports/rep_att.by_unit?period=nope")


def test_a_filter_narrows_the_report(school):
    add(school, school.a, date(2026, 3, 2), kind="sick", minutes=10)
    add(school, school.a, date(2026, 3, 3), kind="personal", minutes=20)
    teacher = person(school, "teacher_k", school.a, role_in=school.a)
    everything = teacher.get("/reports/rep_att.by_unit?period=2026-03")
    assert table_rows(everything.text, "units")[0][:3] == ["Class A", "2", "30"]
    personal = teacher.get("/reports/rep_att.by_unit?period=2026-03&kind=personal")
    assert table_rows(personal.text, "units")[0][:3] == ["Class A", "1", "20"]


# -- charts and the page's script policy ---------------------------------------------------------


def test_charts_are_data_blocks_drawn_by_a_local_script(school):
    add(school, school.a, date(2026, 3, 2))
    add(school, school.a, date(2026, 3, 4))
    add(school, school.b, date(2026, 3, 4))
    head = person(school, "head_c", school.g1, role_in=school.g1)
    page = head.get("/reports/rep_att.by_unit?period=2026-03")

    canvas = re.search(r'<canvas data-chart="([\w-]+)"', page.text)
    block = re.search(rf'<script type="application/json" id="{canvas.group(1)}">(.*?)</script>',
                      page.text, re.S)
    config = json.loads(block.group(1))
    assert config["type"] == "bar"
    assert config["data"]["labels"] == ["Class A", "Class B"]
    assert config["data"]["datasets"] == [{"label": "Entries", "data": [2, 1]}]

    # No inline script or style: every <script> is a file of this site or a JSON data block.
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    for tag in re.findall(r"<script\b[^>]*>", page.text):
        assert 'type="application/json"' in tag or re.search(r'src="/', tag), tag
    assert not re.search(r"\sstyle=|\son[a-z]+=", page.text)
    sources = re.findall(r'<script src="([^"]+)"', page.text)
    chartjs = next(s for s in sources if "chart.umd" in s)
    with head.get(chartjs) as library:
        assert library.status_code == 200 and b"Chart" in library.data
        assert library.mimetype in ("text/javascript", "application/javascript")
    with head.get(next(s for s in sources if s.endswith("charts.js"))) as drawer:
        assert drawer.status_code == 200 and b"data-chart" in drawer.data


# -- print view ---------------------------------------------------------------------------------


def test_print_view_is_a_bare_a4_page(school):
    add(school, school.a, date(2026, 2, 10), minutes=25)
    teacher = person(school, "teacher_p", school.a, role_in=school.a)
    page = teacher.get("/reports/rep_att.by_unit/print?period=2026-Q1")
    assert page.status_code == 200
    assert "<h1" in page.text and "Absences by unit" in page.text
    assert "Class A · Q1 2026" in page.text
    assert table_rows(page.text, "units")[0][:3] == ["Class A", "1", "25"]
    assert 'data-testid="menu"' not in page.text  # no navigation on paper
    assert "Printed by Teacher_P" in page.text
    assert 'data-action="print"' in page.text
    with teacher.get(re.search(r'href="([^"]*danwei\.css)"', page.text).group(1)) as css:
        assert b"size: A4" in css.data
    # With parameters that do not validate, the print view sends the user back to the form.
    assert teacher.get("/reports/rep_att.by_unit/print?period=x").status_code == 302


# -- exports ------------------------------------------------------------------------------------


def test_xlsx_export_has_typed_values(school):
    add(school, school.a, date(2026, 3, 2), minutes=40, amount="12.50", note="=1+1")
    add(school, school.a, date(2026, 3, 9), minutes=20, amount="0.25")
    add(school, school.b, date(2026, 3, 3), minutes=90, amount="7.25")
    head = person(school, "head_x", school.g1, role_in=school.g1)

    response = head.get("/reports/rep_att.by_unit/export.xlsx?period=2026-03")
    assert response.is_streamed
    assert 'filename="rep_att.by_unit-g1-2026-03.xlsx"' in response.headers["Content-Disposition"]
    sheets = xlsx_rows(response)
    assert list(sheets) == ["By unit"]
    header, *rows = sheets["By unit"]
    assert header == ("Unit", "Entries", "Minutes", "Deductions", "Share", "Last entry")
    a, b, total = rows
    assert a[:3] == ("Class A", 2, 60) and a[3] == pytest.approx(12.75)
    assert a[4] == pytest.approx(2 / 3) and a[5].date() == date(2026, 3, 9)
    assert b[:3] == ("Class B", 1, 90) and b[3] == pytest.approx(7.25)
    assert total[:3] == ("Total", 3, 150) and total[3] == pytest.approx(20.0) and total[4] == 1

    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book["By unit"]
    assert sheet["E2"].number_format == "#,##0.0%" and sheet["D2"].number_format == "#,##0.00"
    assert sheet["A1"].font.bold and sheet["A4"].font.bold
    assert sheet["F2"].number_format == "yyyy-mm-dd"

    detail = xlsx_rows(head.get("/reports/rep_att.detail/export.xlsx?period=2026-03"))
    assert detail["Entries"][1][-1] == "=1+1"  # user text stays text, never a formula
    formula = openpyxl.load_workbook(
        io.BytesIO(head.get("/reports/rep_att.detail/export.xlsx?period=2026-03").data)
    )["Entries"]["F2"]
    assert formula.data_type == "s"


def test_a_big_xlsx_export_is_made_by_a_task_for_its_user(school):
    from core.api import set_setting

    for i in range(12):
        add(school, school.a, date(2026, 3, 1 + i), minutes=10 + i, note=f"n{i}")
    head = person(school, "head_bg", school.g1, role_in=school.g1)
    at_once = xlsx_rows(head.get("/reports/rep_att.detail/export.xlsx?period=2026-03"))

    set_setting("core", "export_task_rows", 10)  # 12 rows: past the threshold
    school.db.session.commit()
    started = head.get("/reports/rep_att.detail/export.xlsx?period=2026-03")
    assert started.status_code == 302 and "/tasks/" in started.location
    page = head.get(started.location).text
    assert 'data-status="done"' in page and "12 rows exported" in page
    link = page.split('data-testid="task-result" href="')[1].split('"')[0]
    with head.get(link) as download:
        assert "rep_att.detail-" in download.headers["Content-Disposition"]
        assert xlsx_rows(download) == at_once
    other = person(school, "head_bg2", school.g1, role_in=school.g1)
    assert other.get(link).status_code == 404


def test_csv_export_parses(school):
    add(school, school.a, date(2026, 3, 2), minutes=40, amount="12.50", note="=cmd|' /C calc'!A0")
    add(school, school.b, date(2026, 3, 3), minutes=90, amount="7.25", note="张三, 病假")
    head = person(school, "head_v", school.g1, role_in=school.g1)

    summary = csv_rows(head.get("/reports/rep_att.by_unit/export.csv?period=2026-03&table=units"))
    assert summary == [
        ["Unit", "Entries", "Minutes", "Deductions", "Share", "Last entry"],
        ["Class A", "1", "40", "12.50", "50.0%", "2026-03-02"],
        ["Class B", "1", "90", "7.25", "50.0%", "2026-03-03"],
        ["Total", "2", "130", "19.75", "100.0%", "2026-03-03"],
    ]
    entries = csv_rows(head.get("/reports/rep_att.detail/export.csv?period=2026-03"))
    assert entries[1] == ["Class A", "2026-03-02", "sick", "40", "12.50", "'=cmd|' /C calc'!A0"]
    assert entries[2][-1] == "张三, 病假"
    assert head.get("/reports/rep_att.by_unit/export.csv?period=2026-03&table=nope"
                    ).status_code == 404
    assert head.get("/reports/rep_att.by_unit/export.pdf?period=2026-03").status_code == 404


def test_long_tables_are_cut_on_the_page_but_exported_whole(school):
    day = date(2026, 3, 1)
    school.db.session.execute(school.entries.insert(), [
        {"unit_id": school.a.id, "day": day + timedelta(days=i % 28), "kind": "sick",
         "minutes": i, "amount": Decimal("1.00"), "note": ""}
        for i in range(1200)
    ])
    school.db.session.commit()
    teacher = person(school, "teacher_l", school.a, role_in=school.a)
    page = teacher.get("/reports/rep_att.detail?period=2026-03")
    assert len(table_rows(page.text, "entries")) == 1000
    assert "Only the first 1000 rows are shown here; the export has all of them." in page.text
    response = teacher.get("/reports/rep_att.detail/export.csv?period=2026-03")
    assert response.is_streamed
    assert len(csv_rows(response)) == 1201
    assert len(xlsx_rows(teacher.get("/reports/rep_att.detail/export.xlsx?period=2026-03")
                         )["Entries"]) == 1201


def outside_app_context(call):
    """Run *call* in a thread of its own, as a server would: the request's application context
    (and its database session) ends when the view returns, before the body is streamed."""
    out = []
    worker = threading.Thread(target=lambda: out.append(call()))
    worker.start()
    worker.join()
    assert out, "the request failed (see the thread's exception above)"
    return out[0]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_stream_to_the_last_row_after_the_request_ends(school, fmt):
    """More rows than one fetch batch, streamed after the request's session is gone."""
    day = date(2026, 3, 1)
    school.db.session.execute(school.entries.insert(), [
        {"unit_id": school.a.id, "day": day + timedelta(days=i % 27), "kind": "sick",
         "minutes": i, "amount": Decimal("1.00"), "note": f"n{i}"}
        for i in range(2500)
    ])
    add(school, school.a, date(2026, 3, 31), note="the very last")
    teacher = person(school, f"teacher_s{fmt}", school.a, role_in=school.a)
    url = f"/reports/rep_att.detail/export.{fmt}?period=2026-03"
    response = outside_app_context(lambda: teacher.get(url, buffered=True))
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)["Entries"]
    assert len(rows) == 2502
    assert rows[-1][-1] == "the very last"


# -- isolation ----------------------------------------------------------------------------------


def test_a_failing_report_shows_an_error_not_a_crash(school):
    teacher = person(school, "teacher_e", school.a, role_in=school.a)
    page = teacher.get("/reports/rep_att.broken?period=2026-03")
    assert page.status_code == 200
    assert "This part could not be produced." in page.text
    assert 'data-testid="menu"' in page.text
    errors = school.app.extensions["danwei"].errors_of("rep_att")
    assert any("the report broke" in e.message for e in errors)
    assert teacher.get("/reports/rep_att.broken/export.xlsx?period=2026-03").status_code == 302
    # The other reports still work.
    assert teacher.get("/reports/rep_att.by_unit?period=2026-03").status_code == 200


# -- the numbers --------------------------------------------------------------------------------


def generate(school, count=3000, seed=4):
    """*count* random entries over six months for the units of the school."""
    rng = random.Random(seed)
    places = [school.a, school.b, school.g1, school.c, school.s]
    rows = [
        {"unit_id": rng.choice(places).id,
         "day": date(2026, 1, 1) + timedelta(days=rng.randrange(181)),
         "kind": rng.choice(["sick", "personal", "other"]),
         "minutes": rng.randrange(5, 480),
         "amount": Decimal(rng.randrange(0, 50000)) / 100,
         "note": ""}
        for _ in range(count)
    ]
    school.db.session.execute(school.entries.insert(), rows)
    school.db.session.commit()
    return rows


def reference(rows, names: dict[int, str], start: date, end: date, kind=None) -> dict:
    """The by-unit report computed the plain way: a loop over every row."""
    chosen = [r for r in rows if r["unit_id"] in names and start <= r["day"] < end
              and (kind is None or r["kind"] == kind)]
    found: dict[str, list] = {}
    for r in chosen:
        agg = found.setdefault(names[r["unit_id"]], [0, 0, Decimal(0), r["day"]])
        agg[0] += 1
        agg[1] += r["minutes"]
        agg[2] += r["amount"]
        agg[3] = max(agg[3], r["day"])
    return {name: (n, minutes, amount, n / len(chosen), last)
            for name, (n, minutes, amount, last) in found.items()}


def test_report_on_generated_rows_matches_a_reference_computation(school):
    rows = generate(school)
    head = person(school, "head_r", school.g1, role_in=school.g1)
    grade = {school.g1.id: "Grade 1", school.a.id: "Class A", school.b.id: "Class B"}

    for period, start, end, kind in (
        ("2026-03", date(2026, 3, 1), date(2026, 4, 1), None),
        ("2026-Q2", date(2026, 4, 1), date(2026, 7, 1), None),
        ("2026", date(2026, 1, 1), date(2027, 1, 1), "personal"),
    ):
        url = f"/reports/rep_att.by_unit/export.xlsx?period={period}"
        header, *got = xlsx_rows(head.get(url + (f"&kind={kind}" if kind else "")))["By unit"]
        expected = reference(rows, grade, start, end, kind)
        assert len(got) == len(expected) + 1  # and the totals row
        for name, n, minutes, amount, share, last in got[:-1]:
            e = expected[name]
            assert (n, minutes) == e[:2], (period, name)
            assert Decimal(str(amount)).quantize(Decimal("0.01")) == e[2]
            assert share == pytest.approx(e[3])
            assert last.date() == e[4]
        total = got[-1]
        assert total[1] == sum(e[0] for e in expected.values())
        assert total[2] == sum(e[1] for e in expected.values())

    teacher = person(school, "teacher_r", school.c, role_in=school.c)
    _, *got = csv_rows(teacher.get("/reports/rep_att.by_unit/export.csv?period=2026-Q1"))
    (n, minutes, amount, share, last), = reference(
        rows, {school.c.id: "Class C"}, date(2026, 1, 1), date(2026, 4, 1)).values()
    assert got[0] == ["Class C", str(n), str(minutes), f"{amount:.2f}", "100.0%",
                      last.isoformat()]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_export_uses_the_one_spreadsheet_safety_rule(text):
    """CSV (reports, audit log) and XLSX (reports, imported passwords) ask one function."""
    from openpyxl import Workbook

    from core.api import DataColumn
    from core.reports import export
    from core.spreadsheet import csv_cell, xlsx_cell

    assert csv_cell(text) == "'" + text
    assert export.csv_value(text, DataColumn("note", "Note")) == "'" + text
    assert export.csv_value(-1, DataColumn("n", "N", "int")) == "-1"  # numbers stay numbers
    assert csv_cell("plain") == "plain" and csv_cell(None) == ""
    cell = xlsx_cell(Workbook(write_only=True).create_sheet(), text)
    assert (cell.value, cell.data_type) == (text, "s")
