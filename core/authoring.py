"""What ``danwei messages`` and ``danwei plugins check`` do for a plugin's author.

Both work on an installed plugin (``pip install -e`` of its folder): its package folder comes
from the plugin host, its project folder (``babel.cfg``) is the package's parent.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from .plugins import plugin_host
from .plugins.host import contract_problem

KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "gettext", "-k", "ngettext:1,2",
            "-k", "lazy_ngettext:1,2"]
LOCALE = "zh_CN"


def package_of(name: str) -> Path:
    host = plugin_host()
    info = host.plugins.get(name)
    if info is None or info.package_dir is None:
        raise LookupError(f"plugin {name!r} is not installed (pip install -e its folder)")
    return info.package_dir


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(name: str, pot: Path) -> Path:
    """Extract plugin *name*'s msgids (its Python and templates) into *pot*."""
    package = package_of(name)
    project = package.parent
    mapping = project / "babel.cfg"
    if not mapping.is_file():
        raise LookupError(f"{mapping} is missing; is {project} the plugin's source folder?")
    # From the project folder, as ``make messages`` does: the catalogue's comments then name
    # files relative to it, not this machine's paths.
    with contextlib.chdir(project):
        _pybabel("extract", "-F", "babel.cfg", *KEYWORDS, "--ignore-dirs",
                 ".* _* node_modules", "-o", str(pot.absolute()), ".")
    return pot


def update_messages(name: str) -> Path:
    """Extract, create or update (``zh_CN``), and compile plugin *name*'s catalogue, as
    ``make messages`` and ``make translations`` do for the bundled plugins; returns the .po."""
    package = package_of(name)
    domain = package.name
    translations = package / "translations"
    translations.mkdir(exist_ok=True)  # a plugin's first run: nothing translated yet
    pot = extract(name, translations / f"{domain}.pot")
    po = translations / LOCALE / "LC_MESSAGES" / f"{domain}.po"
    if po.is_file():
        _pybabel("update", "--no-fuzzy-matching", "--ignore-obsolete", "-l", LOCALE,
                 "-D", domain, "-i", str(pot), "-d", str(translations))
    else:
        _pybabel("init", "-l", LOCALE, "-D", domain, "-i", str(pot), "-d", str(translations))
    _pybabel("compile", "-D", domain, "-d", str(translations))
    return po


def untranslated(name: str) -> list[str]:
    """Msgids of plugin *name*'s code and templates that its zh_CN catalogue lacks or leaves
    untranslated (or fuzzy)."""
    package = package_of(name)
    po = package / "translations" / LOCALE / "LC_MESSAGES" / f"{package.name}.po"
    with tempfile.TemporaryDirectory() as scratch:
        pot = extract(name, Path(scratch) / "messages.pot")
        with pot.open("rb") as handle:
            wanted = [m.id for m in read_po(handle) if m.id]
    if not po.is_file():
        return [str(i) for i in wanted]
    with po.open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for msgid in wanted:
        message = catalog.get(msgid)
        strings = message.string if message else None
        done = message is not None and not message.fuzzy and (
            all(strings) if isinstance(strings, tuple) else bool(strings))
        if not done:
            missing.append(str(msgid))
    return missing


@dataclass
class Report:
    """What ``danwei plugins check`` found: one line per problem."""

    plugin: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(name: str) -> Report:
    """Contract range, declarations and view access (the host refuses a plugin that fails
    them, with the reason), models against migrations, and translations."""
    from . import schema

    report = Report(name)
    host = plugin_host()
    info = host.plugins.get(name)
    if info is None:
        report.problems.append("not installed")
        return report
    problem = contract_problem(info.contract)
    if problem:
        report.problems.append(f"contract: {problem}")
    for error in host.errors_of(name):
        report.problems.append(f"{error.where}: {error.message}")
    if not info.loaded:
        return report
    current = {n: (c, h) for n, c, h in schema.status()}
    if name in current:
        revision, head = current[name]
        if revision != head:
            report.problems.append(
                f"migrations: database at {revision or 'base'}, head is {head}; run "
                "`danwei db upgrade` first")
        else:
            for diff in schema.compare(name):
                report.problems.append(f"models differ from migrations: {diff}")
    try:
        for msgid in untranslated(name):
            report.problems.append(f"translations: {msgid!r} is not translated")
    except LookupError as exc:
        report.problems.append(f"translations: {exc}")
    return report
