"""Migrations go up, down and up again, for core and for every plugin, each on its own version
table, on a fresh database of the test's own (never the shared session database).

Plugins are found through their entry points when the tests are collected, so a bundled
plugin added later is covered without editing this file.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from core import create_app, schema
from core.extensions import db
from core.plugins import CORE, ENTRY_POINT_GROUP
from core.testing import base_config

INSTALLED = sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))


@pytest.fixture
def fresh_app(fresh_database_url, tmp_path):
    """An application on an empty database of its own, context pushed, nothing migrated."""
    app = create_app(base_config(fresh_database_url, tmp_path))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def versions(name: str) -> list[str]:
    table = schema.version_table(name)
    if table not in tables():
        return []
    with db.engine.connect() as conn:
        return list(conn.execute(text(f"SELECT version_num FROM {table}")).scalars())


def head(name: str) -> str | None:
    folder = dict(schema.migration_sources()).get(name)
    return ScriptDirectory(str(folder)).get_current_head() if folder else None


def columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns(table)}


#: PostgreSQL refuses longer identifiers (SQLite does not care, so check on both).
MAX_IDENTIFIER = 63


def long_names(names: set[str]) -> list[str]:
    """Names of the tables *names* and of their indexes and constraints that are too long."""
    inspector = inspect(db.engine)
    found = set(names)
    for name in names:
        found |= {i["name"] for i in inspector.get_indexes(name)}
        found |= {c["name"] for c in inspector.get_unique_constraints(name)}
        found |= {c["name"] for c in inspector.get_foreign_keys(name)}
        found.add(inspector.get_pk_constraint(name).get("name"))
    return sorted(n for n in found if n and len(n) > MAX_IDENTIFIER)


def core_tables() -> set[str]:
    """Tables of core's models: not mapped by a plugin's class, not named after a plugin."""
    plugin_prefixes = tuple(f"{name}_" for name in INSTALLED) + ("pl_",)
    foreign = {
        mapper.local_table.name for mapper in db.Model.registry.mappers
        if not mapper.class_.__module__.split(".")[0] == "core"
    }
    return {
        name for name in db.metadata.tables
        if name not in foreign and not name.startswith(plugin_prefixes)
    }


# -- core --------------------------------------------------------------------------------------


def test_core_upgrade_downgrade_upgrade(fresh_app):
    assert tables() == set()
    assert schema.upgrade(only=CORE) == [CORE]
    migrated = tables()
    assert core_tables() <= migrated, "core models without a migration"
    assert long_names(migrated) == []
    assert versions(CORE) == [head(CORE)]

    assert schema.downgrade(only=CORE) == [CORE]
    assert tables() <= {"alembic_version"}, "downgrade left core tables behind"
    assert versions(CORE) == []

    schema.upgrade(only=CORE)
    assert tables() == migrated
    assert versions(CORE) == [head(CORE)]


def test_core_models_match_the_migrated_schema(fresh_app):
    schema.upgrade(only=CORE)
    ours = core_tables()

    def include(obj, name, type_, reflected, compare_to):
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        if table is None or table.startswith("alembic_version"):
            return False
        return reflected or table in ours

    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "core's models and migrations differ:\n" + "\n".join(
        map(repr, differences)
    )


# -- every installed plugin -------------------------------------------------------------------


@pytest.mark.parametrize("plugin", INSTALLED or [pytest.param(None, marks=pytest.mark.skip(
    reason="no bundled plugin installed; the throwaway plugin below still runs"))])
def test_installed_plugin_upgrade_downgrade_upgrade(fresh_app, plugin):
    host = fresh_app.extensions["danwei"]
    assert plugin in host.loaded, f"{plugin} failed to load: {host.errors_of(plugin)}"
    schema.upgrade(only=CORE)
    before = tables()
    if host.plugins[plugin].migrations_dir is None:
        assert schema.upgrade(only=plugin) == []
        assert tables() == before, f"{plugin} ships no migrations but created tables"
        return
    assert schema.upgrade(only=plugin) == [plugin]
    created = tables() - before
    own = schema.version_table(plugin)
    assert own in created
    assert created - {own}, f"{plugin}'s migrations create no table"
    assert all(t.startswith(f"{plugin}_") for t in created - {own}), (
        f"{plugin}'s tables must be named {plugin}_*: {sorted(created)}"
    )
    assert long_names(created) == [], f"names longer than {MAX_IDENTIFIER} characters"
    assert versions(plugin) == [head(plugin)]
    assert versions(CORE) == [head(CORE)], "a plugin's revision landed in core's version table"

    assert schema.downgrade(only=plugin) == [plugin]
    assert tables() == before | {own}, f"{plugin}'s downgrade is not the exact reverse"
    assert versions(plugin) == []
    assert versions(CORE) == [head(CORE)]

    schema.upgrade(only=plugin)
    assert tables() == before | created
    assert versions(plugin) == [head(plugin)]


def test_everything_up_down_up(fresh_app):
    """``danwei db upgrade`` then a full downgrade: plugins first, then core, nothing left."""
    done = schema.upgrade()
    assert done[0] == CORE
    full = tables()
    schema.downgrade()
    leftover = tables() - {schema.version_table(name) for name in done}
    assert leftover == set(), f"tables left after downgrading everything: {sorted(leftover)}"
    schema.upgrade()
    assert tables() == full


# -- a throwaway plugin with two migrations ------------------------------------------------------

FIRST = '''
"""pl_mig: boxes

