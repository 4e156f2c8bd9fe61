"""Danwei (单位): a self-hosted, plugin-based intranet for Chinese institutions.

:func:`create_app` is the only way to build the application.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as _config
from . import paths
from .args import DanweiRequest
from .config import ConfigError
from .extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

ROOT = paths.ROOT  # the checkout's root (tests import it from here)
__version__ = "0.1.0"
__all__ = ["ROOT", "ConfigError", "create_app"]


def create_app(test_config: dict | None = None) -> Flask:
    """Build the intranet: configuration, extensions, core views, then every plugin.

    The factory is the one place that knows every part: it registers core's blueprints and
    installs the plugins, so no view module has to import the module that registers it.
    """
    app = Flask(
        __name__,
        instance_path=os.environ.get("DANWEI_INSTANCE_PATH", str(paths.INSTANCE)),
        instance_relative_config=True,
        template_folder=str(paths.TEMPLATES),
        static_folder=str(paths.PACKAGE / "static"),
    )
    _configure(app, test_config)

    from . import i18n, web
    from .i18n import translation_setup
    from .plugins import PluginHost
    from .plugins.install import install_plugins

    host = PluginHost(strict=app.config["STRICT_PLUGINS"])
    host.discover()
    directories, domains = translation_setup(host.plugins.values())
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = directories
    app.config["BABEL_DOMAIN"] = domains
    _init_extensions(app)
    i18n.init_app(app, host.plugins.values())
    app.request_class = DanweiRequest
    from . import logs

    logs.init_app(app)  # first, so that every later log line carries the request id
    web.init_app(app)
    _register_blueprints(app)
    install_plugins(app, host)
    with app.app_context():
        from .reports import registry

        registry.reports()  # report declarations are checked at start-up like the others
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(_config.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(_config.from_env(os.environ))
    else:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    production = app.config["ENV"] == "production"
    if app.config["ENV"] not in _config.ENVIRONMENTS:
        raise ConfigError(
            f"ENV is {app.config['ENV']!r} (from DANWEI_ENV or instance/config.py); "
            f"use one of {', '.join(_config.ENVIRONMENTS)}."
        )
    if not app.config.get("SECRET_KEY"):
        if production:
            raise ConfigError(
                "DANWEI_SECRET_KEY is not set. Production needs a fixed secret key: "
                "set DANWEI_SECRET_KEY or SECRET_KEY in instance/config.py."
            )
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = production
    if app.config["REMEMBER_COOKIE_SECURE"] is None:
        app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if app.config["PROXY_COUNT"]:
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'danwei.sqlite'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    elif url.startswith("postgresql+psycopg"):
        # psycopg prepares a statement on the server after a few runs (parsed once), and
        # PostgreSQL might then plan it once for any value: "leave ending after now" planned
        # as if it matched a third of the county's history, a partial index never used.
        # Lists and dashboards filter by dates and scopes whose selectivity varies by orders
        # of magnitude, so each run is planned with its values (force_custom_plan); a
        # connection pooler in transaction mode needs DATABASE_PREPARE=false.
        prepare = app.config.get("DATABASE_PREPARE", True)
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {
            "prepare_threshold": 5 if prepare else None,
            "options": "-c plan_cache_mode=force_custom_plan"}})
    app.config["UPLOAD_DIR"] = app.config.get("UPLOAD_DIR") or str(
        Path(app.instance_path) / "uploads"
    )
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LOCALE"]


def _register_blueprints(app: Flask) -> None:
    """Core's pages, one blueprint per feature (each plugin's are added when it is installed)."""
    from . import admin, attachments, auth, home, jobs, notifications, workdays  # noqa: F401
    from .attachments.views import bp as attachments_bp
    from .health import bp as health_bp  # /healthz, /readyz for the load balancer
    from .notifications.views import bp as notifications_bp
    from .reports.views import bp as reports_bp
    from .tasks.views import bp as tasks_bp  # progress pages of background tasks
    from .workdays.views import bp as calendar_bp
    from .workflow import views as workflow_views

    for bp in (auth.bp, home.bp, admin.bp, reports_bp, notifications_bp, calendar_bp,
               attachments_bp, tasks_bp, health_bp):
        app.register_blueprint(bp)
    workflow_views.init_app(app)  # the `workflow` and `inbox` blueprints


def _sqlite_wal(dbapi_connection, _record) -> None:
    """SQLite in write-ahead-log mode: a reader does not block a writer. The embedded default
    has several at once: a background task streaming 100,000 rows while it records its
    progress, the web process, the job and task threads."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _init_extensions(app: Flask) -> None:
    from .i18n import select_locale

    db.init_app(app)
    from . import cache

    cache.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from sqlalchemy import event

        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_wal)
    migrate.init_app(app, db, directory=str(paths.MIGRATIONS))
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    limiter.init_app(app)
