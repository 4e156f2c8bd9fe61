"""The import rules, checked with import-linter's own engine.

- Plugins import from core only its public API: ``core.api`` and ``core.hookspecs`` (one
  ``forbidden`` contract per plugin package installed through the ``danwei.plugins`` entry
  points, found when the test runs, so a bundled plugin added later is covered without editing
  this file).
- Core is layered: views above services above models (:data:`CORE_LAYERS`), so that no import
  cycle through the app can come back.
- Each plugin is layered the same way by the names of its modules (:data:`PLUGIN_LAYERS`).

Each kind of contract is also shown to fail, on a throwaway module that breaks it.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from importlib.metadata import entry_points
from pathlib import Path

import grimp
import pytest
from importlinter import api as _configure_importlinter  # noqa: F401 - sets up its adapters
from importlinter.application.use_cases import lint_imports

import core
from core.plugins import ENTRY_POINT_GROUP

PUBLIC = ("core.api", "core.hookspecs")


def installed_plugin_packages() -> list[str]:
    """Top-level import packages of the installed plugins, e.g. ``danwei_school_leave``."""
    return sorted({
        ep.value.split(":")[0].split(".")[0] for ep in entry_points(group=ENTRY_POINT_GROUP)
    })


def contract_config(packages: list[str]) -> str:
    """An import-linter configuration with one ``forbidden`` contract per plugin package.

    Every module of the plugin is a source, every module of core except the public two is
    forbidden; ``as_packages = False`` so that ``core.api`` stays allowed although it lives in
    ``core``, and indirect imports are allowed because ``core.api`` itself uses core's
    internals.
    """
    graph = grimp.build_graph("core", *packages, cache_dir=None)
    forbidden = sorted(m for m in graph.find_descendants("core") if m not in PUBLIC)
    lines = ["[importlinter]", "root_packages =", "    core"]
    lines += [f"    {p}" for p in packages]
    for package in packages:
        sources = sorted({package, *graph.find_descendants(package)})
        # Another plugin may be imported only when declared in DANWEI_REQUIRES.
        needed = {f"danwei_{name}" for name in
                  getattr(importlib.import_module(package), "DANWEI_REQUIRES", None) or {}}
        others = sorted(p for p in packages if p != package and p not in needed)
        lines += [
            "",
            f"[importlinter:contract:{package}]",
            f"name = {package} imports from core only {' and '.join(PUBLIC)}",
            "type = forbidden",
            "source_modules =",
            *(f"    {m}" for m in sources),
            "forbidden_modules =",
            "    core",
            *(f"    {m}" for m in forbidden),
            *(f"    {m}" for other in others
              for m in sorted({other, *graph.find_descendants(other)})),
            "as_packages = False",
            "allow_indirect_imports = True",
        ]
    return "\n".join(lines) + "\n"


def check(packages: list[str], tmp_path, capsys) -> tuple[bool, str]:
    return lint(contract_config(packages), tmp_path, capsys)


def lint(config_text: str, tmp_path, capsys) -> tuple[bool, str]:
    config = tmp_path / "importlinter.ini"
    config.write_text(config_text, encoding="utf-8")
    capsys.readouterr()
    kept = lint_imports(config_filename=str(config), cache_dir=None, no_logo=True)
    return kept, capsys.readouterr().out


# -- core's layers ----------------------------------------------------------------------------

#: Core's layers, highest first: a module may import its own layer and the layers below, never
#: a layer above, not even through other modules. A name stands for the module and everything
#: below it, except what another layer names (``core.reports.views`` is a view inside the
#: services package ``core.reports``). A core module no layer names fails the test: add it.
#: ``core`` itself (the app factory, which imports everything) is above them all.
CORE_LAYERS = {
    "public API and entry points": ("core.api", "core.cli", "core.testing",
                                    "core.testing_browser", "core.testing_a11y",
                                    "core.testing_kit", "core.apidoc"),
    "views and request wiring": (
        "core.web", "core.auth", "core.home", "core.admin",
        "core.forms", "core.attachments.views", "core.attachments.forms",
        "core.notifications.views",
        "core.reports.views", "core.workdays.views", "core.workflow.views",
        "core.health", "core.logs", "core.tasks.views", "core.tasks.builtin",
        "core.workflow.inbox", "core.workflow.panel", "core.workflow.forms",
        "core.plugins.install", "core.plugins.corehooks", "core.expired_forms",
    ),
    "services": (
        "core.access", "core.audit", "core.settings", "core.units", "core.users", "core.roles",
        "core.demo", "core.schema", "core.timing", "core.jobs", "core.attachments",
        "core.notifications", "core.reports", "core.workdays", "core.workflow", "core.plugins",
        "core.tasks", "core.backup", "core.storage", "core.storage_s3", "core.secretbox",
        "core.holders", "core.pagination", "core.authoring", "core.scaffold",
    ),
    "models and extensions": (
        "core.models", "core.extensions", "core.declarations", "core.hookspecs", "core.i18n",
        "core.cache", "core.args", "core.config", "core.paths", "core.localtime",
        "core.spreadsheet",
    ),
}


def covered(module: str, names) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def layer_modules(graph, layers: dict[str, tuple[str, ...]]) -> list[list[str]]:
    """The modules of each layer as import-linter takes them (each with its descendants).

    A named package holding a module another layer names is split into its children; its own
    ``__init__`` is then in no layer, and is checked only on the way of an import chain.
    """
    named = {name for names in layers.values() for name in names}

    def expand(module: str) -> list[str]:
        if not any(other.startswith(module + ".") for other in named):
            return [module]
        children = sorted(graph.find_children(module))
        return [found for child in children if child not in named for found in expand(child)]

    return [sorted(m for name in names for m in expand(name)) for names in layers.values()]


def layers_contract(key: str, name: str, layers: list[list[str]]) -> list[str]:
    """An import-linter ``layers`` contract; modules of one layer may import each other."""
    lines = ["", f"[importlinter:contract:{key}]", f"name = {name}", "type = layers", "layers ="]
    lines += [f"    {' : '.join(modules)}" for modules in layers if modules]
    return lines


def core_layers_config() -> str:
    graph = grimp.build_graph("core", cache_dir=None)
    unnamed = sorted(m for m in graph.modules
                     if m != "core" and not covered(m, [n for v in CORE_LAYERS.values()
                                                        for n in v]))
    assert not unnamed, f"name these modules in a layer of CORE_LAYERS: {unnamed}"
    lines = ["[importlinter]", "root_packages =", "    core"]
    lines += layers_contract("core-layers", "core: " + " above ".join(CORE_LAYERS),
                             layer_modules(graph, CORE_LAYERS))
    return "\n".join(lines) + "\n"


def test_core_is_layered(tmp_path, capsys):
    kept, report = lint(core_layers_config(), tmp_path, capsys)
    assert kept, report
    assert "core: public API and entry points above views" in report


@pytest.fixture
def core_copy(tmp_path, monkeypatch):
    """A throwaway copy of core's modules, found in place of core by the graph builder only.

    import-linter finds a package through ``importlib.util.find_spec``, which answers from
    ``sys.modules`` first: the loaded ``core`` is put aside for the test (nothing is imported
    meanwhile) and restored after it.
    """
    copy = tmp_path / "site" / "core"
    shutil.copytree(Path(core.__file__).parent, copy,
                    ignore=shutil.ignore_patterns("static", "translations", "__pycache__"))
    monkeypatch.syspath_prepend(str(copy.parent))
    monkeypatch.delitem(sys.modules, "core")
    return copy


@pytest.mark.parametrize(("probe", "source", "broken"), [
    # A service reaching up to a view: the cycle through the app that was broken up.
    ("notifications/probe.py", "from core.admin import bp\n",
     "core.notifications.probe -> core.admin"),
    # A model reaching up to a service, named in the models' layer for the test.
    ("models_probe.py", "from core import access\n", "core.models_probe -> core.access"),
])
def test_the_core_layers_fail_for_an_import_upwards(core_copy, tmp_path, capsys, monkeypatch,
                                                    probe, source, broken):
    (core_copy / probe).write_text(source, encoding="utf-8")
    if probe == "models_probe.py":
        bottom = "models and extensions"
        monkeypatch.setitem(CORE_LAYERS, bottom, (*CORE_LAYERS[bottom], "core.models_probe"))
    kept, report = lint(core_layers_config(), tmp_path, capsys)
    assert not kept
    assert "BROKEN" in report and broken in report


def test_every_core_module_has_a_layer(core_copy):
    (core_copy / "newcomer.py").write_text("", encoding="utf-8")
    with pytest.raises(AssertionError, match="core.newcomer"):
        core_layers_config()


GOOD = """
from core.api import MenuItem, hookimpl
from core import hookspecs

