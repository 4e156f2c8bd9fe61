"""Danwei installs from wheels and runs without a checkout.

``make wheels`` builds the wheels of core and of every bundled plugin; they are installed (not
editable) into a fresh virtualenv, whose own ``danwei`` then migrates and fills a new instance
folder, and whose Python runs ``tests/wheel_smoke.py``: demo users log in and open every page of
their menu. Everything runs in a folder outside the checkout with an isolated interpreter, so
nothing can be imported from the checkout by accident.

About two minutes, most of it pip fetching the dependencies, so it runs once per ``make test``:
in the SQLite pass. Skip it with ``-m "not wheel"``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "setup.cfg").is_file())

pytestmark = [
    pytest.mark.wheel,
    pytest.mark.skipif(
        not os.environ.get("DANWEI_TEST_DATABASE_URL", "sqlite").startswith("sqlite"),
        reason="slow: runs once, in the SQLite pass",
    ),
]


def run(*command, cwd: Path, env: dict | None = None, timeout: int = 600) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> dict[str, Path]:
    """The wheels ``make wheels`` builds, by distribution name (``danwei``, ``danwei_<p>``)."""
    dist = tmp_path_factory.mktemp("dist")
    run("make", "--no-print-directory", "wheels", f"DIST={dist}",
        f"BIN={Path(sys.executable).parent}", cwd=ROOT)
    return {w.name.split("-")[0]: w for w in dist.glob("*.whl")}


def expected_files() -> dict[str, list[tuple[Path, str]]]:
    """Per wheel, the checkout's data files and where the wheel must hold them."""
    def under(folder: Path, pattern: str, prefix: str) -> list[tuple[Path, str]]:
        return [(f, f"{prefix}/{f.relative_to(folder).as_posix()}") for f in folder.glob(pattern)
                if f.is_file() and "__pycache__" not in f.parts]

    core = (under(ROOT / "templates", "**/*", "core/templates")
            + under(ROOT / "migrations", "**/*", "core/migrations")
            + under(ROOT / "core/static", "*", "core/static")
            + under(ROOT / "core/translations", "*/LC_MESSAGES/*.po", "core/translations"))
    files = {"danwei": core}
    for plugin in PLUGINS:
        package = f"danwei_{plugin.name}"
        folder = plugin / package
        files[package] = (under(folder / "templates", "**/*", f"{package}/templates")
                          + under(folder / "static", "*", f"{package}/static")
                          + under(folder / "migrations", "**/*", f"{package}/migrations")
                          + under(folder / "translations", "*/LC_MESSAGES/*.po",
                                  f"{package}/translations"))
    return files


def test_wheels_hold_templates_migrations_static_and_catalogues(wheels):
    assert sorted(wheels) == sorted(["danwei", *(f"danwei_{p.name}" for p in PLUGINS)])
    for name, files in expected_files().items():
        assert files, f"nothing expected in {name}"
        held = set(zipfile.ZipFile(wheels[name]).namelist())
        # A catalogue ships compiled: the .mo beside each .po.
        wanted = {w.removesuffix(".po") + ".mo" if w.endswith(".po") else w for _f, w in files}
        assert not wanted - held, f"{wheels[name].name} lacks {sorted(wanted - held)}"
    assert "core/vendor/chart.js/dist/chart.umd.min.js" in zipfile.ZipFile(wheels["danwei"]).namelist()


def test_installed_wheels_migrate_load_the_demo_and_serve_every_menu_page(wheels, tmp_path):
    venv, elsewhere = tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    run(sys.executable, "-m", "venv", venv, cwd=elsewhere)
    bin_ = venv / "bin"
    run(bin_ / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        *wheels.values(), cwd=elsewhere)

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DANWEI_") and k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["DANWEI_INSTANCE_PATH"] = str(tmp_path / "instance")
    upgraded = run(bin_ / "danwei", "db", "upgrade", cwd=elsewhere, env=env)
    assert all(f"upgraded {p.name}" in upgraded for p in PLUGINS), upgraded
    assert "sl_teacher" in run(bin_ / "danwei", "demo", cwd=elsewhere, env=env)
    # -I: neither the script's folder (tests/) nor PYTHONPATH nor the user's site is on sys.path.
    out = run(bin_ / "python", "-I", ROOT / "tests" / "wheel_smoke.py", cwd=elsewhere, env=env)
    assert "admin:" in out and "sl_teacher:" in out
