"""The unit period report: the sections of every plugin enabled for a unit, composed into one
monthly, quarterly or annual report, each section isolated from the others' failures.

Two throwaway plugins: ``rep_duty`` owns a table of duty records with a ``unit_id`` and
contributes a summary section; ``rep_flaky`` contributes a section whose SQL fails, ordered
before ``rep_duty``'s so that a PostgreSQL transaction aborted by it would show.
"""

from __future__ import annotations

import io
import re
from datetime import date
from types import SimpleNamespace

import openpyxl
import pytest

PASSWORD = "secret123"

MIGRATION = '''
"""rep_duty: duty records"""
import sqlalchemy as sa
from alembic import op

revision = "rep_duty_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rep_duty_records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
    )


def downgrade():
    op.drop_table("rep_duty_records")
'''

DUTY = '''
import sqlalchemy as sa
from core.api import (Chart, DataColumn, DataTable, Permission, ReportSection, RoleSpec, Series,
                      Unit, db, hookimpl)

records = sa.Table(
    "rep_duty_records", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer),
    sa.Column("day", sa.Date),
    sa.Column("done", sa.Boolean),
)


def summary(ctx):
    done = sa.func.sum(sa.case((records.c.done, 1), else_=0))
    rows = db.session.execute(
        sa.select(Unit.name, sa.func.count(records.c.id), done)
        .join(Unit, Unit.id == records.c.unit_id)
        .where(ctx.in_scope(records.c.unit_id), ctx.in_period(records.c.day))
        .group_by(Unit.id, Unit.name, Unit.path)
        .order_by(Unit.path)
    ).all()
    return [
        Chart("pie", "Duties done", labels=[r[0] for r in rows],
              series=[Series("Done", [r[2] for r in rows])]),
        DataTable(
            title="Duties", rows=rows,
            columns=[DataColumn("unit", "Unit"), DataColumn("planned", "Planned", "int"),
                     DataColumn("done", "Done", "int")],
        ),
    ]


@hookimpl
def register_permissions():
    return [Permission("rep_duty.view", "View duties")]


@hookimpl
def register_roles():
    return [RoleSpec("rep_duty.leader", "Leader", ("rep_duty.view",))]


@hookimpl
def register_report_sections():
    return [ReportSection("rep_duty.summary", "Duty roster", "rep_duty.view", summary, order=20)]
'''

FLAKY = '''
import sqlalchemy as sa
from core.api import Permission, ReportSection, RoleSpec, db, hookimpl


def broken(ctx):
    db.session.execute(sa.text("SELECT 1 FROM rep_flaky_no_such_table"))
    return []


@hookimpl
def register_permissions():
    return [Permission("rep_flaky.view", "View")]


@hookimpl
def register_roles():
    return [RoleSpec("rep_flaky.leader", "Leader", ("rep_flaky.view",))]


@hookimpl
def register_report_sections():
    return [ReportSection("rep_flaky.broken", "Flaky section", "rep_flaky.view", broken,
                          order=10)]
'''


@pytest.fixture
def unit_tree(make_plugin, make_app):
    make_plugin("rep_duty", DUTY, migrations={"0001_records.py": MIGRATION})
    make_plugin("rep_flaky", FLAKY)
    app = make_app()
    with app.app_context():
        from danwei_rep_duty import records

        from core import units
        from core.extensions import db

        db.session.execute(records.delete())
        s = units.create_unit("s", "School", "school")
        a = units.create_unit("a", "Class A", "class", s)
        b = units.create_unit("b", "Class B", "class", s)
        for plugin in ("rep_duty", "rep_flaky"):
            units.set_plugin_state(plugin, s, True)
        db.session.commit()
        yield SimpleNamespace(app=app, db=db, records=records, s=s, a=a, b=b)
        db.session.execute(records.delete())
        db.session.commit()


def person(tree, username, unit, roles=()):
    from core import roles as role_service
    from core import users

    user = users.create_user(username, username.title(), PASSWORD, unit)
    for role, where in roles:
        role_service.assign(user, role, where)
    tree.db.session.commit()
    client = tree.app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}
                       ).status_code == 302
    return client


def duties(tree, unit, *days_done):
    tree.db.session.execute(tree.records.insert(), [
        {"unit_id": unit.id, "day": day, "done": done} for day, done in days_done
    ])
    tree.db.session.commit()


