"""A plugin's tests use the same doors as the plugin: ``core.api`` and the test kit.

The bundled plugins' test suites (and their ``testing.py`` helpers) may import from core only
``core.api``, ``core.testing`` and its kit ``core.testing_kit`` (``PluginGates``), like a
plugin written elsewhere from the tutorial. A test that needs more from core shows a fixture missing from :mod:`core.testing`; add it there.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {"core.api", "core.testing", "core.testing_kit"}


def core_imports(source: str) -> set[str]:
    """Every ``core`` module *source* imports (``from core import x`` counts as ``core.x``)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "core"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == "core":
            if node.module == "core":
                found |= {f"core.{a.name}" for a in node.names}
            else:
                found.add(node.module)
    return found


def plugin_test_files() -> list[Path]:
    files = []
    for plugin in sorted((ROOT / "plugins").iterdir()):
        files += sorted((plugin / "tests").rglob("*.py"))
        files += sorted(plugin.glob("danwei_*/testing.py"))
    return files


def test_there_are_plugin_tests_to_check():
    assert len(plugin_test_files()) > 10


@pytest.mark.parametrize("path", plugin_test_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_plugin_tests_import_only_the_api_and_the_test_kit(path):
    wrong = core_imports(path.read_text(encoding="utf-8")) - ALLOWED
    assert not wrong, f"{path.relative_to(ROOT)} imports {sorted(wrong)}"


@pytest.mark.parametrize("line", ["from core.extensions import db", "import core.jobs",
                                  "from core import units", "    from core.units import x"])
def test_the_check_sees_an_import_of_core_internals(line):
    source = f"def f():\n{line}\n" if line.startswith(" ") else line
    assert core_imports(source) - ALLOWED


def test_the_check_allows_the_public_doors():
    assert not core_imports("from core.api import db\nfrom core.testing import TEST_PASSWORD\n"
                            "import core.api\n") - ALLOWED
