"""The ``danwei`` command as an administrator runs it, on a fresh database of the test's own.

Each command builds its application exactly as in production: ``create_app()`` reading the
``DANWEI_*`` environment variables (set here to a temporary instance folder and database).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import func, inspect, select, table

from core import create_app, units
from core.cli import main
from core.extensions import db
from core.hookspecs import CONTRACT_VERSION
from core.models import User

MIGRATION = '''
"""pl_cli: things

Revision ID: plc1
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "plc1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("pl_cli_things", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("pl_cli_things")
'''

SOUND = """
from core.api import MenuItem, hookimpl

@hookimpl
def menu_items():
    return [MenuItem("CLI thing", "home.index")]
"""


@pytest.fixture
def environment(fresh_database_url, tmp_path, monkeypatch):
    """The ``DANWEI_*`` variables of a throwaway installation."""
    variables = {
        "DANWEI_DATABASE_URL": fresh_database_url,
        "DANWEI_INSTANCE_PATH": str(tmp_path / "instance"),
        "DANWEI_SECRET_KEY": "cli-test",
        "DANWEI_DEFAULT_LOCALE": "en",
        "DANWEI_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "DANWEI_RUN_JOBS_IN_PROCESS": "false",
        # no background threads of the web process: they would outlive the test and its database
        "DANWEI_RUN_TASKS_IN_PROCESS": "false",
        "DANWEI_STRICT_PLUGINS": "false",
        "FLASK_RUN_FROM_CLI": "true",  # FlaskGroup sets it; let monkeypatch restore it
    }
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    return variables


@pytest.fixture
def apps(environment):
    """Every application the commands built, disposed of at the end."""
    made = []
    yield made
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def danwei(apps):
    """``danwei("db", "upgrade", input=None)`` → click's Result."""

    def build():
        app = create_app()
        apps.append(app)
        return app

    def run(*args, input=None):
        info = ScriptInfo(create_app=build, set_debug_flag=False)
        return CliRunner().invoke(main, [str(a) for a in args], obj=info, input=input)

    return run


@pytest.fixture
def installation(apps):
    """``with installation() as app:`` the same installation, to look at or prepare data."""

    class Context:
        def __enter__(self):
            self.app = create_app()
            apps.append(self.app)
            self.ctx = self.app.app_context()
            self.ctx.push()
            return self.app

        def __exit__(self, *exc):
            db.session.remove()
            self.ctx.pop()

    return Context


def status_lines(output: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split()[1:] for line in output.splitlines() if line.strip()}


def test_db_upgrade_and_status(danwei, make_plugin, installation):
    make_plugin("pl_cli", SOUND, migrations={"2026_11_23_plc1_things.py": MIGRATION})
    before = danwei("db", "status")
    assert before.exit_code == 0, before.output
    assert status_lines(before.output)["pl_cli"] == ["-", "plc1", "needs", "upgrade"]

    upgraded = danwei("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert "upgraded core" in upgraded.output and "upgraded pl_cli" in upgraded.output

    after = status_lines(danwei("db", "status").output)
    assert after["pl_cli"] == ["plc1", "plc1", "ok"]
    assert after["core"][0] == after["core"][1] and after["core"][2] == "ok"
    with installation():
        assert {"users", "pl_cli_things", "alembic_version_pl_cli"} <= set(
            inspect(db.engine).get_table_names()
        )

    down = danwei("db", "downgrade", "--plugin", "pl_cli")
    assert down.output.strip() == "downgraded pl_cli"
    assert status_lines(danwei("db", "status").output)["pl_cli"][0] == "-"
    assert status_lines(danwei("db", "status").output)["core"][-1] == "ok"
    assert danwei("db", "upgrade", "--plugin", "pl_cli").output.strip() == "upgraded pl_cli"


def test_create_admin_refuses_a_weak_password(danwei, installation):
    assert danwei("db", "upgrade").exit_code == 0
    short = danwei("create-admin", "boss", "--password", "abc1")
    assert short.exit_code == 2
    assert "Use at least 8 characters." in short.output
    letters = danwei("create-admin", "boss", "--password", "onlyletters")
    assert letters.exit_code == 2
    assert "Mix letters and digits." in letters.output
    with installation():
        assert db.session.scalar(select(User).where(User.username == "boss")) is None

    made = danwei("create-admin", "boss", input="good2026pass\ngood2026pass\n")  # prompted
    assert made.exit_code == 0, made.output
    assert "administrator boss ready" in made.output
    with installation() as app:
        assert db.session.scalar(select(User).where(User.username == "boss")).is_superuser
        client = app.test_client()
        form = client.get("/login").text  # CSRF is on, as in production
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)[1]
        response = client.post("/login", data={"username": "boss", "password": "good2026pass",
                                                "csrf_token": token})
        assert response.status_code == 302
        assert client.get("/admin/").status_code == 200


def test_plugins_list_shows_versions_contracts_states_and_errors(danwei, make_plugin,
                                                                 installation):
    make_plugin("pl_cli_ok", SOUND, version="1.2.3")
    make_plugin("pl_cli_old", contract=">=0.1,<1")
    assert danwei("db", "upgrade").exit_code == 0
    with installation():
        school = units.create_unit("s", "School", "school")
        units.create_unit("b", "Class B", "class", school)
        db.session.commit()
    assert danwei("plugins", "enable", "pl_cli_ok", "--unit", "s").exit_code == 0
    disabled = danwei("plugins", "disable", "pl_cli_ok", "--unit", "b")
    assert disabled.exit_code == 0
    assert disabled.output.strip() == "pl_cli_ok disabled for b (Class B)"

    listing = danwei("plugins", "list")
    assert listing.exit_code == 1  # a plugin failed
    lines = {line.split()[0]: line for line in listing.output.splitlines()}
    assert f"hook contract {CONTRACT_VERSION}" in listing.output
    assert lines["pl_cli_ok"].split() == [
        "pl_cli_ok", "1.2.3", "contract", ">=1.0,<2", "loaded", "units", "[b:off,", "s:on]"]
    assert lines["pl_cli_old"].split()[:5] == ["pl_cli_old", "0.1", "contract", ">=0.1,<1",
                                               "FAILED"]
    assert (f"error in contract: supports hook contract >=0.1,<1 but this core provides "
            f"{CONTRACT_VERSION}") in listing.output


def test_plugins_list_exits_0_when_every_plugin_loads(danwei, make_plugin):
    make_plugin("pl_cli_fine", SOUND)
    listing = danwei("plugins", "list")  # works before the database is migrated too
    assert "pl_cli_fine" in listing.output
    assert listing.exit_code == 0, listing.output


def test_enable_and_disable_say_what_is_wrong(danwei, make_plugin, installation):
    make_plugin("pl_cli_on", SOUND)
    make_plugin("pl_cli_broken", "raise RuntimeError('broken on purpose')\n")
    assert danwei("db", "upgrade").exit_code == 0
    with installation():
        units.create_unit("s", "School", "school")
        db.session.commit()

    for verb in ("enable", "disable"):
        nowhere = danwei("plugins", verb, "pl_cli_on", "--unit", "nowhere")
        assert nowhere.exit_code == 2
        assert "no unit with code 'nowhere'" in nowhere.output
        unknown = danwei("plugins", verb, "pl_cli_nope", "--unit", "s")
        assert unknown.exit_code == 2
        assert "plugin 'pl_cli_nope' is not installed or failed to load" in unknown.output
        broken = danwei("plugins", verb, "pl_cli_broken", "--unit", "s")
        assert broken.exit_code == 2
        assert "plugin 'pl_cli_broken' is not installed or failed to load" in broken.output

    enabled = danwei("plugins", "enable", "pl_cli_on", "--unit", "s")
    assert enabled.exit_code == 0
    assert enabled.output.strip() == "pl_cli_on enabled for s (School)"
    listing = danwei("plugins", "list").output
    assert "error in import: RuntimeError: broken on purpose" in listing
    assert "units [s:on]" in listing


def row_counts() -> dict[str, int]:
    names = inspect(db.engine).get_table_names()
    return {name: db.session.scalar(select(func.count()).select_from(table(name)))
            for name in names}


def test_demo_is_idempotent(danwei, installation):
    assert danwei("db", "upgrade").exit_code == 0
    first = danwei("demo")
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and "danwei2026" in first.output
    with installation():
        counts = row_counts()
        assert counts["users"] >= 2 and counts["units"] >= 1
    second = danwei("demo")
    assert second.exit_code == 0, second.output
    with installation():
        assert row_counts() == counts, "running `danwei demo` twice added rows"


def test_the_installed_console_script(environment):
    script = Path(sys.executable).with_name("danwei")
    run = subprocess.run([str(script), "db", "status"], capture_output=True, text=True,
                         timeout=120, env={**os.environ, **environment})
    assert run.returncode == 0, run.stderr
    assert status_lines(run.stdout)["core"][-2:] == ["needs", "upgrade"]
