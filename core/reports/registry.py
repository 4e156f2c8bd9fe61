"""The reports and period-report sections plugins declare, and who may see what of them.

Declarations are collected from ``register_reports`` and ``register_report_sections`` the first
time an application needs them. An invalid declaration is reported against its plugin and
skipped, like any other plugin failure.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import Select, exists, select

from ..access import enabled_plugins, enabled_unit_ids, plugin_of, unit_ids_where
from ..extensions import db
from ..models import Unit, User
from ..plugins import CORE, plugin_host
from .declarations import Report, ReportSection

EXTENSION = "danwei_reports"
#: Query parameters core uses itself; a report's filters may not take these names.
RESERVED = frozenset({"unit", "period", "table"})


def _load() -> dict:
    host = plugin_host()
    loaded = current_app.extensions.get(EXTENSION)
    if loaded is None:
        loaded = {
            "reports": _valid(host, "register_reports", Report),
            "sections": _valid(host, "register_report_sections", ReportSection),
        }
        current_app.extensions[EXTENSION] = loaded
    return loaded


def _valid(host, hook: str, kind: type) -> dict[str, tuple[str, Report | ReportSection]]:
    found: dict[str, tuple[str, Report | ReportSection]] = {}
    for plugin, item in host.collect(hook):
        ident = getattr(item, "id", repr(item))
        if not isinstance(item, kind):
            problem = f"{ident} must be a {kind.__name__}"
        elif plugin_of(item.id) != plugin:
            problem = f"{item.id} must be named {plugin}.<name>"
        elif plugin_of(item.permission) not in (plugin, CORE):
            problem = f"{item.id} needs {item.permission}, which belongs to another plugin"
        elif isinstance(item, Report) and RESERVED & {f.key for f in item.filters}:
            problem = f"{item.id}: a filter may not be named {', '.join(sorted(RESERVED))}"
        elif item.id in found:
            problem = f"{item.id} is declared twice"
        else:
            found[item.id] = (plugin, item)
            continue
        host.fail(plugin, hook, problem)
    return found


def reports() -> dict[str, tuple[str, Report]]:
    """``{report id: (plugin, Report)}`` for every loaded plugin."""
    return _load()["reports"]


def sections() -> list[tuple[str, ReportSection]]:
    """``(plugin, ReportSection)`` in the order they compose the period report."""
    found = _load()["sections"].values()
    return sorted(found, key=lambda ps: (ps[1].order, ps[0], str(ps[1].title)))


def scope(plugin: str, permission: str, unit: Unit, user: User | None = None) -> Select:
    """SQL: ids of the units in *unit*'s subtree where *user* holds *permission* and
    *plugin* is enabled. This is ``ReportContext.unit_ids``."""
    query = unit_ids_where(permission, user).where(Unit.is_within(unit))
    if plugin != CORE and plugin_of(permission) != plugin:
        query = query.where(Unit.id.in_(enabled_unit_ids(plugin)))
    return query


def covers_anything(ids: Select) -> bool:
    return bool(db.session.scalar(select(exists(ids))))


def available(user: User, unit: Unit | None) -> list[tuple[str, Report]]:
    """The reports *user* may run on *unit* or part of its subtree, in listing order."""
    if unit is None:
        return []
    found = [
        (plugin, report) for plugin, report in reports().values()
        if covers_anything(scope(plugin, report.permission, unit, user))
    ]
    return sorted(found, key=lambda pr: (pr[1].order, str(pr[1].title)))


def offered(unit: Unit | None) -> bool:
    """Whether core or a plugin enabled in *unit* declares any report or section (cheap: it
    decides whether the menu shows "Reports"; the list page then checks permissions)."""
    if unit is None:
        return False
    plugins = {CORE} | enabled_plugins(unit)
    loaded = _load()
    declared = [*loaded["reports"].values(), *loaded["sections"].values()]
    return any(plugin in plugins for plugin, _ in declared)
