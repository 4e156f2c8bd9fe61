"""The plugin system as a plugin author and an administrator meet it.

One throwaway plugin, ``pl_hooks``, implements every core hook and shows what each did through
its own pages; ``test_hook_<name>`` drives each hook through HTTP or the ``danwei`` command.
Then: discovery and migrations of a throwaway plugin, per-unit enablement of its menu, fault
isolation (a plugin raising in a menu or a widget), refusals (import error, contract, a view
without access, a permission outside the plugin's namespace...) and strict mode, load order,
and a plugin installed by a real ``pip install``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib import invalidate_caches
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from core import roles, settings, units, users
from core.cli import main as danwei_command
from core.demo import DEMO_PASSWORD
from core.extensions import db
from core.hookspecs import CONTRACT_VERSION
from core.models import AuditEvent
from core.plugins import PluginFailure
from core.testing import TEST_PASSWORD

# -- the plugin used by the hook tests --------------------------------------------------------

#: The plugin used by the hook tests: a real plugin folder, installed per test.
HOOKS_PLUGIN = Path(__file__).parent / "sample_plugin" / "danwei_pl_hooks"


def add_hooks_plugin(make_plugin):
    make_plugin("pl_hooks", folder=HOOKS_PLUGIN)


@pytest.fixture
def build(make_plugin, make_app):
    """``build(**{name: source_or_kwargs})``: an app with ``pl_hooks`` and the given
    throwaway plugins, its context pushed and the notes table emptied."""
    contexts = []

    def make(strict=False, **plugins):
        add_hooks_plugin(make_plugin)
        for name, spec in plugins.items():
            make_plugin(name, **(spec if isinstance(spec, dict) else {"source": spec}))
        app = make_app(STRICT_PLUGINS=strict)
        ctx = app.app_context()
        ctx.push()
        contexts.append(ctx)
        db.session.execute(text("DELETE FROM pl_hooks_notes"))
        db.session.commit()
        return app

    yield make
    for ctx in reversed(contexts):
        ctx.pop()


@pytest.fixture
def app(build):
    """The hook tests' application: core, the installed plugins and ``pl_hooks``."""
    return build()


# -- helpers: a small school, people logged in, the command line ------------------------------


def school():
    """``s`` (school) → ``g1`` → classes ``a``, ``b``; ``g2`` is ``g1``'s sibling."""
    s = units.create_unit("s", "School", "school")
    g1 = units.create_unit("g1", "Grade 1", "grade", s)
    g2 = units.create_unit("g2", "Grade 2", "grade", s)
    a = units.create_unit("a", "Class A", "class", g1)
    b = units.create_unit("b", "Class B", "class", g1)
    db.session.commit()
    return {"s": s, "g1": g1, "g2": g2, "a": a, "b": b}


def enable(plugin, unit, on=True):
    units.set_plugin_state(plugin, unit, on)
    db.session.commit()


def person(app, username, unit=None, roles_in=(), **fields):
    """A new user with *roles_in* ``((role, unit), ...)``, logged in on a fresh client."""
    user = users.create_user(username, username.title(), TEST_PASSWORD, unit, **fields)
    for role, where in roles_in:
        roles.assign(user, role, where)
    db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302, f"{username} could not log in"
    return client


def danwei(app, *args, input=None):
    """Run ``danwei ARGS`` against *app*."""
    return app.test_cli_runner().invoke(danwei_command, list(args), input=input)


def notes_table():
    return [tuple(r) for r in db.session.execute(
        text("SELECT u.code, n.text FROM pl_hooks_notes n JOIN units u ON u.id = n.unit_id "
             "ORDER BY n.id"))]


# -- one test per hook --------------------------------------------------------------------------


def test_hook_register_blueprints(app):
    u = school()
    enable("pl_hooks", u["s"])
    reader = person(app, "reader", u["a"], (("pl_hooks.reader", u["a"]),))
    page = reader.get("/pl_hooks/")  # mounted at /<plugin>, template from templates/pl_hooks/
    assert page.status_code == 200
    assert "Greeting in a: hello" in page.text
    assert "Content-Security-Policy" in page.headers  # core's layout and headers apply
    assert app.url_map.bind("").match("/pl_hooks/notes")[0] == "pl_hooks.list_notes"


