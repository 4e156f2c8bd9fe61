"""Core's quality gates for one plugin, in the plugin's own repository, with one import.

::

    from core.testing_kit import PluginGates

    class TestGates(PluginGates):
        plugin = "visitors"

gives the plugin's test suite what core runs on its bundled plugins: migrations up, down and
up again on a fresh database, its models against its migrations, its translations complete,
every URL argument of its routes declared, the authorization matrix over its routes (ids of
another organisation's objects are never served), junk posted to every form of it, and its
pages in a real browser (every HTML page of its routes, as each of its demo accounts, on a
desktop and a phone: no console error, and axe-core's WCAG 2.1 A/AA check of
:mod:`core.testing_browser`; marked ``browser``, skipped without Chromium unless ``CI`` is set).
The methods use the fixtures of core's pytest plugin (:mod:`core.testing`).

A plugin declares its URL arguments' scope in ``DANWEI_URL_ARGS``: for each tuple of integer
argument names its routes take, SQL selecting those ids for objects of the units ``:units``
(``{("item_id",): "SELECT id FROM visitors_items WHERE unit_id IN :units"}``). Core's own
matrix (``tests/test_authz_matrix.py``) reads the same declarations.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import bindparam, inspect, select, text, update
from werkzeug.routing import IntegerConverter

#: Values no form should crash on.
JUNK = ("", " ", "x" * 5000, "\x00", "-1", "9" * 30, "2026-13-45", "<script>x</script>",
        "１２", "NaN", "[]")
DEMO_PASSWORD = "danwei2026"
FOREIGN = "Foreign "


def url_args_of(app, plugin: str) -> dict[tuple[str, ...], str]:
    """One loaded plugin's ``DANWEI_URL_ARGS`` (empty when it declares none)."""
    module = app.extensions["danwei"].plugins[plugin].module
    return {tuple(k): v for k, v in (getattr(module, "DANWEI_URL_ARGS", None) or {}).items()}


def url_args(app) -> dict[tuple[str, ...], str]:
    """Every loaded plugin's ``DANWEI_URL_ARGS``, merged (where two plugins declare the same
    names, the later one by name wins: look a plugin's own routes up in :func:`url_args_of`)."""
    found: dict[tuple[str, ...], str] = {}
    for name in app.extensions["danwei"].loaded:
        found.update(url_args_of(app, name))
    return found


def _declarations(app, plugin: str) -> dict[tuple[str, ...], str]:
    """What fills *plugin*'s routes: its own declarations over everyone's."""
    return {**url_args(app), **url_args_of(app, plugin)}


def rules_of(app, plugin: str, method: str = "GET"):
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.split(".")[0] == plugin and method in rule.methods
            and not rule.endpoint.endswith(".static")]


def int_args(rule) -> tuple[str, ...]:
    return tuple(n for n, c in rule._converters.items() if isinstance(c, IntegerConverter))


def _declared(declared: dict, names: tuple[str, ...]) -> tuple[str, ...] | None:
    return next((key for key in declared if set(key) == set(names)), None)


def _ids(db, sql: str, names: tuple[str, ...], units: list[int]) -> dict | None:
    query = text(sql).bindparams(bindparam("units", expanding=True))
    row = db.session.execute(query, {"units": units or [-1]}).first()
    return dict(zip(names, row, strict=True)) if row else None


