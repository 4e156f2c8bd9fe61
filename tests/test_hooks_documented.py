"""Every hook of the contract is documented, tested and has a docstring.

Hooks are found by introspection (the ``danwei`` hookspec marker), so a hook added to
``core/hookspecs.py`` without a ``### name(...)`` section in ``docs/hooks.md`` or a
``test_hook_<name>`` function somewhere under ``tests/`` fails here.
"""

import ast
import functools
import inspect
import re
from pathlib import Path

import pytest

from core import hookspecs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "hooks.md"


def hook_names() -> list[str]:
    return sorted(
        name for name, value in vars(hookspecs).items()
        if callable(value) and hasattr(value, f"{hookspecs.hookspec.project_name}_spec")
    )


def documented_sections() -> dict[str, str]:
    """``{hook name: its argument list}`` from the ``### name(args)`` headings of the docs."""
    text = DOCS.read_text(encoding="utf-8")
    return {m[1]: m[2] for m in re.finditer(r"^### (\w+)\(([^)]*)\)", text, re.MULTILINE)}


@functools.cache
def hook_test_names() -> frozenset[str]:
    names = set()
    for path in (ROOT / "tests").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names |= {
            node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_hook_")
        }
    return frozenset(names)


HOOKS = hook_names()


def test_the_contract_has_hooks():
    assert len(HOOKS) >= 13
    assert {"register_blueprints", "menu_items", "demo_data"} <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented(hook):
    sections = documented_sections()
    assert hook in sections, f"docs/hooks.md needs a section '### {hook}(...)'"
    declared = list(inspect.signature(getattr(hookspecs, hook)).parameters)
    listed = [a.strip() for a in sections[hook].split(",") if a.strip()]
    assert listed == declared, f"'### {hook}(...)' should list the arguments {declared}"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_tested(hook):
    assert f"test_hook_{hook}" in hook_test_names(), (
        f"add a test named test_hook_{hook} under tests/ showing what the hook does"
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_docstring(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook))
    assert doc and doc.strip(), f"core.hookspecs.{hook} needs a docstring"
    for arg in inspect.signature(getattr(hookspecs, hook)).parameters:
        assert f":param {arg}:" in doc, f"core.hookspecs.{hook} should document :param {arg}:"


def test_docs_have_no_section_for_a_hook_that_does_not_exist():
    assert set(documented_sections()) <= set(HOOKS)