def test_hook_register_permissions(app):
    u = school()
    enable("pl_hooks", u["s"])
    host = app.extensions["danwei"]
    assert host.permissions["pl_hooks.view"][0] == "pl_hooks"
    # The declared permission gates the plugin's views: held → 200, not held → not there.
    reader = person(app, "reader", u["a"], (("pl_hooks.reader", u["a"]),))
    outsider = person(app, "outsider", u["a"])
    assert reader.get("/pl_hooks/notes").status_code == 200
    assert outsider.get("/pl_hooks/notes").status_code == 404
    # ...and is inert where the plugin is disabled, even for the holder.
    enable("pl_hooks", u["s"], False)
    assert reader.get("/pl_hooks/notes").status_code == 404


def test_hook_register_roles(app):
    u = school()
    enable("pl_hooks", u["s"])
    keeper = person(app, "keeper", u["a"], (("pl_hooks.keeper", u["a"]),))
    assert "Hook secret" in keeper.get("/").text
    # An administrator's change to a declared role is kept when declarations are synced again.
    role = roles.role_by_name("pl_hooks.keeper")
    roles.set_role_permissions(role, {"pl_hooks.view"})
    db.session.commit()
    assert danwei(app, "db", "upgrade").exit_code == 0  # re-syncs declared roles
    assert "Hook secret" not in keeper.get("/").text
    assert keeper.get("/pl_hooks/notes").status_code == 200


def test_hook_register_settings(app):
    u = school()
    enable("pl_hooks", u["s"])
    in_a = person(app, "ta", u["a"], (("pl_hooks.reader", u["a"]),))
    in_g2 = person(app, "tg2", u["g2"], (("pl_hooks.reader", u["g2"]),))
    assert "Greeting in a: hello" in in_a.get("/pl_hooks/").text  # the declared default
    settings.set_setting("pl_hooks", "greeting", "你好")  # global value
    settings.set_setting("pl_hooks", "greeting", "grade one says hi", u["g1"])
    db.session.commit()
    assert "Greeting in a: grade one says hi" in in_a.get("/pl_hooks/").text  # inherited
    assert "Greeting in g2: 你好" in in_g2.get("/pl_hooks/").text
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "core.setting_changed",
                                 AuditEvent.unit_id == u["g1"].id)
    )


def test_hook_register_commands(app):
    u = school()
    assert "pl_hooks" in danwei(app, "--help").output
    assert danwei(app, "pl_hooks", "count-notes").output.strip() == "0 notes"
    enable("pl_hooks", u["g1"])
    result = danwei(app, "pl_hooks", "count-notes")
    assert result.exit_code == 0
    assert result.output.strip() == "1 notes"


def test_hook_menu_items(app):
    u = school()
    enable("pl_hooks", u["g1"])
    reader = person(app, "reader", u["a"], (("pl_hooks.reader", u["a"]),))
    plain = person(app, "plain", u["a"])
    menu = reader.get("/").text
    assert "Hook notes" in menu and "Hooks in a" in menu  # the hook receives the unit
    plain_menu = plain.get("/").text
    assert "Hooks in a" in plain_menu
    assert "Hook notes" not in plain_menu  # its permission is not held: dropped by core
    enable("pl_hooks", u["g1"], False)
    assert "Hooks in a" not in reader.get("/").text


def test_hook_dashboard_widgets(app):
    u = school()
    enable("pl_hooks", u["s"])
    keeper = person(app, "keeper", u["b"], (("pl_hooks.keeper", u["b"]),))
    reader = person(app, "reader", u["b"], (("pl_hooks.reader", u["b"]),))
    page = keeper.get("/").text
    assert "Hello, keeper!" in page and "the secret" in page
    page = reader.get("/").text
    assert "Hello, reader!" in page
    assert "the secret" not in page  # the widget's permission is not held


