"""Finding, checking and calling plugins.

Plugins are discovered through the ``danwei.plugins`` entry point group, loaded in name order,
and refused when their declared contract range excludes :data:`core.hookspecs.CONTRACT_VERSION`.
A plugin that fails to import, or raises in a hook, is recorded in :attr:`PluginHost.errors`,
logged and skipped; with ``STRICT_PLUGINS`` the failure is raised instead.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from flask import Flask, current_app
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from .. import hookspecs

log = logging.getLogger("danwei.plugins")

ENTRY_POINT_GROUP = "danwei.plugins"
CORE = "core"


class PluginFailure(RuntimeError):
    """Raised in strict mode when a plugin fails."""


@dataclass
class PluginInfo:
    name: str
    version: str
    contract: str
    module: ModuleType | None = None
    distribution: str = ""
    loaded: bool = False
    #: The module's ``DANWEI_LABEL``: the plugin's name for people, lazily translated.
    declared_label: Any = None

    @property
    def label(self) -> str:
        """What people read for the plugin: its ``DANWEI_LABEL``, else its entry-point name."""
        return str(self.declared_label) if self.declared_label is not None else self.name

    @property
    def package_dir(self) -> Path | None:
        """The plugin's package folder (None for a failed import or a single-file module)."""
        if self.module is None or not hasattr(self.module, "__path__"):
            return None
        return Path(self.module.__file__).parent

    @property
    def requires(self) -> dict[str, str]:
        """The module's ``DANWEI_REQUIRES``: other plugins it needs, name -> version range."""
        return dict(getattr(self.module, "DANWEI_REQUIRES", None) or {})

    @property
    def migrations_dir(self) -> Path | None:
        d = self.package_dir and self.package_dir / "migrations"
        return d if d and d.is_dir() else None


@dataclass
class PluginError:
    plugin: str
    where: str
    message: str
    detail: str = ""
    #: How often it happened: a hook failing on every page is listed once, not once a page.
    count: int = 1


