"""The ``danwei`` command: database, administrators, plugins, demo data, the server."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import create_app, roles, schema, units, users
from .extensions import db
from .models import Unit
from .plugins import CORE, plugin_host
from .plugins.enablement import set_plugin_state
from .plugins.purge import purge_plugin_data


class DanweiGroup(FlaskGroup):
    """Flask's CLI without third-party ``flask.commands`` (ours define ``db`` themselves)."""

    def _load_plugin_commands(self) -> None:
        self._loaded_plugin_commands = True


@click.group(cls=DanweiGroup, create_app=create_app, add_version_option=False)
def main():
    """Danwei (单位) intranet."""


# -- database -----------------------------------------------------------------------------------


@main.group("db")
def db_group():
    """Migrate the database (core, then every installed plugin)."""


@db_group.command("upgrade")
@click.option("--plugin", "only", help="Only this plugin (or 'core').")
@click.argument("target", default="head")
@with_appcontext
def db_upgrade(target, only):
    """Upgrade core and every plugin to TARGET (default: head)."""
    from . import secretbox

    for name in schema.upgrade(target, only):
        click.echo(f"upgraded {name}")
    roles.sync_declared_roles(plugin_host())
    sealed = secretbox.seal_plain_values()
    if sealed:
        click.echo(f"sealed {sealed} stored secrets with DANWEI_SECRETS_KEY")
    db.session.commit()


@db_group.command("downgrade")
@click.option("--plugin", "only", help="Only this plugin (or 'core').")
@click.argument("target", default="base")
@with_appcontext
def db_downgrade(target, only):
    """Downgrade every plugin, then core, to TARGET (default: base, i.e. drop everything)."""
    for name in schema.downgrade(target, only):
        click.echo(f"downgraded {name}")


@db_group.command("status")
@with_appcontext
def db_status():
    """Show the current and head revision of core and each plugin."""
    for name, current, head in schema.status():
        mark = "ok" if current == head else "needs upgrade"
        click.echo(f"{name:24} {current or '-':14} {head or '-':14} {mark}")


@db_group.command("revision")
@click.option("--plugin", "name", required=True, help="The plugin whose revision it is.")
@click.option("--autogenerate", is_flag=True,
              help="Write the operations from its models' difference with the database.")
@click.option("-m", "--message", required=True, help="What the revision does.")
@with_appcontext
def db_revision(name, autogenerate, message):
    """Write plugin NAME's next migration into its own migrations folder (its tables only)."""
    try:
        path = schema.revision(name, message, autogenerate=autogenerate)
    except LookupError as exc:
        raise click.BadParameter(str(exc), param_hint="--plugin") from None
    click.echo(f"wrote {path}")


# -- background tasks ---------------------------------------------------------------------------


@main.group("tasks")
def tasks_group():
    """Run background tasks (exports, imports) queued by the web servers."""


@tasks_group.command("worker")
@click.option("--workers", default=2, show_default=True, help="Tasks run at once.")
@with_appcontext
def tasks_worker(workers):
    """Take tasks from the queue until stopped (SIGTERM finishes the running ones first)."""
    from .tasks import queue

    click.echo(f"task worker: {workers} at once, queue {current_app.config['TASKS_BACKEND']}")
    queue.work(current_app._get_current_object(), workers=workers)


# -- backup -----------------------------------------------------------------------------------


@main.command("backup")
@click.option("--to", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the archive (default: instance/backups).")
@with_appcontext
def backup_command(directory):
    """Write one archive: the database, the uploaded files and a manifest of checksums."""
    from .backup import BackupError, create_backup

    try:
        target = create_backup(directory or Path(current_app.instance_path) / "backups")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written to {target}")


@main.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive):
    """Restore ARCHIVE into this empty installation, then migrate it to this version."""
    from .backup import BackupError, restore_backup

    try:
        done = restore_backup(archive)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored the backup of {done.manifest['created_at']} "
               f"(Danwei {done.manifest['danwei']}): {done.files} files")
    for name in done.migrated:
        click.echo(f"upgraded {name}")


@main.group("secrets")
def secrets_group():
    """The key that seals stored passwords and webhook secrets."""


@secrets_group.command("new-key")
def secrets_new_key():
    """Print a new key for DANWEI_SECRETS_KEY."""
    from .secretbox import new_key

    click.echo(new_key())


# -- people ------------------------------------------------------------------------------------