def scope(html: str) -> str:
    """What the report covers, as the heading says it."""
    found = re.search(r'data-testid="scope">(.*?)</p>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", "", found).split())


def section_rows(html: str, section_id: str) -> list[list[str]]:
    part = html.split(f'data-section="{section_id}"', 1)[1].split('data-section="', 1)[0]
    body = part.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
            for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def leader(tree, username, unit):
    """A user holding the roles of both plugins in *unit*."""
    return person(tree, username, unit,
                  roles=[("rep_duty.leader", unit), ("rep_flaky.leader", unit)])


def test_hook_register_report_sections(unit_tree):
    t = unit_tree
    duties(t, t.a, (date(2026, 3, 2), True), (date(2026, 3, 9), False))
    duties(t, t.b, (date(2026, 3, 3), True))
    principal = leader(t, "principal", t.s)

    listing = principal.get("/reports/")
    assert 'data-testid="period-report"' in listing.text
    page = principal.get("/reports/period?period=2026-03")
    assert page.status_code == 200
    assert scope(page.text) == "School · March 2026"
    assert section_rows(page.text, "rep_duty.summary") == [["Class A", "2", "1"],
                                                          ["Class B", "1", "1"]]
    assert page.text.index("Flaky section") < page.text.index("Duty roster")  # by order


def test_a_failing_section_leaves_the_others_standing(unit_tree):
    t = unit_tree
    duties(t, t.a, (date(2026, 3, 2), True))
    principal = leader(t, "principal_f", t.s)
    page = principal.get("/reports/period?period=2026-03")
    assert page.status_code == 200
    flaky = page.text.split('data-section="rep_flaky.broken"', 1)[1].split("</section>", 1)[0]
    assert "This part could not be produced." in flaky
    # The section after it still ran, although the failed query came first (PostgreSQL aborts
    # the transaction of a failed statement).
    assert section_rows(page.text, "rep_duty.summary") == [["Class A", "1", "1"]]
    assert [e.where for e in t.app.extensions["danwei"].errors_of("rep_flaky")] == [
        "section rep_flaky.broken"]


def test_periods_month_quarter_year(unit_tree):
    t = unit_tree
    duties(t, t.a, (date(2026, 1, 5), True), (date(2026, 3, 30), False),
           (date(2026, 4, 1), True), (date(2026, 12, 31), True), (date(2027, 1, 1), True))
    principal = leader(t, "principal_p", t.s)
    expected = {"2026-03": ["1", "0"], "2026-Q1": ["2", "1"], "2026-Q2": ["1", "1"],
                "2026": ["4", "3"]}
    for period, counts in expected.items():
        page = principal.get(f"/reports/period?period={period}")
        assert section_rows(page.text, "rep_duty.summary") == [["Class A", *counts]], period
    assert scope(principal.get("/reports/period?period=2026-Q1").text) == "School · Q1 2026"
    wrong = principal.get("/reports/period?period=March")
    assert "Enter a month (2026-03), a quarter (2026-Q1) or a year (2026)." in wrong.text
    assert 'value="March"' in wrong.text


def test_sections_follow_enablement_and_scope(unit_tree):
    from core import units

    t = unit_tree
    duties(t, t.a, (date(2026, 3, 2), True))
    duties(t, t.b, (date(2026, 3, 2), True))
    units.set_plugin_state("rep_flaky", t.s, False)
    t.db.session.commit()
    teacher = leader(t, "teacher_a", t.a)
    page = teacher.get("/reports/period?period=2026-03")
    assert "Flaky section" not in page.text  # disabled for the unit: no section
    assert section_rows(page.text, "rep_duty.summary") == [["Class A", "1", "1"]]
    assert teacher.get(f"/reports/period?period=2026-03&unit={t.b.id}").status_code == 404

    outsider = person(t, "outsider", t.b)
    empty = outsider.get("/reports/period?period=2026-03")
    assert empty.status_code == 200
    assert "No section of the period report is available to you for this unit." in empty.text
    assert 'data-testid="period-report"' not in outsider.get("/reports/").text


def test_period_report_prints_and_exports(unit_tree):
    t = unit_tree
    duties(t, t.a, (date(2026, 3, 2), True), (date(2026, 3, 3), True))
    duties(t, t.b, (date(2026, 3, 2), False))
    principal = leader(t, "principal_x", t.s)

    printed = principal.get("/reports/period/print?period=2026-03")
    assert printed.status_code == 200
    assert 'data-testid="menu"' not in printed.text
    assert "Period report" in printed.text and scope(printed.text) == "School · March 2026"
    assert "Duty roster" in printed.text and "This part could not be produced." in printed.text
    assert '<script type="application/json"' in printed.text  # the pie chart prints too

    response = principal.get("/reports/period/export.xlsx?period=2026-03")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    assert book.sheetnames == ["Duty roster"]  # the failing section is left out
    assert list(book["Duty roster"].iter_rows(values_only=True)) == [
        ("Unit", "Planned", "Done"), ("Class A", 2, 2), ("Class B", 1, 0)]
