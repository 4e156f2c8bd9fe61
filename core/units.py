"""The organisation tree: creating, moving and finding units.

Switching plugins per unit lives in :mod:`core.plugins.enablement`; ``set_plugin_state`` is
still importable from here for the callers written before it moved.
"""

from __future__ import annotations

from sqlalchemy import select

from .extensions import db
from .models import Unit
from .plugins.enablement import set_plugin_state

__all__ = ["by_code", "create_unit", "move_unit", "set_plugin_state", "subtree"]


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