@main.command("create-admin")
@click.argument("username")
@click.option("--name", default="系统管理员", help="Display name.")
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create_admin(username, name, password):
    """Create a system administrator (or make an existing user one)."""
    problem = users.password_problem(password, username)
    if problem:
        raise click.BadParameter(problem, param_hint="password")
    user = users.find_by_username(username)
    if user is None:
        user = users.create_user(username, name, password, is_superuser=True)
    else:
        user.is_superuser = True
        users.set_password(user, password)
    db.session.commit()
    click.echo(f"administrator {user.username} ready")


# -- plugins -----------------------------------------------------------------------------------


@main.group("plugins")
def plugins_group():
    """List plugins and enable or disable them for units."""


@plugins_group.command("list")
@with_appcontext
def plugins_list():
    """Name, version, contract range, state per unit and errors of every installed plugin.

    Exits with status 1 when a plugin failed (to import, to install, or in a hook), so that a
    deployment script or CI notices.
    """
    from sqlalchemy import select

    from .hookspecs import CONTRACT_VERSION
    from .models import PluginState

    host = plugin_host()
    states = db.session.execute(
        select(PluginState.plugin, PluginState.enabled, PluginState.unit_id)
    ).all() if _has_tables() else []
    codes = {u.id: u.code for u in db.session.scalars(select(Unit))} if states else {}
    click.echo(f"hook contract {CONTRACT_VERSION}")
    if not host.plugins:
        click.echo("no plugins installed")
    for name, info in host.plugins.items():
        where = ", ".join(
            sorted(
                f"{codes.get(unit_id, unit_id)}:{'on' if on else 'off'}"
                for plugin, on, unit_id in states if plugin == name
            )
        )
        status = "loaded" if info.loaded else "FAILED"
        click.echo(
            f"{name:20} {info.version:10} contract {info.contract or '-':14} {status:7} "
            f"units [{where or 'none'}]"
        )
        if info.declared_label is not None:
            click.echo(f"    label: {info.label}")
        for error in host.errors_of(name):
            click.echo(f"    error in {error.where}: {error.message}{_times(error)}")
    for error in host.errors_of(CORE):
        click.echo(f"core error in {error.where}: {error.message}{_times(error)}")
    if host.errors or any(not i.loaded for i in host.plugins.values()):
        sys.exit(1)


def _times(error) -> str:
    return f" ({error.count} times)" if error.count > 1 else ""


def _has_tables() -> bool:
    from sqlalchemy import inspect

    return inspect(db.engine).has_table("plugin_states")


def _set_state(name: str, code: str, enabled: bool) -> None:
    unit = units.by_code(code)
    if unit is None:
        raise click.BadParameter(f"no unit with code {code!r}", param_hint="--unit")
    if name not in plugin_host().loaded:
        raise click.BadParameter(f"plugin {name!r} is not installed or failed to load")
    try:
        set_plugin_state(name, unit, enabled)
    except Exception as exc:  # noqa: BLE001 - the plugin's on_unit_* hook refused the change
        db.session.rollback()
        raise click.ClickException(f"{name} refused the change, nothing was kept: {exc}") from exc
    db.session.commit()
    click.echo(f"{name} {'enabled' if enabled else 'disabled'} for {unit.code} ({unit.name})")


@plugins_group.command("enable")
@click.argument("name")
@click.option("--unit", "code", required=True, help="Unit code; its subtree is included.")
@with_appcontext
def plugins_enable(name, code):
    """Enable plugin NAME for a unit and its subtree."""
    _set_state(name, code, True)


@plugins_group.command("disable")
@click.argument("name")
@click.option("--unit", "code", required=True, help="Unit code; its subtree is included.")
@with_appcontext
def plugins_disable(name, code):
    """Disable plugin NAME for a unit and its subtree (its data is kept)."""
    _set_state(name, code, False)


