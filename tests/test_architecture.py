"""Plugins import from core only its public API: ``core.api`` and ``core.hookspecs``.

An import-linter contract is generated for every plugin package installed through the
``danwei.plugins`` entry points (found when the test runs, so a bundled plugin added later is
covered without editing this file) and checked with import-linter's own engine.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import grimp
import pytest
from importlinter import api as _configure_importlinter  # noqa: F401 - sets up its adapters
from importlinter.application.use_cases import lint_imports

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
            "as_packages = False",
            "allow_indirect_imports = True",
        ]
    return "\n".join(lines) + "\n"


def check(packages: list[str], tmp_path, capsys) -> tuple[bool, str]:
    config = tmp_path / "importlinter.ini"
    config.write_text(contract_config(packages), encoding="utf-8")
    capsys.readouterr()
    kept = lint_imports(config_filename=str(config), cache_dir=None, no_logo=True)
    return kept, capsys.readouterr().out


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
