"""Pytest fixtures for core and plugin tests, installed as the ``danwei`` pytest plugin.

The database comes from ``DANWEI_TEST_DATABASE_URL`` (default: a SQLite file in a temporary
folder). For PostgreSQL a fresh database is created for the session and dropped at the end.
The schema is built by running the real migrations once; every test starts from empty tables.

Fixtures: ``app``, ``client``, ``db``, ``runner``, ``cli``, ``make_app``, ``create_unit``,
``unit_tree``, ``create_user``, ``enable_plugin``, ``login``, ``login_as``, ``as_user``,
``run_jobs``, ``set_calendar_day``, ``notifications_of``, ``load_demo``, ``make_plugin``,
``fresh_database_url``; and the function :func:`queries_of`. Mark a test with
``@pytest.mark.danwei_config(KEY=value)`` to change the app's configuration.

A plugin's tests use these and :mod:`core.api`, nothing else of core (a test of the core suite
checks the bundled plugins), so they keep working when core's insides move.

The real-browser fixtures (``live_server``, ``browser``, ``page``, ``phone``,
``console_errors``, ``log_in``; marker ``browser``) are in :mod:`core.testing_browser`, loaded
with this plugin.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import invalidate_caches
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

TEST_PASSWORD = "secret123"

#: The browser kit, part of this pytest plugin (it imports Playwright only when used).
pytest_plugins = ["core.testing_browser"]


def pytest_configure(config):
    config.addinivalue_line("markers", "danwei_config(**kw): configuration for the app fixture")


# -- database ---------------------------------------------------------------------------------


@contextmanager
def scratch_database(folder: Path, prefix: str) -> Iterator[str]:
    """A new empty database: a SQLite file in *folder*, or — when ``DANWEI_TEST_DATABASE_URL``
    names a PostgreSQL server — a database created now and dropped afterwards."""
    base = os.environ.get("DANWEI_TEST_DATABASE_URL", "sqlite")
    if base == "sqlite":
        yield f"sqlite:///{folder / f'{prefix}.sqlite'}"
        return
    url = make_url(base)
    name = f"danwei_{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """The database of this test session: SQLite by default, PostgreSQL when asked for."""
    with scratch_database(tmp_path_factory.mktemp("db"), "test") as url:
        yield url


@pytest.fixture
def fresh_database_url(tmp_path) -> Iterator[str]:
    """An empty database of this test's own, for tests of migrations and the command line."""
    with scratch_database(tmp_path, "fresh") as url:
        yield url


def base_config(database_url: str, tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        # Tests read English text; tests of the Chinese interface ask for zh_CN explicitly.
        "DEFAULT_LOCALE": "en",
        "SECRET_KEY": "test",
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "STRICT_PLUGINS": False,
        "RUN_JOBS_IN_PROCESS": False,
        # tasks run at once, in the request that starts them; tests of the worker ask for sqlite
        "TASKS_BACKEND": "immediate",
        "RUN_TASKS_IN_PROCESS": False,
    }


_migrated: set[tuple[str, tuple[str, ...]]] = set()


def prepare_database(app) -> None:
    """Migrate (once per set of plugins), then empty every table and re-declare roles."""
    from . import roles, schema
    from .extensions import db
    from .plugins import plugin_host

    host = plugin_host(app)
    key = (app.config["SQLALCHEMY_DATABASE_URI"], tuple(host.loaded))
    with app.app_context():
        if key not in _migrated:
            schema.upgrade()
            _migrated.add(key)
        empty_tables(db)
        roles.sync_declared_roles(host)
        db.session.commit()


def empty_tables(db) -> None:
    """Delete every row of every table the app knows (migrations' version tables excepted)."""
    with db.engine.begin() as conn:
        existing = set(inspect(conn).get_table_names())
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name in existing]
        if conn.dialect.name == "postgresql" and tables:
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


# -- application ------------------------------------------------------------------------------


