"""Which plugins are enabled in which units, and switching them.

Installing a plugin makes it available; an administrator enables it for a unit, and the unit's
subtree inherits the nearest enable or disable recorded on itself or an ancestor. The records
are read once per request (:func:`plugin_states`); :func:`enabled_unit_ids` gives the same
answer as SQL for filtering lists.
"""

from __future__ import annotations

from sqlalchemy import ARRAY, Integer, Select, any_, exists, false, literal, select, true
from sqlalchemy.orm import aliased

from .. import audit
from ..cache import forget, remember, request_cache
from ..extensions import db
from ..models import PluginState, Unit
from .host import CORE, plugin_host


def enabled_unit_ids(plugin: str) -> Select:
    """SQL: ids of the units where *plugin* is enabled.

    A unit inherits the nearest state recorded on itself or an ancestor: enabling a school
    enables its classes, unless a class below records a disable. Worked out from the
    enable/disable records already loaded (:func:`enabled_unit_list`): every unit when the
    plugin is enabled everywhere, else the list of ids (one array on PostgreSQL).
    """
    if plugin == CORE:
        return select(Unit.id)
    ids = enabled_unit_list(plugin)
    if ids is None:
        return select(Unit.id)
    return select(Unit.id).where(unit_id_in(Unit.id, ids))


def enabled_units_clause(column, plugin: str):
    """SQL condition: *column* (a unit id) is a unit where *plugin* is enabled; ``true()``
    when it is enabled everywhere (no filter at all)."""
    if plugin == CORE:
        return true()
    ids = enabled_unit_list(plugin)
    return true() if ids is None else unit_id_in(column, ids)


def unit_id_in(column, ids: list[int]):
    """``column IN ids``; on PostgreSQL one array parameter (a county's thousand units as a
    thousand parameters would cost more to send and plan than the query)."""
    if not ids:
        return false()
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(ids, ARRAY(Integer)))
    return column.in_(ids)


def enabled_unit_list(plugin: str) -> list[int] | None:
    """Ids of the units where *plugin* (and every plugin it needs) is enabled, from the
    records read once (and kept across requests until a record or a unit changes); None when
    that is every unit."""
    cache = request_cache("enabled units")
    if plugin not in cache:
        cache[plugin] = remember(("enabled units", plugin), ("plugins", "units"),
                                 lambda: _enabled_unit_list(plugin))
    found = cache[plugin]
    return None if found == _EVERYWHERE else found


#: The cached answer meaning "every unit".
_EVERYWHERE = "everywhere"


def _enabled_unit_list(plugin: str) -> list[int] | str:
    states = plugin_states()
    wanted = [plugin, *sorted(_requires(plugin))]
    units = db.session.execute(select(Unit.id, Unit.path)).all()
    ids = [uid for uid, path in units
           if all(enabled_at(path, states.get(p, [])) for p in wanted)]
    return _EVERYWHERE if len(ids) == len(units) else ids


def enabled_unit_ids_subquery(plugin: str) -> Select:
    """The same as :func:`enabled_unit_ids`, as one SQL statement over the records (no list
    worked out in Python): kept for comparison in tests."""
    if plugin == CORE:
        return select(Unit.id)
    # The statement depends on nothing but the plugin's name, and building it costs more
    # Python than running it: build it once per process.
    needs = tuple(sorted(_requires(plugin)))
    key = (plugin, needs)
    if key not in _ENABLED:
        query = _enabled_unit_ids(plugin)
        for other in needs:  # inert where a plugin it needs is disabled
            query = query.where(Unit.id.in_(enabled_unit_ids(other)))
        _ENABLED[key] = query
    return _ENABLED[key]


def _requires(plugin: str) -> dict[str, str]:
    info = plugin_host().plugins.get(plugin)
    return info.requires if info is not None and info.module is not None else {}


_ENABLED: dict[tuple[str, tuple[str, ...]], Select] = {}