@dataclass
class PluginHost:
    """The plugins of one application, and the single way core calls their hooks."""

    strict: bool = False
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    errors: list[PluginError] = field(default_factory=list)
    #: Filled by :func:`core.plugins.install.install_plugins`: what each plugin declared.
    permissions: dict[str, tuple[str, Any]] = field(default_factory=dict)
    role_specs: list[tuple[str, Any]] = field(default_factory=list)
    settings: dict[str, list[Any]] = field(default_factory=dict)

    def __post_init__(self):
        self.pm = pluggy.PluginManager("danwei")
        self.pm.add_hookspecs(hookspecs)

    # -- discovery -------------------------------------------------------------------------

    def register_core(self, module: ModuleType) -> None:
        self.pm.register(module, name=CORE)

    def discover(self) -> None:
        """Load every installed plugin, in name order, recording the ones refused."""
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = ep.dist
            info = PluginInfo(
                name=ep.name,
                version=dist.version if dist else "?",
                contract="",
                distribution=dist.metadata["Name"] if dist else "",
            )
            self.plugins[ep.name] = info
            try:
                module = ep.load()
            except Exception as exc:  # noqa: BLE001 - any import failure is reported
                self.fail(ep.name, "import", exc)
                continue
            info.module = module
            info.contract = getattr(module, "DANWEI_CONTRACT", "")
            info.declared_label = getattr(module, "DANWEI_LABEL", None)
            problem = contract_problem(info.contract)
            if problem:
                self.fail(ep.name, "contract", problem)
                continue
            try:
                self.pm.register(module, name=ep.name)
            except Exception as exc:  # pluggy validates hook names and arguments
                self.fail(ep.name, "register", exc)
                continue
            unknown = unknown_hooks(self.pm, ep.name)
            if unknown:
                # A misspelt hook would otherwise never be called, silently.
                self.pm.unregister(name=ep.name)
                self.fail(
                    ep.name,
                    "register",
                    f"implements {', '.join(unknown)}, which hook contract "
                    f"{hookspecs.CONTRACT_VERSION} does not define",
                )
                continue
            info.loaded = True
        self._refuse_unmet_requirements()

    def _refuse_unmet_requirements(self) -> None:
        """Unload every plugin whose ``DANWEI_REQUIRES`` names a plugin that is missing,
        refused, or outside the version range; again until none is left (a chain)."""
        changed = True
        while changed:
            changed = False
            for name in self.loaded:
                problem = self.requirement_problem(name)
                if problem:
                    self.pm.unregister(name=name)
                    self.plugins[name].loaded = False
                    self.fail(name, "requires", problem)
                    changed = True

    def requirement_problem(self, name: str) -> str | None:
        for needed, declared in self.plugins[name].requires.items():
            other = self.plugins.get(needed)
            if other is None:
                return f"needs plugin {needed} {declared}, which is not installed"
            if not other.loaded:
                return f"needs plugin {needed} {declared}, which failed to load"
            try:
                fits = Version(other.version) in SpecifierSet(declared or "")
            except (InvalidSpecifier, ValueError):
                return f"declares an invalid version range {declared!r} for {needed}"
            if not fits:
                return f"needs plugin {needed} {declared}, but {other.version} is installed"
        return None

    @property
    def loaded(self) -> list[str]:
        return [name for name, info in self.plugins.items() if info.loaded]

    def unload(self, name: str) -> None:
        """Stop calling *name*'s hooks (after it failed at start-up)."""
        if self.pm.get_plugin(name) is not None:
            self.pm.unregister(name=name)
        if name in self.plugins:
            self.plugins[name].loaded = False

    # -- calling ---------------------------------------------------------------------------

    def call(
        self, hook: str, only: set[str] | None = None, propagate: bool = False, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """Call *hook* on each plugin (core first, then by name) and return ``(plugin, result)``.

        *only* restricts the call to the named plugins (e.g. those enabled in a unit). A plugin
        that raises is recorded and skipped, unless *propagate* asks for the error to be raised
        (for calls whose failure must abort the caller's transaction).
        """
        caller = getattr(self.pm.hook, hook)
        impls = sorted(
            caller.get_hookimpls(), key=lambda i: (i.plugin_name != CORE, i.plugin_name)
        )
        results = []
        for impl in impls:
            if only is not None and impl.plugin_name not in only:
                continue
            args = {name: kwargs[name] for name in impl.argnames}
            try:
                result = impl.function(**args)
            except Exception as exc:  # noqa: BLE001 - fault isolation is the point
                self.fail(impl.plugin_name, hook, exc)
                if propagate:
                    raise
                continue
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    def collect(
        self, hook: str, only: set[str] | None = None, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """Like :meth:`call` for hooks returning lists: ``(plugin, item)`` for every item."""
        return [(name, item) for name, items in self.call(hook, only, **kwargs) for item in items]

    def isolated(self, plugin: str, where: str, work, cleanup=None):
        """Run ``work()`` on behalf of *plugin*; if it raises, run *cleanup* (e.g. roll back the
        session so the next plugin's queries still run on PostgreSQL), record the failure and
        return None. One plugin's widget, report or section must never break a whole page."""
        try:
            return work()
        except Exception as exc:  # noqa: BLE001 - fault isolation is the point
            if cleanup is not None:
                cleanup()
            self.fail(plugin, where, exc)
            return None

    def fail(self, plugin: str, where: str, exc: BaseException | str) -> None:
        message = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
        detail = "" if isinstance(exc, str) else traceback.format_exc()
        for known in self.errors:
            if (known.plugin, known.where, known.message) == (plugin, where, message):
                known.count += 1
                break
        else:
            self.errors.append(PluginError(plugin, where, message, detail))
        log.error("plugin %s failed in %s: %s", plugin, where, message)
        if self.strict:
            raise PluginFailure(f"plugin {plugin!r} failed in {where}: {message}")

    def label(self, plugin: str) -> str:
        """What people read for *plugin* (see :attr:`PluginInfo.label`)."""
        info = self.plugins.get(plugin)
        return info.label if info else plugin

    def errors_of(self, plugin: str) -> list[PluginError]:
        return [e for e in self.errors if e.plugin == plugin]


def unknown_hooks(pm: pluggy.PluginManager, name: str) -> list[str]:
    """Hook implementations of plugin *name* that match no hookspec."""
    plugin = pm.get_plugin(name)
    return sorted(
        caller.name for caller in pm.get_hookcallers(plugin) or () if caller.spec is None
    )


def contract_problem(declared: str) -> str | None:
    """Why a plugin declaring *declared* cannot run on this core, or None when it can."""
    if not declared:
        return "declares no DANWEI_CONTRACT range"
    try:
        spec = SpecifierSet(declared)
    except InvalidSpecifier:
        return f"declares an invalid DANWEI_CONTRACT {declared!r}"
    if Version(hookspecs.CONTRACT_VERSION) not in spec:
        return (
            f"supports hook contract {declared} but this core provides "
            f"{hookspecs.CONTRACT_VERSION}"
        )
    return None


def plugin_host(app: Flask | None = None) -> PluginHost:
    """The :class:`PluginHost` of *app* (default: the current application).

    The one way to reach the installed plugins: nothing else reads ``app.extensions``.
    """
    return (app or current_app).extensions["danwei"]
