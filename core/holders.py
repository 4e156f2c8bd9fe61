"""Who holds a role in a unit: the query behind person pickers, notices and "who answers here".

A role is held *in a unit* and applies to the unit's subtree (:mod:`core.access`), so "who is a
class teacher of class 1" asks for assignments in class 1 and — for a role held higher up —
in the units above it. A role of a plugin that is disabled in the unit is held by nobody
there, as :func:`core.access.can` says.

Both functions return a SQL ``select(User)`` of active accounts, each person once, without an
order, so a caller adds its own filter and order (``.where(User.unit_id == class_.id)``,
``.order_by(User.name)``) and runs it with ``db.session.scalars``.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, or_, select

from .access import is_enabled, plugin_of
from .models import Role, RoleAssignment, RolePermission, Unit, User


def holders(role: str, unit: Unit, *, include_ancestors: bool = True,
            include_subtree: bool = False) -> Select:
    """Active users who hold *role* (``<plugin>.<role>``) in *unit*.

    :param include_ancestors: count a role held above *unit* (it applies here too); False asks
        who holds it in *unit* itself.
    :param include_subtree: count a role held below *unit* as well ("the class teachers of
        this school").
    :return: ``select(User)``, unordered.
    """
    assigned = (select(RoleAssignment.user_id)
                .join(Role, Role.id == RoleAssignment.role_id)
                .where(Role.name == role))
    return _people(plugin_of(role), unit, assigned, include_ancestors, include_subtree)


def permission_holders(permission: str, unit: Unit, *, include_ancestors: bool = True,
                       include_subtree: bool = False) -> Select:
    """Active users who hold *permission* in *unit* through a role (whatever the role is
    called, and however an administrator changed its permissions). System administrators
    pass every check without a role and are not listed unless they hold one.

    Parameters as for :func:`holders`.
    """
    assigned = (select(RoleAssignment.user_id)
                .join(RolePermission, RolePermission.role_id == RoleAssignment.role_id)
                .where(RolePermission.permission == permission))
    return _people(plugin_of(permission), unit, assigned, include_ancestors, include_subtree)


def _people(plugin: str, unit: Unit, assigned: Select, include_ancestors: bool,
            include_subtree: bool) -> Select:
    if not is_enabled(plugin, unit):
        return select(User).where(false())
    assigned = assigned.where(_units(unit, include_ancestors, include_subtree))
    return select(User).where(User.active.is_(True), User.id.in_(assigned))


def _units(unit: Unit, include_ancestors: bool, include_subtree: bool) -> ColumnElement[bool]:
    places = [RoleAssignment.unit_id.in_(unit.ancestor_ids if include_ancestors else [unit.id])]
    if include_subtree:
        places.append(RoleAssignment.unit_id.in_(select(Unit.id).where(Unit.is_within(unit))))
    return or_(*places)