def _enabled_unit_ids(plugin: str) -> Select:
    enabler, disabler = aliased(Unit), aliased(Unit)
    on, off = aliased(PluginState), aliased(PluginState)
    overridden = (
        select(off.id)
        .join(disabler, disabler.id == off.unit_id)
        .where(
            off.plugin == plugin,
            off.enabled.is_(False),
            Unit.path.like(disabler.path + "%"),
            disabler.depth > enabler.depth,
        )
        .correlate(Unit, enabler)
    )
    enabled_here = (
        select(on.id)
        .join(enabler, enabler.id == on.unit_id)
        .where(
            on.plugin == plugin,
            on.enabled.is_(True),
            Unit.path.like(enabler.path + "%"),
            ~exists(overridden),
        )
        .correlate(Unit)
    )
    return select(Unit.id).where(exists(enabled_here))


def enabled_plugins(unit: Unit | None) -> set[str]:
    """Names of the loaded plugins enabled for *unit*: for each, the nearest enable/disable
    record up the tree says (no query: the records are read once per request)."""
    host = plugin_host()
    if unit is None:
        return set()
    cache = request_cache("enabled plugins")
    if unit.id not in cache:
        found = {plugin for plugin, states in plugin_states().items()
                 if plugin in host.loaded and enabled_at(unit.path, states)}
        # A plugin is inert where a plugin it needs is not enabled (a chain too).
        while unmet := {p for p in found if not set(_requires(p)) <= found}:
            found -= unmet
        cache[unit.id] = found
    return cache[unit.id]


def is_enabled(plugin: str, unit: Unit) -> bool:
    return plugin == CORE or plugin in enabled_plugins(unit)


def forget_plugin_states() -> None:
    """Drop what this request remembered of enable/disable records (they just changed)."""
    forget("plugin states", "enabled plugins", "enabled units", "scopes", "menu")


def plugin_states() -> dict[str, list[tuple[str, int, bool]]]:
    """``plugin -> [(unit path, depth, enabled)]`` of every enable/disable record, per request."""
    cache = request_cache("plugin states")
    if "all" not in cache:  # and across requests, until a record or a unit changes
        cache["all"] = remember(("plugin states",), ("plugins", "units"), _plugin_states)
    return cache["all"]


def _plugin_states() -> dict[str, list[tuple[str, int, bool]]]:
    found: dict[str, list[tuple[str, int, bool]]] = {}
    for plugin, path, depth, enabled in db.session.execute(
        select(PluginState.plugin, Unit.path, Unit.depth, PluginState.enabled)
        .join(Unit, Unit.id == PluginState.unit_id)
    ):
        found.setdefault(plugin, []).append((path, depth, enabled))
    return found


def enabled_at(path: str, states: list[tuple[str, int, bool]]) -> bool:
    """Whether the unit at *path* has the plugin enabled: its nearest record up the tree."""
    above = [(depth, enabled) for p, depth, enabled in states if path.startswith(p)]
    return bool(above) and max(above)[1]


def enabled_in_subtree(path: str, states: list[tuple[str, int, bool]]) -> bool:
    """Whether some unit of the subtree at *path* has the plugin enabled: the unit itself, or
    any unit below with a record that enables it."""
    if enabled_at(path, states):
        return True
    return any(enabled and p.startswith(path) and p != path for p, _, enabled in states)


def set_plugin_state(plugin: str, unit: Unit, enabled: bool) -> None:
    """Enable or disable *plugin* for *unit*'s subtree, call its hook and audit the change."""
    host = plugin_host()
    if plugin not in host.loaded:
        raise LookupError(plugin)
    if enabled:
        missing = [other for other in _requires(plugin) if not is_enabled(other, unit)]
        if missing:
            raise ValueError(f"{plugin} needs {', '.join(missing)}, which is not enabled for "
                             f"{unit.code}; enable it first")
    state = db.session.scalar(
        select(PluginState).where(PluginState.plugin == plugin, PluginState.unit_id == unit.id)
    )
    if state is None:
        state = PluginState(plugin=plugin, unit_id=unit.id)
        db.session.add(state)
    state.enabled = enabled
    db.session.flush()
    forget_plugin_states()
    host.call(
        "on_unit_enable" if enabled else "on_unit_disable", only={plugin}, propagate=True, unit=unit
    )
    audit.record(
        "core.plugin_enabled" if enabled else "core.plugin_disabled",
        subject=("plugin", plugin),
        unit=unit,
        summary=f"{plugin} {'enabled' if enabled else 'disabled'} for {unit.code}",
    )