def test_hook_on_unit_enable(app):
    u = school()
    result = danwei(app, "plugins", "enable", "pl_hooks", "--unit", "g1")
    assert result.exit_code == 0, result.output
    assert "pl_hooks enabled for g1" in result.output
    head = person(app, "head", u["g1"], (("pl_hooks.reader", u["g1"]),))
    assert head.get("/pl_hooks/notes").text == "g1:enabled"
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "core.plugin_enabled",
                                 AuditEvent.unit_id == u["g1"].id)
    )
    # Raising in the hook refuses the enablement: nothing of it is kept.
    archive = units.create_unit("old", "Old records", "archive", u["s"])
    db.session.commit()
    refused = danwei(app, "plugins", "enable", "pl_hooks", "--unit", "old")
    assert refused.exit_code == 1
    assert "pl_hooks refused the change, nothing was kept: archived units take no notes" \
        in refused.output
    assert "Hooks in old" not in person(app, "archivist", archive).get("/").text
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.unit_id == archive.id,
                                 AuditEvent.action == "core.plugin_enabled")) is None


def test_hook_on_unit_disable(app):
    u = school()
    enable("pl_hooks", u["s"])
    reader = person(app, "reader", u["s"], (("pl_hooks.reader", u["s"]),))
    result = danwei(app, "plugins", "disable", "pl_hooks", "--unit", "b")
    assert result.exit_code == 0, result.output
    # The hook ran, and the data is kept: the note about b stays, only b no longer shows it.
    assert notes_table() == [("s", "enabled"), ("b", "disabled")]
    assert reader.get("/pl_hooks/notes").text == "s:enabled"


def test_hook_unit_data_export(app, tmp_path):
    u = school()
    for code in ("s", "g1", "a", "g2"):
        enable("pl_hooks", u[code])
    result = danwei(app, "plugins", "purge", "pl_hooks", "--unit", "g1", "--to", tmp_path,
                    input="y\n")
    assert result.exit_code == 0, result.output
    (export,) = tmp_path.glob("pl_hooks-g1-*.json")
    assert str(export) in result.output
    exported = json.loads(export.read_text(encoding="utf-8"))
    ids = {u["g1"].id, u["a"].id}
    assert [(row["unit_id"], row["text"]) for row in exported["pl_hooks_notes"]] == [
        (u["g1"].id, "enabled"), (u["a"].id, "enabled")]
    assert all(row["unit_id"] in ids for row in exported["pl_hooks_notes"])


def test_hook_on_unit_purge(app, tmp_path):
    u = school()
    for code in ("s", "g1", "a", "g2"):
        enable("pl_hooks", u[code])
    refused = danwei(app, "plugins", "purge", "pl_hooks", "--unit", "g1", "--to", tmp_path,
                     input="n\n")
    assert refused.exit_code != 0 and len(notes_table()) == 4  # not confirmed: nothing happens
    result = danwei(app, "plugins", "purge", "pl_hooks", "--unit", "g1", "--to", tmp_path,
                    "--yes")
    assert result.exit_code == 0, result.output
    assert notes_table() == [("s", "enabled"), ("g2", "enabled")]  # g1's subtree only
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "core.plugin_purged"))
    assert event.unit_id == u["g1"].id and event.data["export"].startswith("pl_hooks-g1-")
    assert danwei(app, "plugins", "purge", "pl_hooks", "--unit", "nowhere", "--yes").exit_code == 2


def test_hook_on_domain_event(build):
    app = build(pl_deaf="""
        from core.api import hookimpl

        @hookimpl
        def on_domain_event(event):
            raise RuntimeError("listener down")
    """)
    u = school()
    enable("pl_hooks", u["s"])
    client = person(app, "eventful", u["s"], (("pl_hooks.reader", u["s"]),))  # logs in
    assert "core.login eventful" in client.get("/pl_hooks/events").text
    # A failing listener is reported but never fails the change it hears about.
    assert any(e.where == "on_domain_event" for e in app.extensions["danwei"].errors_of("pl_deaf"))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "core.login"))