@pytest.fixture
def make_app(database_url, tmp_path, request, monkeypatch):
    """Build an app (after ``make_plugin`` calls, for instance) on the test database.

    Each test gets its own instance folder, so nothing a test writes lands in the checkout.
    """
    from . import create_app

    marker = request.node.get_closest_marker("danwei_config")
    made = []

    monkeypatch.setenv("DANWEI_INSTANCE_PATH", str(tmp_path / "instance"))

    def make(**overrides):
        config = base_config(database_url, tmp_path)
        if marker:
            config.update(marker.kwargs)
        config.update(overrides)
        app = create_app(config)
        prepare_database(app)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            from .extensions import db

            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    """The application, with an application context pushed for the test's own queries."""
    application = make_app()
    with application.app_context():
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def cli(app):
    """``cli("plugins", "list", input=None)``: run the ``danwei`` command against ``app``.

    Returns click's ``Result`` (``exit_code``, ``output``, ``exception``).
    """
    from .cli import main

    runner = app.test_cli_runner()

    def invoke(*args, input=None):
        return runner.invoke(main, [str(a) for a in args], input=input)

    return invoke


@pytest.fixture
def db(app):
    from .extensions import db as database

    return database


# -- factories --------------------------------------------------------------------------------


@pytest.fixture
def create_unit(app):
    """``create_unit(code, name=None, kind="unit", parent=None)`` → a committed Unit."""
    from . import units
    from .extensions import db

    def make(code, name=None, kind="unit", parent=None):
        unit = units.create_unit(code, name or code, kind, parent)
        db.session.commit()
        return unit

    return make


@pytest.fixture
def unit_tree(app):
    """``unit_tree("school/grade1/class1", kinds=("school", "grade", "class"))`` → the last
    unit of the path, creating the units that do not exist yet (each named by its code, of the
    kind given at its depth, "unit" beyond). Its ancestors are ``unit.parent``, ...; calling it
    again with a longer path adds to the same tree."""
    from sqlalchemy import select

    from . import units
    from .extensions import db
    from .models import Unit

    def make(path: str, kinds=()):
        parent = None
        for depth, code in enumerate(c for c in path.split("/") if c):
            unit = db.session.scalar(select(Unit).where(Unit.code == code))
            if unit is None:
                kind = kinds[depth] if depth < len(kinds) else "unit"
                unit = units.create_unit(code, code, kind, parent)
            parent = unit
        if parent is None:
            raise ValueError("unit_tree needs at least one code")
        db.session.commit()
        return parent

    return make


@pytest.fixture
def enable_plugin(app):
    """``enable_plugin(plugin, unit, enabled=True)``: enable (or disable) *plugin* for *unit*
    and its subtree, as an administrator does (hook called, change audited), and commit."""
    from . import units
    from .extensions import db

    def switch(plugin: str, unit, enabled: bool = True) -> None:
        units.set_plugin_state(plugin, unit, enabled)
        db.session.commit()

    return switch


@pytest.fixture
def create_user(app):
    """``create_user(username=None, unit=None, roles=(("role", unit), ...), **fields)``."""
    from . import roles as role_service
    from . import users
    from .extensions import db

    counter = iter(range(1, 10**6))

    def make(username=None, unit=None, roles=(), name=None, password=TEST_PASSWORD, **fields):
        username = username or f"user{next(counter)}"
        user = users.create_user(username, name or username, password, unit, **fields)
        for role, where in roles:
            role_service.assign(user, role, where)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """``login(user_or_username, password=TEST_PASSWORD, using=client)`` via the real form.

    A client already logged in logs out first (through ``/logout``), so that it is *user* who
    is logged in afterwards: the login page would otherwise just send the first user on.
    """

    def do(user, password=TEST_PASSWORD, using=None):
        using = using or client
        with using.session_transaction() as session:
            logged_in = "_user_id" in session
        if logged_in:
            using.post("/logout")
        username = getattr(user, "username", user)
        response = using.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, f"login of {username} failed"
        with using.session_transaction() as session:
            assert "_user_id" in session, f"login of {username} failed"
        return response

    return do


@pytest.fixture
def login_as(create_user, login, client):
    """``login_as(role, unit, client=client, **user_fields)``: a new user holding *role* in
    *unit*, logged in on *client*; returns the user."""

    def do(role, unit, using=None, **fields):
        fields.setdefault("unit", unit)
        user = create_user(roles=((role, unit),) if role else (), **fields)
        login(user, using=using)
        return user

    return do


