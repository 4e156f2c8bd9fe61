"""The home page dashboard: widgets of the plugins enabled in the user's current unit, charts
among them, each isolated so that one failing widget does not break the page.

The throwaway plugin ``rep_dash`` owns a table of tasks with a ``unit_id`` and contributes a
count card, an overdue card, a chart card and two cards that fail (one in Python, one in SQL)
ordered before a card that queries again.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

PASSWORD = "secret123"

MIGRATION = '''
"""rep_dash: tasks"""
import sqlalchemy as sa
from alembic import op

revision = "rep_dash_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rep_dash_tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
    )


def downgrade():
    op.drop_table("rep_dash_tasks")
'''

PLUGIN = '''
from datetime import date

import sqlalchemy as sa
from core.api import (Chart, Permission, RoleSpec, Series, Unit, Widget, chart_widget, db,
                      hookimpl, unit_ids_where)

tasks = sa.Table(
    "rep_dash_tasks", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer),
    sa.Column("due", sa.Date),
    sa.Column("done", sa.Boolean),
)


def _visible(unit):
    """Tasks of *unit*'s subtree that the user may see."""
    return (tasks.c.unit_id.in_(unit_ids_where("rep_dash.view"))
            & tasks.c.unit_id.in_(sa.select(Unit.id).where(Unit.is_within(unit))))


def _count(*where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(tasks).where(*where))


@hookimpl
def register_permissions():
    return [Permission("rep_dash.view", "View tasks")]


@hookimpl
def register_roles():
    return [RoleSpec("rep_dash.member", "Member", ("rep_dash.view",))]


@hookimpl
def dashboard_widgets(unit):
    def open_tasks():
        return f'<p class="display-6" data-count="open">{_count(_visible(unit), ~tasks.c.done)}</p>'

    def overdue():
        n = _count(_visible(unit), ~tasks.c.done, tasks.c.due < date.today())
        return f'<p class="display-6 text-danger" data-count="overdue">{n}</p>'

    def by_unit():
        rows = db.session.execute(
            sa.select(Unit.name, sa.func.count(tasks.c.id))
            .join(Unit, Unit.id == tasks.c.unit_id)
            .where(_visible(unit), ~tasks.c.done)
            .group_by(Unit.id, Unit.name).order_by(Unit.name)
        ).all()
        return Chart("bar", "Open tasks by unit", labels=[r[0] for r in rows],
                     series=[Series("Open", [r[1] for r in rows])])

    def python_error():
        raise ZeroDivisionError("widget divided by zero")

    def sql_error():
        db.session.execute(sa.text("SELECT 1 FROM rep_dash_no_such_table"))

    def after():
        return f'<p data-count="after">{_count(_visible(unit))}</p>'

    return [
        Widget("open", "Open tasks", open_tasks, "rep_dash.view", order=101),
        Widget("overdue", "Overdue tasks", overdue, "rep_dash.view", order=102),
        chart_widget("chart", "Tasks by unit", by_unit, "rep_dash.view", order=103),
        Widget("python", "Python error", python_error, "rep_dash.view", order=104),
        Widget("sql", "SQL error", sql_error, "rep_dash.view", order=105),
        Widget("after", "All tasks", after, "rep_dash.view", order=106),
    ]
