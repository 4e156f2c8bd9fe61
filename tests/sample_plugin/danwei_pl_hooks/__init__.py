"""Notes per unit: a plugin that uses every hook, for the tests (``tests/test_plugins.py``).

A plugin as its author writes it, folder and all: ``migrations/`` and ``templates/`` sit beside
this file. The ``make_plugin`` fixture installs a copy for one test
(``make_plugin("pl_hooks", folder=...)``), so the hooks it implements are found through the
``danwei.plugins`` entry point exactly as after a ``pip install``.
"""

import click
import sqlalchemy as sa
from flask import Blueprint, render_template

from core.api import (
    DemoAccount,
    MenuItem,
    Permission,
    RoleSpec,
    SettingSpec,
    Unit,
    Widget,
    current_unit,
    db,
    get_setting,
    hookimpl,
    permission_required,
    unit_ids_where,
)

#: Written against contract 1.0 (so no 1.1 addition such as ``Unit.is_within`` in SQL): it
#: shows that a 1.0 plugin keeps installing.
DANWEI_CONTRACT = ">=1.0,<2"

#: The plugin's table; its frozen twin is created by the migration.
notes = sa.Table(
    "pl_hooks_notes", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer, nullable=False),
    sa.Column("text", sa.String(200), nullable=False),
)
#: Domain events this process saw, shown at /pl_hooks/events.
EVENTS = []

bp = Blueprint("pl_hooks", __name__, template_folder="templates")


@bp.route("/")
@permission_required("pl_hooks.view")
def index():
    """The greeting setting as the current unit sees it."""
    unit = current_unit()
    return render_template("pl_hooks/index.html", unit=unit,
                           greeting=get_setting("pl_hooks", "greeting", unit))


@bp.route("/notes")
@permission_required("pl_hooks.view")
def list_notes():
    """Notes of the units where the user may see them, filtered in SQL."""
    rows = db.session.execute(
        sa.select(Unit.code, notes.c.text)
        .join(Unit, Unit.id == notes.c.unit_id)
        .where(notes.c.unit_id.in_(unit_ids_where("pl_hooks.view")))
        .order_by(notes.c.id)
    )
    return "\n".join(f"{code}:{text}" for code, text in rows)


@bp.route("/events")
@permission_required("pl_hooks.view")
def events():
    """Domain events seen so far."""
    return "\n".join(EVENTS)


def in_subtree(unit):
    return notes.c.unit_id.in_(sa.select(Unit.id).where(Unit.path.like(unit.path + "%")))


def add_note(unit, text):
    db.session.execute(notes.insert().values(unit_id=unit.id, text=text))


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_permissions():
    return [Permission("pl_hooks.view", "See the notes"),
            Permission("pl_hooks.secret", "See the secret card")]


@hookimpl
def register_roles():
    return [RoleSpec("pl_hooks.reader", "Notes reader", ("pl_hooks.view",)),
            RoleSpec("pl_hooks.keeper", "Notes keeper", ("pl_hooks.view", "pl_hooks.secret"))]


@hookimpl
def register_settings():
    return [SettingSpec("greeting", "Greeting", default="hello")]


@hookimpl
def register_commands():
    @click.command("count-notes")
    def count_notes():
        """Print how many notes are stored."""
        count = db.session.scalar(sa.select(sa.func.count()).select_from(notes))
        click.echo(f"{count} notes")

    return [count_notes]


@hookimpl
def menu_items(unit):
    return [MenuItem("Hook notes", "pl_hooks.list_notes", "pl_hooks.view", order=150),
            MenuItem(f"Hooks in {unit.code}", "pl_hooks.index", order=151)]


@hookimpl
def dashboard_widgets(user):
    return [Widget("greeting", "Hook greeting", lambda: f"Hello, {user.username}!"),
            Widget("secret", "Hook secret", lambda: "the secret", permission="pl_hooks.secret")]


@hookimpl
def on_unit_enable(unit):
    if unit.kind == "archive":
        raise ValueError("archived units take no notes")
    add_note(unit, "enabled")


@hookimpl
def on_unit_disable(unit):
    add_note(unit, "disabled")


@hookimpl
def unit_data_export(unit):
    rows = db.session.execute(sa.select(notes).where(in_subtree(unit)).order_by(notes.c.id))
    return {"pl_hooks_notes": [dict(row._mapping) for row in rows]}


@hookimpl
def on_unit_purge(unit):
    db.session.execute(notes.delete().where(in_subtree(unit)))


@hookimpl
def on_domain_event(event):
    EVENTS.append(f"{event.action} {event.summary}")


@hookimpl
def demo_data(demo):
    school = demo.unit("pl_hooks_demo", "Hooks demo school", "school")
    demo.enable("pl_hooks", school)
    demo.user("hookdemo", "Hook demo", school, roles_in=(("pl_hooks.reader", school),))
    return [DemoAccount("hookdemo", demo.password, "Notes reader", school.name)]
