"""Builds the ``danwei`` distribution; everything declarative is in setup.cfg.

Core's templates, migrations and Chart.js sit outside the ``core`` package in a checkout
(``templates/``, ``migrations/``, ``node_modules/``), where package data cannot reach. Building a
wheel copies them into the package, where ``core/paths.py`` looks first; an editable install
keeps reading them from the checkout, so nothing is copied for it. The build refuses to produce
a wheel that would start without its catalogues or charts.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent

#: Folder inside the ``core`` package of a wheel -> (folder of the checkout, files to copy).
#: Copies keep their path below the folder (core/paths.py relies on it).
SHIPPED = {
    "templates": ("templates", ["**/*"]),
    "migrations": ("migrations", ["**/*"]),
    # The page loads the minified UMD build only; the licence travels with it (MIT).
    "vendor/chart.js": ("node_modules/chart.js", ["dist/chart.umd.min.js", "LICENSE.md"]),
}
#: What ``make translations`` compiles (``*.mo`` files are not in git).
CATALOGUES = "core/translations/*/LC_MESSAGES/*.mo"


class BuildPyWithShippedFolders(build_py):
    """``build_py`` that also copies the checkout's top-level folders into ``core/``."""

    def run(self):
        super().run()
        if self.editable_mode:
            return
        if not list(HERE.glob(CATALOGUES)):
            raise SystemExit(f"no compiled catalogue ({CATALOGUES}): run `make translations`")
        for packaged, (source, patterns) in SHIPPED.items():
            self._copy(HERE / source, patterns, Path(self.build_lib) / "core" / packaged)

    def _copy(self, source: Path, patterns: list[str], target: Path) -> None:
        files = sorted({f for p in patterns for f in source.glob(p)
                        if f.is_file() and "__pycache__" not in f.parts})
        if not files:
            raise SystemExit(f"{source} is missing or empty (Chart.js: run `npm ci`)")
        shutil.rmtree(target, ignore_errors=True)  # no file deleted since the last build
        for f in files:
            copy = target / f.relative_to(source)
            self.mkpath(str(copy.parent))
            self.copy_file(str(f), str(copy))


setup(cmdclass={"build_py": BuildPyWithShippedFolders})