def test_hook_demo_data(app):
    first = danwei(app, "demo")
    assert first.exit_code == 0, first.output
    assert "hookdemo" in first.output and "Notes reader @ Hooks demo school" in first.output
    client = app.test_client()
    response = client.post("/login", data={"username": "hookdemo", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Hook notes" in client.get("/").text  # enabled and granted by the demo
    counts = table_counts()
    assert danwei(app, "demo").exit_code == 0
    assert table_counts() == counts


def table_counts():
    tables = [t for t in db.metadata.sorted_tables if t.name in inspect(db.engine).get_table_names()]
    return {t.name: db.session.scalar(select(db.func.count()).select_from(t)) for t in tables}


# -- discovery, migrations and per-unit enablement of a throwaway plugin -----------------------


def test_throwaway_plugin_is_discovered_and_migrated_with_its_own_version_table(app):
    host = app.extensions["danwei"]
    info = host.plugins["pl_hooks"]
    assert info.loaded and info.version == "0.1" and info.distribution == "danwei-pl_hooks"
    assert info.contract == ">=1.0,<2"
    tables = set(inspect(db.engine).get_table_names())
    assert {"pl_hooks_notes", "alembic_version_pl_hooks", "alembic_version"} <= tables
    own = db.session.execute(text("SELECT version_num FROM alembic_version_pl_hooks")).scalars()
    core_versions = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars()
    assert list(own) == ["plh1"]
    assert "plh1" not in list(core_versions)
    status = danwei(app, "db", "status").output
    assert any(line.split()[:3] == ["pl_hooks", "plh1", "plh1"] for line in status.splitlines())


def test_menu_only_in_the_enabled_unit_and_its_subtree(app):
    u = school()
    enable("pl_hooks", u["g1"])
    seen = {code: "Hooks in " + code in person(app, f"p_{code}", u[code]).get("/").text
            for code in ("s", "g1", "a", "b", "g2")}
    assert seen == {"s": False, "g1": True, "a": True, "b": True, "g2": False}
    # The nearest state up the tree wins: disabling class b inside enabled g1.
    enable("pl_hooks", u["b"], False)
    assert "Hooks in b" not in person(app, "p_b2", u["b"]).get("/").text
    assert "Hooks in a" in person(app, "p_a2", u["a"]).get("/").text


# -- fault isolation -----------------------------------------------------------------------------

FAULTY = """
from core.api import MenuItem, Widget, hookimpl

@hookimpl
def menu_items():
    raise RuntimeError("menu broke")

@hookimpl
def dashboard_widgets():
    def render():
        raise ValueError("widget broke")
    return [Widget("broken", "Broken card", render)]
"""

FAULTY_HOOK = """
from core.api import MenuItem, hookimpl

@hookimpl
def menu_items():
    return [MenuItem("Nowhere", "pl_faulty2.missing")]

@hookimpl
def dashboard_widgets():
    raise LookupError("widgets broke")
"""


def test_a_plugin_raising_in_menu_items_or_a_widget_is_contained(build):
    app = build(pl_faulty=FAULTY, pl_faulty2=FAULTY_HOOK)
    u = school()
    for name in ("pl_hooks", "pl_faulty", "pl_faulty2"):
        enable(name, u["s"])
    victim = person(app, "victim", u["s"])
    page = victim.get("/")
    assert page.status_code == 200
    assert "Hooks in s" in page.text and "Hello, victim!" in page.text  # the others still work
    assert "Broken card" in page.text and "This card could not be shown" in page.text
    assert "Nowhere" not in page.text
    host = app.extensions["danwei"]
    where = {(e.plugin, e.where): e.message for e in host.errors}
    assert where[("pl_faulty", "menu_items")] == "RuntimeError: menu broke"
    assert where[("pl_faulty", "widget broken")] == "ValueError: widget broke"
    assert where[("pl_faulty2", "dashboard_widgets")] == "LookupError: widgets broke"
    assert "pl_faulty2.missing" in where[("pl_faulty2", "menu_items")]
    assert victim.get("/").status_code == 200
    again = [e for e in host.errors_of("pl_faulty") if e.where == "menu_items"]
    assert len(again) == 1 and again[0].count == 2  # listed once, however many pages fail
    listing = danwei(app, "plugins", "list")
    assert listing.exit_code == 1
    assert "error in menu_items: RuntimeError: menu broke (2 times)" in listing.output
    assert "error in widget broken: ValueError: widget broke" in listing.output


# -- refusals -----------------------------------------------------------------------------------

NO_ACCESS = """
from flask import Blueprint
from core.api import hookimpl

bp = Blueprint("pl_noaccess", __name__)

@bp.route("/")
def index():
    return "anyone"

@hookimpl
def register_blueprints():
    return [bp]
"""

FOREIGN_PERMISSION = """
from flask import Blueprint
from core.api import Permission, hookimpl, permission_required

bp = Blueprint("pl_foreign", __name__)

@bp.route("/")
@permission_required("pl_foreign.view")
def index():
    return "foreign"

@hookimpl
def register_permissions():
    return [Permission("pl_foreign.view", "View"), Permission("core.manage_everything", "All")]

@hookimpl
def register_blueprints():
    return [bp]
"""

UNDECLARED_PERMISSION = """
from flask import Blueprint
from core.api import hookimpl, permission_required

bp = Blueprint("pl_typoperm", __name__)

@bp.route("/")
@permission_required("pl_typoperm.veiw")
def index():
    return "nobody"

@hookimpl
def register_blueprints():
    return [bp]
"""

MISSPELT_HOOK = """
from core.api import MenuItem, hookimpl

@hookimpl
def menu_item():
    return [MenuItem("Never", "home.index")]
"""

#: (plugin name, make_plugin arguments, what the refusal says)
REFUSALS = {
    "import error": (
        "pl_noimport", {"source": "import danwei_no_such_dependency\n"},
        "ModuleNotFoundError: No module named 'danwei_no_such_dependency'"),
    "incompatible contract": (
        "pl_future", {"contract": ">=2.0,<3"},
        f"supports hook contract >=2.0,<3 but this core provides {CONTRACT_VERSION}"),
    "missing contract": ("pl_nocontract", {"contract": None}, "declares no DANWEI_CONTRACT"),
    "invalid contract": ("pl_badspec", {"contract": "one point oh"},
                         "declares an invalid DANWEI_CONTRACT 'one point oh'"),
    "view without access": ("pl_noaccess", {"source": NO_ACCESS},
                            "view pl_noaccess.index declares no permission"),
    "permission outside the namespace": (
        "pl_foreign", {"source": FOREIGN_PERMISSION},
        "permission 'core.manage_everything' must be a Permission named pl_foreign.*"),
    "view needing an undeclared permission": (
        "pl_typoperm", {"source": UNDECLARED_PERMISSION},
        "view pl_typoperm.index needs pl_typoperm.veiw, which is not a declared permission"),
    "misspelt hook": ("pl_misspelt", {"source": MISSPELT_HOOK},
                      "implements menu_item, which hook contract"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_faulty_plugin_is_refused_and_the_rest_works(build, case):
    name, spec, message = REFUSALS[case]
    app = build(**{name: spec})
    host = app.extensions["danwei"]
    assert name in host.plugins and not host.plugins[name].loaded
    assert any(message in e.message for e in host.errors_of(name)), host.errors
    assert host.plugins["pl_hooks"].loaded
    u = school()
    enable("pl_hooks", u["s"])
    with pytest.raises(LookupError):
        units.set_plugin_state(name, u["s"], True)  # a refused plugin cannot be enabled
    admin = person(app, "root", u["s"], is_superuser=True)
    assert "Hooks in s" in admin.get("/").text
    assert admin.get("/pl_hooks/").status_code == 200
    assert admin.get(f"/{name}/").status_code == 404  # none of its routes were mounted
    listing = danwei(app, "plugins", "list")
    assert listing.exit_code == 1
    line = next(x for x in listing.output.splitlines() if x.startswith(name))
    assert "FAILED" in line
    assert message in listing.output


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_strict_mode_turns_each_refusal_into_an_error(make_plugin, make_app, case):
    name, spec, message = REFUSALS[case]
    make_plugin(name, **spec)
    with pytest.raises(PluginFailure, match=name) as failure:
        make_app(STRICT_PLUGINS=True)
    assert message in str(failure.value)


def test_strict_mode_starts_when_every_plugin_is_sound(build):
    app = build(strict=True)
    assert "pl_hooks" in app.extensions["danwei"].loaded
    assert not app.extensions["danwei"].errors


# -- load order ------------------------------------------------------------------------------


def ordered(letter):
    return f"""
from core.api import Widget, hookimpl

@hookimpl
def dashboard_widgets():
    return [Widget("order", "Same title", lambda: "order-{letter}")]
"""


def test_load_order_is_by_name_not_by_installation(build):
    # Installed z first, then m, then a: discovery and every hook call still go a, m, z.
    app = build(pl_orderz=ordered("z"), pl_orderm=ordered("m"), pl_ordera=ordered("a"))
    host = app.extensions["danwei"]
    mine = [n for n in host.loaded if n.startswith("pl_order")]
    assert mine == ["pl_ordera", "pl_orderm", "pl_orderz"]
    assert host.loaded == sorted(host.loaded)
    u = school()
    for name in mine:
        enable(name, u["s"])
    page = person(app, "orderly", u["s"]).get("/").text
    assert page.index("order-a") < page.index("order-m") < page.index("order-z")
    listing = danwei(app, "plugins", "list").output
    assert listing.index("pl_ordera") < listing.index("pl_orderm") < listing.index("pl_orderz")


# -- a real pip install ------------------------------------------------------------------------

PIPPED_SETUP_CFG = """\
[metadata]
name = danwei-pl_pipped
version = 0.3.1

[options]
packages = find:

[options.packages.find]
include = danwei_pl_pipped*

[options.entry_points]
danwei.plugins =
    pl_pipped = danwei_pl_pipped
"""

PIPPED_SOURCE = """\
from core.api import MenuItem, hookimpl

DANWEI_CONTRACT = ">=1.0,<2"


@hookimpl
def menu_items():
    return [MenuItem("Installed by pip", "home.index")]
"""


def test_a_plugin_installed_with_pip_is_discovered(tmp_path, make_app, monkeypatch):
    package = tmp_path / "pl_pipped"
    (package / "danwei_pl_pipped").mkdir(parents=True)
    (package / "setup.cfg").write_text(PIPPED_SETUP_CFG, encoding="utf-8")
    (package / "pyproject.toml").write_text(textwrap.dedent("""\
        [build-system]
        requires = ["setuptools>=70.1"]
        build-backend = "setuptools.build_meta"
    """), encoding="utf-8")
    (package / "danwei_pl_pipped" / "__init__.py").write_text(PIPPED_SOURCE, encoding="utf-8")
    target = tmp_path / "target"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", "--quiet", "--target", str(target),
         str(package)],
        capture_output=True, text=True, timeout=300,
    )
    if pip.returncode != 0 and "bdist_wheel" in pip.stdout + pip.stderr:
        pytest.skip("pip cannot build a wheel offline here (setuptools>=70.1 is needed)")
    assert pip.returncode == 0, pip.stdout + pip.stderr
    assert (target / "danwei_pl_pipped-0.3.1.dist-info" / "entry_points.txt").is_file()

    monkeypatch.syspath_prepend(str(target))
    invalidate_caches()
    try:
        app = make_app()
        host = app.extensions["danwei"]
        info = host.plugins["pl_pipped"]
        assert info.loaded and info.version == "0.3.1"
        assert info.distribution == "danwei-pl_pipped"
        with app.app_context():
            listing = danwei(app, "plugins", "list").output
            assert any(line.split()[:2] == ["pl_pipped", "0.3.1"]
                       for line in listing.splitlines())
            unit = units.create_unit("pip", "Pip school")
            units.set_plugin_state("pl_pipped", unit, True)
            db.session.commit()
            assert "Installed by pip" in person(app, "piper", unit).get("/").text
    finally:
        sys.modules.pop("danwei_pl_pipped", None)
        invalidate_caches()