@pytest.fixture
def as_user(app, login):
    """``as_user(user)``: a new test client logged in as *user*, for tests where several people
    take turns (an applicant and the approvers of a chain)."""

    def make(user):
        using = app.test_client()
        login(user, using=using)
        return using

    return make


# -- jobs, calendar, notifications, demo --------------------------------------------------------


@pytest.fixture
def run_jobs(app):
    """``run_jobs(at=None, job=None, force=False)``: run the scheduled jobs due at *at* (naive
    UTC; default now) as ``danwei jobs run`` does, only *job* when given, and *force* it to run
    whatever its schedule says. Returns the outcomes (``job``, ``status``, ...)."""
    from . import jobs

    def run(at=None, job: str | None = None, force: bool = False):
        return jobs.run_due(now=at, only=job, force=force)

    return run


@pytest.fixture
def set_calendar_day(app):
    """``set_calendar_day(day, "holiday" | "workday", name="")``: record a public holiday or a
    make-up working day, as an administrator does on the calendar page, and commit."""
    from . import workdays
    from .extensions import db

    def record(day, kind: str, name: str = ""):
        row = workdays.set_day(day, kind, name)
        db.session.commit()
        workdays.forget_cache()
        return row

    return record


@pytest.fixture
def notifications_of(app):
    """``notifications_of(user)``: the in-app notifications *user* received, oldest first."""
    from sqlalchemy import select

    from .extensions import db
    from .notifications import Notification

    def find(user):
        db.session.expire_all()
        return list(db.session.scalars(
            select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.id)
        ))

    return find


@pytest.fixture
def load_demo(app):
    """``load_demo()``: run every plugin's ``demo_data`` hook as ``danwei demo`` does; returns
    ``[(plugin, DemoAccount), ...]``."""
    from . import demo

    return demo.load_demo


def queries_of(response) -> int | None:
    """How many SQL statements the request of *response* ran (needs the app configured with
    ``SERVER_TIMING=True``, e.g. ``@pytest.mark.danwei_config(SERVER_TIMING=True)``)."""
    from .timing import queries_of as count

    return count(response)


# -- throwaway plugins ------------------------------------------------------------------------


@pytest.fixture
def make_plugin(tmp_path, monkeypatch):
    """Write and install a plugin package ``danwei_<name>`` for this test only.

    ``make_plugin(name, source, contract=">=1.0,<2", migrations={file: text}, files={path:
    text})`` creates the package with *source* as its ``__init__.py`` and an entry point in
    ``danwei.plugins``, discoverable through importlib.metadata exactly as a pip install would
    be. ``make_plugin(name, folder=path)`` installs a copy of a plugin package kept on disk
    (its ``__init__.py`` declares ``DANWEI_CONTRACT`` itself; *files* are added on top).
    Build the app afterwards with ``make_app``.
    """
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    names = []

    def make(name, source="", contract=">=1.0,<2", migrations=None, files=None, version="0.1",
             folder=None):
        package = site / f"danwei_{name}"
        if folder is not None:
            shutil.copytree(folder, package, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            package.mkdir()
            header = f"DANWEI_CONTRACT = {contract!r}\n" if contract is not None else ""
            (package / "__init__.py").write_text(header + textwrap.dedent(source), "utf-8")
        if migrations:
            folder = package / "migrations"
            (folder / "versions").mkdir(parents=True)
            (folder / "env.py").write_text(
                "from core.api import run_migrations\n\nrun_migrations()\n", encoding="utf-8"
            )
            (folder / "script.py.mako").write_text("", encoding="utf-8")
            for filename, body in migrations.items():
                (folder / "versions" / filename).write_text(textwrap.dedent(body), "utf-8")
        for path, body in (files or {}).items():
            target = package / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(body), encoding="utf-8")
        dist = site / f"danwei_{name}-{version}.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: danwei-{name}\nVersion: {version}\n", "utf-8"
        )
        (dist / "entry_points.txt").write_text(
            f"[danwei.plugins]\n{name} = danwei_{name}\n", encoding="utf-8"
        )
        names.append(name)
        invalidate_caches()
        return package

    yield make
    for name in names:
        for module in [m for m in sys.modules if m == f"danwei_{name}" or
                       m.startswith(f"danwei_{name}.")]:
            del sys.modules[module]
    invalidate_caches()
