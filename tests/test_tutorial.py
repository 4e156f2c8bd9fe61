"""``docs/tutorial.md`` shows the files of the tutorial's plugin, ``docs/tutorial/visitors``,
exactly: a block that drifts from the tested plugin fails here, and so does a file of the
plugin that the tutorial never shows (a reader following it would miss it)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"
PLUGIN = ROOT / "docs" / "tutorial" / "visitors"
#: ``File `visitors/<path>`...:`` then a blank line, then the fenced block of that file.
BLOCK = re.compile(r"^File `visitors/([^`]+)`[^\n]*:\n\n```\w*\n(.*?)\n```$", re.M | re.S)
#: Written by the tools, not by the reader.
GENERATED = ("*.mo", "*.pot")
#: Left by Python and by a run of the plugin's tests in its own folder.
SCRATCH = {"__pycache__", "test-artifacts", "build", "instance"}


def blocks() -> dict[str, str]:
    found: dict[str, str] = {}
    for path, text in BLOCK.findall(TUTORIAL.read_text(encoding="utf-8")):
        assert path not in found, f"docs/tutorial.md shows {path} twice"
        found[path] = text
    return found


def plugin_files() -> list[str]:
    return sorted(
        path.relative_to(PLUGIN).as_posix() for path in PLUGIN.rglob("*")
        if path.is_file() and not set(path.parts) & SCRATCH
        and not any(part.endswith(".egg-info") or part.startswith(".") for part in path.parts)
        and not any(path.match(pattern) for pattern in GENERATED)
    )


def translations(text: bytes) -> dict[str, str]:
    return {m.id: m.string for m in read_po(io.BytesIO(text)) if m.id}


def test_the_tutorial_shows_every_file_of_its_plugin():
    assert sorted(blocks()) == plugin_files()


@pytest.mark.parametrize("path", plugin_files())
def test_each_block_is_the_plugins_file(path):
    shown, file = blocks()[path], PLUGIN / path
    if file.suffix == ".po":  # the reader's catalogue also says where each string is used
        assert translations(shown.encode()) == translations(file.read_bytes())
        assert all(translations(shown.encode()).values()), "an untranslated string"
    else:
        assert shown == file.read_text(encoding="utf-8").rstrip("\n"), (
            f"docs/tutorial.md shows another {path} than docs/tutorial/visitors/{path}")


def test_the_plugin_tested_is_the_tutorials(app):
    """``make install`` installs it from docs/tutorial/visitors, so ``make test`` runs its
    tests and core's cross-plugin gates on it."""
    info = app.extensions["danwei"].plugins["visitors"]
    assert info.loaded, info.errors if hasattr(info, "errors") else info
    assert Path(info.package_dir).resolve() == PLUGIN / "danwei_visitors"