def _client(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"demo account {username} cannot log in"
    return client


class PluginGates:
    """Subclass it in a test module and set :attr:`plugin`; pytest collects the methods."""

    #: The plugin's entry-point name.
    plugin: str = ""

    def test_migrations_up_down_up(self, fresh_database_url, tmp_path, monkeypatch):
        from . import create_app, schema
        from .plugins import CORE
        from .testing import base_config

        monkeypatch.setenv("DANWEI_INSTANCE_PATH", str(tmp_path / "instance"))
        app = create_app(base_config(fresh_database_url, tmp_path))
        with app.app_context():
            from .extensions import db

            def tables():
                return set(inspect(db.engine).get_table_names())

            try:
                schema.upgrade(only=CORE)
                before = tables()
                assert schema.upgrade(only=self.plugin) == [self.plugin]
                created = tables() - before
                assert all(t.startswith(f"{self.plugin}_") or t == schema.version_table(
                    self.plugin) for t in created), sorted(created)
                schema.downgrade(only=self.plugin)
                assert tables() <= before | {schema.version_table(self.plugin)}, (
                    "downgrade is not the exact reverse of upgrade")
                schema.upgrade(only=self.plugin)
                assert tables() == before | created
                assert schema.compare(self.plugin) == [], "models differ from migrations"
            finally:
                db.session.remove()
                db.engine.dispose()

    def test_models_match_migrations(self, app):
        from . import schema

        assert schema.compare(self.plugin) == []

    def test_translations_complete(self, app):
        import pytest

        from .authoring import package_of, untranslated

        if not (Path(package_of(self.plugin)).parent / "babel.cfg").is_file():
            pytest.skip("installed without its source folder (babel.cfg): pip install -e")
        assert untranslated(self.plugin) == [], "run `danwei messages` and translate"

    def test_url_arguments_declared(self, app):
        declared = url_args_of(app, self.plugin)  # its own: another plugin's do not count
        unknown = sorted({rule.rule for rule in rules_of(app, self.plugin, "GET")
                          + rules_of(app, self.plugin, "POST")
                          if int_args(rule) and _declared(declared, int_args(rule)) is None})
        assert not unknown, f"declare these routes' arguments in DANWEI_URL_ARGS: {unknown}"

    def test_foreign_ids_are_never_served(self, app, db):
        """The demo twice: another organisation's objects stay 404 for every demo account."""
        from .demo import load_demo
        from .models import Unit, User

        load_demo()
        db.session.execute(update(Unit).values(code="xf-" + Unit.code,
                                               name=FOREIGN + Unit.name))
        db.session.execute(update(User).values(username="xf_" + User.username))
        db.session.commit()
        accounts = [a for plugin, a in load_demo() if plugin == self.plugin]
        foreign = list(db.session.scalars(select(Unit.id).where(Unit.code.like("xf-%"))))
        declared = _declarations(app, self.plugin)
        adapter = app.url_map.bind("localhost")
        served, tried = [], 0
        for account in accounts:
            client = _client(app, account.username)
            for rule in rules_of(app, self.plugin):
                key = _declared(declared, int_args(rule))
                if key is None:
                    continue
                ids = _ids(db, declared[key], key, foreign) or dict.fromkeys(key, 10**8)
                response = client.get(adapter.build(rule.endpoint, ids, method="GET"))
                tried += 1
                if response.status_code in (200, 500):
                    served.append(f"{account.username} GET {rule.rule} {ids}: "
                                  f"{response.status_code}")
        assert not served, "foreign objects served:\n" + "\n".join(served)
        assert accounts, "the plugin's demo_data returns no account to try"

    def test_junk_posted_to_every_form(self, app, db, client, create_user, unit_tree,
                                       enable_plugin, login):
        """A superuser posts junk to every POST route: never a 500."""
        import re

        root = unit_tree("gates")
        enable_plugin(self.plugin, root)
        login(create_user(unit=root, is_superuser=True))
        adapter = app.url_map.bind("localhost")
        crashed = []
        for rule in rules_of(app, self.plugin, "POST"):
            values = dict.fromkeys(int_args(rule), 1)
            url = adapter.build(rule.endpoint, values, method="POST")
            page = client.get(url) if "GET" in rule.methods else None
            names = set()
            if page is not None and page.status_code == 200:
                names = set(re.findall(r'name="([^"]+)"', page.get_data(as_text=True)))
            names.discard("csrf_token")
            for junk in JUNK:
                response = client.post(url, data={**dict.fromkeys(names, junk), "zz": junk})
                if response.status_code >= 500:
                    crashed.append(f"POST {url} {junk[:20]!r}: {response.status_code}")
                db.session.rollback()
        assert not crashed, "\n".join(crashed)

    def test_pages_in_a_browser(self, app, db, page, phone, log_in, console_errors,
                                accessibility):
        """Every HTML page of the plugin, as each of its demo accounts, in Chromium on a
        desktop and on a phone: it loads, logs no console error and passes axe-core."""
        from .demo import load_demo
        from .models import Unit

        accounts = [a for plugin, a in load_demo() if plugin == self.plugin]
        assert accounts, "the plugin's demo_data returns no account to try"
        units = list(db.session.scalars(select(Unit.id)))
        declared = _declarations(app, self.plugin)
        adapter = app.url_map.bind("localhost")
        shown = []
        for account in accounts:
            for screen in (page, phone):
                screen.context.clear_cookies()
                log_in(screen, account.username, DEMO_PASSWORD)
            for rule in rules_of(app, self.plugin):
                names = int_args(rule)
                key = _declared(declared, names) if names else ()
                if key is None or set(rule.arguments) - set(names):
                    continue  # undeclared (another gate fails) or text arguments
                ids = _ids(db, declared[key], key, units) if key else {}
                if ids is None:
                    continue  # the demo made no such object
                url = adapter.build(rule.endpoint, ids, method="GET")
                # Asked first with the page's cookies: only a page (not a download, a redirect
                # or a refusal for this account) is opened.
                answer = page.request.get(url, max_redirects=0)
                if answer.status != 200 or not answer.headers.get(
                        "content-type", "").startswith("text/html"):
                    continue
                for screen in (page, phone):
                    response = screen.goto(url)
                    assert response is not None and response.status == 200, url
                    screen.wait_for_load_state("load")
                assert console_errors == [], console_errors
                shown.append(f"{account.username} {url}")
        assert shown, "no page of the plugin could be shown to its demo accounts"
        assert len(accessibility.checked) >= len(shown)