from .views import bp


@hookimpl
def register_blueprints():
    return [bp]
"""

GOOD_VIEWS = """
from flask import Blueprint

from core.api import login_required_only

bp = Blueprint("pl_arch_good", __name__)


@bp.route("/")
@login_required_only
def index():
    return "fine"
"""

BAD_VIEWS = """
from core.api import hookimpl
from core.models import User
from core import access
"""


def test_every_installed_plugin_imports_only_the_public_api(make_plugin, tmp_path, capsys):
    # A sound throwaway plugin is checked too, so the contract runs even before any bundled
    # plugin is installed.
    make_plugin("pl_arch_good", GOOD, files={"views.py": GOOD_VIEWS})
    packages = installed_plugin_packages()
    assert "danwei_pl_arch_good" in packages
    kept, report = check(packages, tmp_path, capsys)
    assert kept, report
    assert "danwei_pl_arch_good imports from core only" in report


def test_the_contract_fails_for_a_plugin_importing_core_internals(make_plugin, tmp_path, capsys):
    make_plugin("pl_arch_bad", "from .views import *\n", files={"views.py": BAD_VIEWS})
    kept, report = check(["danwei_pl_arch_bad"], tmp_path, capsys)
    assert not kept
    assert "BROKEN" in report
    assert "danwei_pl_arch_bad.views -> core.models" in report
    assert "danwei_pl_arch_bad.views -> core.access" in report
    assert "-> core.api" not in report  # the public API stays allowed


@pytest.mark.parametrize("line", ["import core", "from core import create_app"])
def test_the_core_package_itself_is_not_public(make_plugin, tmp_path, capsys, line):
    make_plugin("pl_arch_root", line + "\n")
    kept, report = check(["danwei_pl_arch_root"], tmp_path, capsys)
    assert not kept, report
    assert "danwei_pl_arch_root -> core" in report


# -- each plugin's layers ---------------------------------------------------------------------

#: A plugin's layers, highest first, by the names of its top-level modules; a module under any
#: other name is a service, in the middle. The package's ``__init__`` (its hooks, which wire
#: everything together) is above them all.
PLUGIN_LAYERS = {"views": ("views",), "services": None, "models": ("models", "i18n")}


def plugin_layers(graph, package: str) -> list[list[str]]:
    children = sorted(graph.find_children(package))
    named = {n for names in PLUGIN_LAYERS.values() if names for n in names}
    return [
        [c for c in children if (c.rpartition(".")[2] in names if names is not None
                                 else c.rpartition(".")[2] not in named)]
        for names in PLUGIN_LAYERS.values()
    ]


def plugin_layers_config(packages: list[str]) -> str:
    """One ``layers`` contract per plugin package with modules in two layers or more."""
    graph = grimp.build_graph(*packages, cache_dir=None)
    lines = ["[importlinter]", "root_packages ="] + [f"    {p}" for p in packages]
    for package in packages:
        layers = plugin_layers(graph, package)
        if sum(1 for modules in layers if modules) > 1:
            lines += layers_contract(f"{package}-layers",
                                     f"{package}: {' above '.join(PLUGIN_LAYERS)}", layers)
    return "\n".join(lines) + "\n"


LAYERED = {
    "__init__.py": "from .views import bp\n",
    "views.py": "from . import notes\nfrom .models import Note\n",
    "notes.py": "from .models import Note\n",
    "models.py": "Note = object\n",
}


def test_every_installed_plugin_is_layered(make_plugin, tmp_path, capsys):
    # A sound throwaway plugin is checked too, so a layers contract runs whatever is installed.
    make_plugin("pl_arch_layered", LAYERED["__init__.py"],
                files={k: v for k, v in LAYERED.items() if k != "__init__.py"})
    packages = installed_plugin_packages()
    kept, report = lint(plugin_layers_config(packages), tmp_path, capsys)
    assert kept, report
    assert "danwei_pl_arch_layered: views above services above models KEPT" in report
    for bundled in {"danwei_school_leave", "danwei_property_reports"} & set(packages):
        assert f"{bundled}: views above services above models KEPT" in report


@pytest.mark.parametrize(("module", "source", "broken"), [
    ("models.py", "from .views import bp\n", "models -> danwei_pl_arch_upward.views"),
    ("notes.py", "from . import views\n", "notes -> danwei_pl_arch_upward.views"),
])
def test_the_plugin_layers_fail_for_an_import_upwards(make_plugin, tmp_path, capsys, module,
                                                      source, broken):
    files = {k: v for k, v in LAYERED.items() if k != "__init__.py"}
    files[module] = source
    make_plugin("pl_arch_upward", LAYERED["__init__.py"], files=files)
    kept, report = lint(plugin_layers_config(["danwei_pl_arch_upward"]), tmp_path, capsys)
    assert not kept
    assert "BROKEN" in report and f"danwei_pl_arch_upward.{broken}" in report


@pytest.mark.parametrize("declared", [False, True])
def test_importing_another_plugin_needs_declaring_it(make_plugin, tmp_path, capsys, declared):
    make_plugin("pl_arch_base", GOOD, files={"views.py": GOOD_VIEWS})
    requires = 'DANWEI_REQUIRES = {"pl_arch_base": ">=0.1"}\n' if declared else ""
    make_plugin("pl_arch_user", requires + "from danwei_pl_arch_base import views\n")
    kept, report = check(["danwei_pl_arch_base", "danwei_pl_arch_user"], tmp_path, capsys)
    assert kept == declared, report
    if not declared:
        assert "danwei_pl_arch_user -> danwei_pl_arch_base" in report