'''


@pytest.fixture
def office(make_plugin, make_app):
    make_plugin("rep_dash", PLUGIN, migrations={"0001_tasks.py": MIGRATION})
    app = make_app()
    with app.app_context():
        from danwei_rep_dash import tasks

        from core import units
        from core.extensions import db

        db.session.execute(tasks.delete())
        company = units.create_unit("co", "Property company", "company")
        east = units.create_unit("east", "East estate", "department", company)
        west = units.create_unit("west", "West estate", "department", company)
        units.set_plugin_state("rep_dash", company, True)
        db.session.commit()
        yield SimpleNamespace(app=app, db=db, tasks=tasks, company=company, east=east, west=west)
        db.session.execute(tasks.delete())
        db.session.commit()


def member(office, username, unit, role_in=None):
    from core import roles, users

    user = users.create_user(username, username.title(), PASSWORD, unit)
    for where in role_in or ():
        roles.assign(user, "rep_dash.member", where)
    office.db.session.commit()
    client = office.app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}
                       ).status_code == 302
    return client


def tasks(office, unit, *due_done):
    office.db.session.execute(office.tasks.insert(), [
        {"unit_id": unit.id, "due": due, "done": done} for due, done in due_done
    ])
    office.db.session.commit()


def count(html: str, name: str) -> int:
    return int(re.search(rf'data-count="{name}">(\d+)<', html).group(1))


def card(html: str, widget_id: str) -> str:
    return html.split(f'data-widget="{widget_id}"', 1)[1].split("</section>", 1)[0]


YESTERDAY = date.today() - timedelta(days=1)
NEXT_WEEK = date.today() + timedelta(days=7)


def test_hook_dashboard_widgets(office):
    tasks(office, office.east, (YESTERDAY, False), (NEXT_WEEK, False), (YESTERDAY, True))
    tasks(office, office.west, (NEXT_WEEK, False))
    manager = member(office, "manager", office.company, role_in=[office.company])
    home = manager.get("/")
    assert home.status_code == 200
    assert count(home.text, "open") == 3
    assert count(home.text, "overdue") == 1
    # Widgets come in their declared order.
    order = [m for m in re.findall(r'data-widget="([\w-]+)"', home.text)]
    assert order == ["open", "overdue", "chart", "python", "sql", "after"]


def test_widgets_cover_the_current_unit_only(office):
    tasks(office, office.east, (YESTERDAY, False))
    tasks(office, office.west, (NEXT_WEEK, False), (NEXT_WEEK, False))
    from core import roles, users

    # Works in both estates; the switcher chooses which one the home page shows.
    both = users.create_user("both", "Both", PASSWORD, office.east)
    roles.assign(both, "rep_dash.member", office.east)
    roles.assign(both, "rep_dash.member", office.west)
    office.db.session.commit()
    client = office.app.test_client()
    client.post("/login", data={"username": "both", "password": PASSWORD})
    assert count(client.get("/").text, "open") == 1
    client.post("/unit", data={"unit_id": office.west.id})
    west = client.get("/").text
    assert count(west, "open") == 2 and count(west, "overdue") == 0

    # A member of the east estate holding no role sees no task widget.
    bystander = member(office, "bystander", office.east)
    assert 'data-widget="open"' not in bystander.get("/").text


def test_chart_widget_is_a_data_block(office):
    tasks(office, office.east, (NEXT_WEEK, False))
    tasks(office, office.west, (NEXT_WEEK, False), (NEXT_WEEK, False))
    manager = member(office, "manager_c", office.company, role_in=[office.company])
    home = manager.get("/")
    chart = card(home.text, "chart")
    element = re.search(r'<canvas data-chart="([\w-]+)"', chart).group(1)
    config = json.loads(re.search(
        rf'<script type="application/json" id="{element}">(.*?)</script>', chart, re.S
    ).group(1))
    assert config["type"] == "bar"
    assert config["data"]["labels"] == ["East estate", "West estate"]
    assert config["data"]["datasets"][0]["data"] == [1, 2]
    scripts = re.findall(r'<script src="([^"]+)"', home.text)
    assert any("chart.umd.min.js" in s for s in scripts)
    assert any(s.endswith("/charts.js") for s in scripts)


def test_failing_widgets_are_isolated(office):
    tasks(office, office.east, (NEXT_WEEK, False), (NEXT_WEEK, True))
    manager = member(office, "manager_f", office.company, role_in=[office.company])
    home = manager.get("/")
    assert home.status_code == 200
    message = "This card could not be shown."
    assert message in card(home.text, "python")
    assert message in card(home.text, "sql")
    # The card after the failed query still queries (a PostgreSQL transaction aborted by the
    # failed statement was rolled back).
    assert count(home.text, "after") == 2
    assert count(home.text, "open") == 1
    failures = {e.where for e in office.app.extensions["danwei"].errors_of("rep_dash")}
    assert failures == {"widget python", "widget sql"}


def test_no_widgets_where_the_plugin_is_disabled(office):
    from core import units

    units.set_plugin_state("rep_dash", office.west, False)
    office.db.session.commit()
    west = member(office, "west_member", office.west, role_in=[office.west])
    home = west.get("/")
    assert 'data-widget="' not in home.text
    assert "Nothing to show here yet." in home.text
    assert "chart.umd.min.js" not in home.text  # no charts, no chart library
