"""The plugin benchmark interface: ``bench/run.py`` imports every ``bench/plugins/*.py``, calls
its ``generate(app, rng, small)`` after core's data, and the load driver measures its pages."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FAKE = '''
from core.api import db


def generate(app, rng, small):
    from core import units
    parent = units.create_unit("bench-fake", "Fake " + str(rng.random())[:4], "organisation")
    db.session.flush()
    return {"counts": {"things": 10 if small else 1000},
            "pages": [{"name": "fake: dashboard", "user": "fake_user", "path": "/"}]}
'''


@pytest.fixture
def bench_run():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_an_empty_or_missing_folder_has_no_plugin(bench_run, tmp_path):
    assert bench_run.plugin_modules(tmp_path) == []
    assert bench_run.plugin_modules(tmp_path / "missing") == []


def test_each_plugin_module_generates_and_lists_its_pages(bench_run, app, tmp_path):
    (tmp_path / "fake.py").write_text(FAKE, encoding="utf-8")
    (tmp_path / "_helpers.py").write_text("raise AssertionError('not a plugin')", "utf-8")
    modules = bench_run.plugin_modules(tmp_path)
    assert [m.__name__ for m in modules] == ["bench_plugin_fake"]
    with app.app_context():
        found = bench_run.run_plugin_generators(app, True, modules)
        from core.models import Unit
        from core.extensions import db

        assert db.session.query(Unit).filter_by(code="bench-fake").count() == 1
    assert found["counts"] == {"fake: things": 10}
    assert found["pages"] == [{"name": "fake: dashboard", "user": "fake_user", "path": "/",
                               "plugin": "fake"}]

    from bench import load

    pages = load.Pages("http://127.0.0.1:1", {"accounts": {}, "leave_ids": [1],
                                              "plugin_pages": found["pages"]})
    names = [name for name, _, _ in pages.reads()]
    assert names[-1] == "fake: dashboard" and load.NAIVE in names


def test_a_page_without_its_user_is_refused(bench_run, app, tmp_path):
    (tmp_path / "bad.py").write_text(
        "def generate(app, rng, small):\n    return {'pages': [{'name': 'x', 'path': '/'}]}\n",
        encoding="utf-8")
    with app.app_context(), pytest.raises(ValueError, match="name, user, path"):
        bench_run.run_plugin_generators(app, True, bench_run.plugin_modules(tmp_path))