Revision ID: pm01
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "pm01"
down_revision = None
branch_labels = None
depends_on = None

#: Frozen here rather than imported from the plugin's models.
KINDS = ("small", "large")


def upgrade():
    op.create_table(
        "pl_mig_boxes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", name="fk_pl_mig_boxes_unit_id_units"),
                  nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_index("ix_pl_mig_boxes_unit_id", "pl_mig_boxes", ["unit_id"])


def downgrade():
    op.drop_index("ix_pl_mig_boxes_unit_id", table_name="pl_mig_boxes")
    op.drop_table("pl_mig_boxes")
'''

SECOND = '''
"""pl_mig: labels on boxes, and a log

Revision ID: pm02
Revises: pm01
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "pm02"
down_revision = "pm01"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pl_mig_boxes") as batch:
        batch.add_column(sa.Column("label", sa.String(100), nullable=False, server_default=""))
    op.create_table("pl_mig_log", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("pl_mig_log")
    with op.batch_alter_table("pl_mig_boxes") as batch:
        batch.drop_column("label")
'''


def test_throwaway_plugin_migrations_with_their_own_version_table(make_plugin, fresh_app_factory):
    make_plugin("pl_mig", migrations={
        "2026_11_23_pm01_boxes.py": FIRST,
        "2026_11_24_pm02_labels.py": SECOND,
    })
    app = fresh_app_factory()
    assert "pl_mig" in app.extensions["danwei"].loaded
    done = schema.upgrade()
    assert done == [CORE, *[n for n in app.extensions["danwei"].loaded
                            if app.extensions["danwei"].plugins[n].migrations_dir]]
    assert {"pl_mig_boxes", "pl_mig_log", "alembic_version_pl_mig"} <= tables()
    assert columns("pl_mig_boxes") == {"id", "unit_id", "kind", "label"}
    assert versions("pl_mig") == ["pm02"]
    assert "pm02" not in versions(CORE) and versions(CORE) == [head(CORE)]

    schema.downgrade("pm01", only="pl_mig")
    assert "pl_mig_log" not in tables()
    assert columns("pl_mig_boxes") == {"id", "unit_id", "kind"}
    assert versions("pl_mig") == ["pm01"]

    schema.downgrade(only="pl_mig")
    assert not {t for t in tables() if t.startswith("pl_mig_")}
    assert versions("pl_mig") == [] and versions(CORE) == [head(CORE)]

    schema.upgrade(only="pl_mig")
    assert columns("pl_mig_boxes") == {"id", "unit_id", "kind", "label"}
    assert versions("pl_mig") == ["pm02"]
    statuses = {name: (current, latest) for name, current, latest in schema.status()}
    assert statuses["pl_mig"] == ("pm02", "pm02")


@pytest.fixture
def fresh_app_factory(fresh_database_url, tmp_path):
    """Like ``fresh_app``, but built when the test asks (after ``make_plugin``)."""
    made = []

    def make():
        app = create_app(base_config(fresh_database_url, tmp_path))
        ctx = app.app_context()
        ctx.push()
        made.append(ctx)
        return app

    yield make
    for ctx in reversed(made):
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
