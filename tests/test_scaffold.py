"""``danwei plugin new``: the generated plugin installs, passes its own tests on the current
database, and shows in ``danwei plugins list``."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import invalidate_caches

import pytest

from core.cli import main
from core.scaffold import ScaffoldError, answers
from core.testing_browser import CHROMIUM


def pip_install(folder, target):
    """A real ``pip install`` of *folder* into *target* (offline, as tests/test_plugins.py)."""
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", "--quiet", "--target", str(target),
         str(folder)],
        capture_output=True, text=True, timeout=300,
    )
    if pip.returncode != 0 and "bdist_wheel" in pip.stdout + pip.stderr:
        pytest.skip("pip cannot build a wheel offline here (setuptools>=70.1 is needed)")
    assert pip.returncode == 0, pip.stdout + pip.stderr


def test_a_generated_plugin_passes_its_own_tests_and_is_listed(tmp_path, cli, make_app,
                                                                monkeypatch):
    folder = tmp_path / "sc_visitors"
    result = cli("plugin", "new", "sc_visitors", "--to", str(folder), "--label", "Visitors",
                 "--label-zh", "访客登记")
    assert result.exit_code == 0, result.output
    for path in ("setup.cfg", "danwei_sc_visitors/migrations/script.py.mako",
                 "danwei_sc_visitors/translations/zh_CN/LC_MESSAGES/danwei_sc_visitors.mo",
                 "danwei_sc_visitors/templates/sc_visitors/form.html", "tests/test_sc_visitors.py"):
        assert (folder / path).is_file(), path
    site = tmp_path / "site"
    pip_install(folder, site)

    # Its own tests, on the database this run uses (DANWEI_TEST_DATABASE_URL is inherited),
    # with warnings as errors as core's own suite runs. The source folder comes first on the
    # path, as after ``pip install -e`` (its translations gate reads babel.cfg there).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
        str(folder), str(site), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-W", "error",
         "tests"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout, run.stdout[-2000:]
    if os.access(CHROMIUM, os.X_OK):  # else only the browser gate may skip (it fails in CI)
        assert "skipped" not in run.stdout, run.stdout[-2000:]
    assert "TestGates" in subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider",
         "tests"], cwd=folder, env=env, capture_output=True, text=True, timeout=300).stdout

    monkeypatch.syspath_prepend(str(site))
    invalidate_caches()
    try:
        app = make_app()
        info = app.extensions["danwei"].plugins["sc_visitors"]
        assert info.loaded and info.contract == ">=1.1,<2"
        with app.app_context():
            listing = app.test_cli_runner().invoke(main, ["plugins", "list"]).output
        assert any(line.split()[:2] == ["sc_visitors", "0.1.0"] for line in listing.splitlines()), listing
        assert "label: Visitors" in listing
    finally:
        for module in [m for m in sys.modules if m.startswith("danwei_sc_visitors")]:
            del sys.modules[module]
        invalidate_caches()


@pytest.mark.parametrize("name", ["Visitors", "1st", "a", "with-dash", "trailing_", "x" * 40])
def test_bad_names_are_refused(name):
    with pytest.raises(ScaffoldError):
        answers(name)


def test_the_command_refuses_a_folder_in_use(tmp_path, cli):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    result = cli("plugin", "new", "sc_taken", "--to", str(tmp_path / "taken"))
    assert result.exit_code != 0 and "not empty" in result.output
