"""Schema migrations for core and every installed plugin, each with its own version table.

Core's scripts live in the top-level ``migrations/`` folder (Flask-Migrate layout, so
``flask db revision`` works for core); a plugin's live in ``<package>/migrations``. Every
``env.py`` simply calls :func:`run_env`, which takes the connection and the version table from
the Alembic config that :func:`_config` built.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .extensions import db
from .paths import MIGRATIONS as CORE_MIGRATIONS
from .plugins import CORE, plugin_host


def version_table(name: str) -> str:
    return "alembic_version" if name == CORE else f"alembic_version_{name}"


def migration_sources() -> list[tuple[str, Path]]:
    """``(name, folder)`` for core, then every loaded plugin that ships migrations."""
    host = plugin_host()
    sources = [(CORE, CORE_MIGRATIONS)]
    for name in host.loaded:
        folder = host.plugins[name].migrations_dir
        if folder is not None:
            sources.append((name, folder))
    return sources


def _config(name: str, folder: Path, connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(folder))
    # Dated file names, as the migration rules in docs/guide.md ask.
    cfg.set_main_option("file_template",
                        "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    cfg.attributes["connection"] = connection
    cfg.attributes["version_table"] = version_table(name)
    if name != CORE:
        cfg.attributes["include_object"] = owned_by(name)
    return cfg


def owned_by(name: str):
    """An Alembic ``include_object`` keeping only plugin *name*'s tables (prefixed
    ``<name>_``), so that autogenerate and comparisons ignore core's and the other plugins'."""
    prefix = f"{name}_"

    def include(obj, object_name, type_, reflected, compare_to):
        table = obj if type_ == "table" else getattr(obj, "table", None)
        table_name = getattr(table, "name", object_name) or ""
        return table_name.startswith(prefix)

    return include


def compare(name: str) -> list:
    """Differences between plugin *name*'s models and its tables in the (migrated) database,
    as Alembic's ``compare_metadata`` lists them: empty when the migrations match the models."""
    from alembic.autogenerate import compare_metadata

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": owned_by(name), "version_table": version_table(name),
            "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def revision(name: str, message: str, autogenerate: bool = True) -> Path:
    """Write plugin *name*'s next revision (id ``<prefix>NN``); with *autogenerate*, from the
    difference between its models and the database, which must be at its head."""
    folder = dict(migration_sources()).get(name)
    if folder is None or name == CORE:
        raise LookupError(f"{name!r} is not a loaded plugin with a migrations folder")
    scripts = ScriptDirectory(str(folder))
    number = len(list(scripts.walk_revisions())) + 1
    rev_id = f"{name.replace('_', '')[:4]}{number:02d}"
    with db.engine.begin() as connection:
        script = command.revision(_config(name, folder, connection), message=message,
                                  autogenerate=autogenerate, rev_id=rev_id)
    return Path(script.path)


def upgrade(target: str = "head", only: str | None = None) -> list[str]:
    """Upgrade core, then each plugin, to *target*; returns what was migrated."""
    done = []
    for name, folder in migration_sources():
        if only and name != only:
            continue
        with db.engine.begin() as connection:
            command.upgrade(_config(name, folder, connection), target)
        done.append(name)
    return done


def downgrade(target: str = "base", only: str | None = None) -> list[str]:
    """Downgrade plugins (in reverse order), then core, to *target*."""
    done = []
    for name, folder in reversed(migration_sources()):
        if only and name != only:
            continue
        with db.engine.begin() as connection:
            command.downgrade(_config(name, folder, connection), target)
        done.append(name)
    return done


def status() -> list[tuple[str, str | None, str | None]]:
    """``(name, current revision, head revision)`` for core and each plugin."""
    rows = []
    for name, folder in migration_sources():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"version_table": version_table(name)}
            )
            current = context.get_current_revision()
        head = ScriptDirectory(str(folder)).get_current_head()
        rows.append((name, current, head))
    return rows


def run_env() -> None:
    """Body of every ``env.py``: run the migrations online on the given connection."""
    from alembic import context

    connection = context.config.attributes.get("connection")
    table = context.config.attributes.get("version_table", "alembic_version")
    if connection is None:  # invoked by Flask-Migrate's ``flask db ...`` for core
        with db.engine.begin() as connection:
            _run(context, connection, table)
    else:
        _run(context, connection, table)


def _run(context, connection, table: str) -> None:
    context.configure(
        connection=connection,
        target_metadata=db.metadata,
        version_table=table,
        render_as_batch=True,  # SQLite needs batch mode to alter tables
        include_object=context.config.attributes.get("include_object"),
    )
    with context.begin_transaction():
        context.run_migrations()
