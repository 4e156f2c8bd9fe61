"""The organisation tree and the per-unit enablement of plugins."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from . import access, audit
from .extensions import db
from .models import PluginState, Unit
from .plugins import plugin_host


def create_unit(code: str, name: str, kind: str = "unit", parent: Unit | None = None,
                sort_order: int = 0) -> Unit:
    """Add a unit under *parent* (or as a root) and compute its path."""
    unit = Unit(code=code, name=name, kind=kind, parent=parent, sort_order=sort_order)
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    unit.depth = parent.depth + 1 if parent else 0
    return unit


def move_unit(unit: Unit, new_parent: Unit | None) -> None:
    """Re-hang *unit* (and its subtree) under *new_parent*."""
    if new_parent is not None and new_parent.is_within(unit):
        raise ValueError("a unit cannot move into its own subtree")
    old_path, old_depth = unit.path, unit.depth
    unit.parent = new_parent
    unit.path = f"{new_parent.path if new_parent else '/'}{unit.id}/"
    unit.depth = new_parent.depth + 1 if new_parent else 0
    for child in db.session.scalars(
        select(Unit).where(Unit.path.like(old_path + "%"), Unit.id != unit.id)
    ):
        child.path = unit.path + child.path[len(old_path):]
        child.depth = child.depth - old_depth + unit.depth


def subtree(unit: Unit):
    """SQL select of *unit* and every unit below it."""
    return select(Unit).where(Unit.path.like(unit.path + "%")).order_by(Unit.path)


def by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def set_plugin_state(plugin: str, unit: Unit, enabled: bool) -> None:
    """Enable or disable *plugin* for *unit*'s subtree, call its hook and audit the change."""
    host = plugin_host()
    if plugin not in host.loaded:
        raise LookupError(plugin)
    state = db.session.scalar(
        select(PluginState).where(PluginState.plugin == plugin, PluginState.unit_id == unit.id)
    )
    if state is None:
        state = PluginState(plugin=plugin, unit_id=unit.id)
        db.session.add(state)
    state.enabled = enabled
    db.session.flush()
    access.forget_plugin_states()
    host.call(
        "on_unit_enable" if enabled else "on_unit_disable", only={plugin}, propagate=True, unit=unit
    )
    audit.record(
        "core.plugin_enabled" if enabled else "core.plugin_disabled",
        subject=("plugin", plugin),
        unit=unit,
        summary=f"{plugin} {'enabled' if enabled else 'disabled'} for {unit.code}",
    )


def purge_plugin_data(plugin: str, unit: Unit, export_dir: Path) -> Path:
    """Export then delete *plugin*'s data for *unit*'s subtree; returns the export file.

    The caller has asked for confirmation. The export is written before anything is deleted.
    """
    host = plugin_host()
    exported = dict(host.call("unit_data_export", only={plugin}, propagate=True, unit=unit))
    export_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = export_dir / f"{plugin}-{unit.code}-{stamp}.json"
    target.write_text(
        json.dumps(exported.get(plugin, {}), ensure_ascii=False, default=str, indent=1),
        encoding="utf-8",
    )
    host.call("on_unit_purge", only={plugin}, propagate=True, unit=unit)
    audit.record(
        "core.plugin_purged",
        subject=("plugin", plugin),
        unit=unit,
        summary=f"{plugin} data purged for {unit.code}",
        data={"export": target.name},
    )
    return target