@plugins_group.command("purge")
@click.argument("name")
@click.option("--unit", "code", required=True, help="Unit code; its subtree is included.")
@click.option("--to", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the export (default: instance/exports).")
@click.confirmation_option(prompt="Export, then delete this plugin's data for the unit's "
                                  "subtree?")
@with_appcontext
def plugins_purge(name, code, directory):
    """Export plugin NAME's data for a unit's subtree to JSON, then delete it (audited)."""
    unit = units.by_code(code)
    if unit is None:
        raise click.BadParameter(f"no unit with code {code!r}", param_hint="--unit")
    if name not in plugin_host().loaded:
        raise click.BadParameter(f"plugin {name!r} is not installed or failed to load")
    directory = directory or Path(current_app.instance_path) / "exports"
    try:
        target = purge_plugin_data(name, unit, directory)
    except Exception as exc:  # noqa: BLE001 - nothing is committed; say why
        db.session.rollback()
        raise click.ClickException(f"purge of {name} failed, nothing was deleted: {exc}") from exc
    db.session.commit()
    click.echo(f"exported to {target}")
    click.echo(f"{name} data purged for {unit.code} ({unit.name})")


# -- plugin authors -----------------------------------------------------------------------------


@main.group("plugin")
def plugin_group():
    """Tools for plugin authors."""


@plugin_group.command("new")
@click.argument("name")
@click.option("--to", "target", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write (default: plugins/NAME).")
@click.option("--label", help="The plugin's name for people, in English (a msgid).")
@click.option("--label-zh", help="Its Chinese translation.")
def plugin_new(name, target, label, label_zh):
    """Write a complete, installable plugin NAME: packaging, hooks, model, migration,
    translations, templates, widget, report, demo data and tests."""
    from .scaffold import ScaffoldError, generate

    target = target or Path("plugins") / name
    try:
        generate(name, target, label=label, label_zh=label_zh)
    except ScaffoldError as exc:
        raise click.BadParameter(str(exc)) from None
    click.echo(f"plugin {name} written to {target}")
    click.echo(f"next: pip install -e {target} && danwei db upgrade && "
               f"danwei plugins enable {name} --unit <code> && pytest {target}/tests")


@main.command("messages")
@click.argument("name")
@with_appcontext
def messages(name):
    """Extract plugin NAME's strings, update its zh_CN catalogue and compile it."""
    from .authoring import untranslated, update_messages

    try:
        po = update_messages(name)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"updated and compiled {po}")
    for msgid in untranslated(name):
        click.echo(f"untranslated: {msgid}")


@plugins_group.command("check")
@click.argument("name")
@with_appcontext
def plugins_check(name):
    """Check plugin NAME: contract, declarations, view access, models against migrations,
    translations. Exits with status 1 on a problem."""
    from .authoring import check

    report = check(name)
    for problem in report.problems:
        click.echo(f"{name}: {problem}")
    if not report.ok:
        sys.exit(1)
    click.echo(f"{name}: ok")


# -- demo --------------------------------------------------------------------------------------


@main.command("demo")
@with_appcontext
def demo():
    """Load demo data from core and every installed plugin, and print the demo accounts."""
    from .demo import load_demo

    accounts = load_demo()
    host = plugin_host()
    click.echo(f"{'plugin':16} {'user':18} {'password':12} role @ unit")
    for plugin, account in accounts:
        click.echo(
            f"{plugin:16} {account.username:18} {account.password:12} "
            f"{account.role} @ {account.unit}"
        )
    for error in host.errors:
        click.echo(f"error: plugin {error.plugin} in {error.where}: {error.message}", err=True)


# -- jobs (core services) -----------------------------------------------------------------------


@main.group("jobs")
def jobs_group():
    """Run periodic jobs and deadlines (from cron, or as a long-running worker)."""


@jobs_group.command("list")
@with_appcontext
def jobs_list():
    """Every declared job and deadline, its schedule and its last run."""
    from . import jobs

    last = jobs.last_runs()
    registered = jobs.registered()
    if not registered:
        click.echo("no jobs declared")
    for job_id, runnable in sorted(registered.items()):
        run = last.get(job_id)
        seen = (f"{run.status} {run.slot} (tries {run.attempts})" if run else "never run")
        click.echo(f"{job_id:40} {runnable.describe:36} {seen}")


@jobs_group.command("run")
@click.option("--job", "only", help="Only this job id.")
@click.option("--force", is_flag=True, help="Run it now whatever its schedule (needs --job).")
@with_appcontext
def jobs_run(only, force):
    """Run what is due, once per slot however many runners start at once; exit 1 on failure.

    Safe to call from cron every minute: ``* * * * * danwei jobs run``.
    """
    from . import jobs

    if force and not only:
        raise click.UsageError("--force needs --job")
    try:
        outcomes = jobs.run_due(only=only, force=force)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="--job") from None
    for outcome in outcomes:
        if outcome.status != "skipped":
            click.echo(f"{outcome.status:7} {outcome.job_id} {outcome.slot}")
        if outcome.status == "failed":
            click.echo(outcome.error.strip().splitlines()[-1], err=True)
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


@jobs_group.command("worker")
@click.option("--interval", default=30, show_default=True, help="Seconds between rounds.")
@with_appcontext
def jobs_worker(interval):
    """Run due jobs every INTERVAL seconds until stopped (Ctrl-C, SIGTERM)."""
    import signal
    import threading

    from . import jobs

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: (stop.set(), jobs.WAKE.set()))
    click.echo(f"job worker {jobs.runner_name()}: every {interval}s; Ctrl-C stops it")
    try:
        jobs.work(current_app._get_current_object(), interval=interval, stop=stop)
    except KeyboardInterrupt:
        pass
