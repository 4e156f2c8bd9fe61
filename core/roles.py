"""Roles declared by core and plugins, stored so that administrators can adjust them."""

from __future__ import annotations

from sqlalchemy import select

from . import audit
from .access import enabled_plugins
from .extensions import db
from .models import Role, RoleAssignment, RolePermission, Unit, User


def sync_declared_roles(host) -> None:
    """Insert declared roles that are missing; refresh permissions of roles nobody customised."""
    existing = {r.name: r for r in db.session.scalars(select(Role))}
    for plugin, spec in host.role_specs:
        role = existing.get(spec.name)
        if role is None:
            role = Role(name=spec.name, plugin=plugin, label=str(spec.label))
            db.session.add(role)
        elif role.customised:
            continue
        role.label = str(spec.label)
        wanted = set(spec.permissions)
        role.permissions = [p for p in role.permissions if p.permission in wanted] + [
            RolePermission(permission=p) for p in sorted(wanted - role.permission_names)
        ]
    db.session.flush()


def role_by_name(name: str) -> Role:
    role = db.session.scalar(select(Role).where(Role.name == name))
    if role is None:
        raise LookupError(f"no role named {name!r}; is its plugin installed and migrated?")
    return role


def assign(user: User, role: Role | str, unit: Unit) -> RoleAssignment:
    """Give *user* *role* in *unit* (idempotent) and audit it."""
    role = role_by_name(role) if isinstance(role, str) else role
    found = db.session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user.id,
            RoleAssignment.role_id == role.id,
            RoleAssignment.unit_id == unit.id,
        )
    )
    if found:
        return found
    assignment = RoleAssignment(user=user, role=role, unit=unit)
    db.session.add(assignment)
    audit.record(
        "core.role_assigned", subject=user, unit=unit,
        summary=f"{user.username} ← {role.name} @ {unit.code}",
    )
    return assignment


def revoke(assignment: RoleAssignment) -> None:
    audit.record(
        "core.role_revoked", subject=assignment.user, unit=assignment.unit,
        summary=f"{assignment.user.username} ✗ {assignment.role.name} @ {assignment.unit.code}",
    )
    db.session.delete(assignment)


def set_role_permissions(role: Role, permissions: set[str]) -> None:
    """Replace *role*'s permissions by an administrator's choice; keeps it from then on."""
    before = role.permission_names
    role.permissions = [p for p in role.permissions if p.permission in permissions] + [
        RolePermission(permission=p) for p in sorted(permissions - before)
    ]
    role.customised = True
    audit.record(
        "core.role_permissions_changed", subject=role,
        summary=role.name,
        data={"added": sorted(permissions - before), "removed": sorted(before - permissions)},
    )


def assignable_roles(unit: Unit) -> list[Role]:
    """Roles that make sense in *unit*: core's and those of plugins enabled there."""
    plugins = {"core"} | enabled_plugins(unit)
    return list(db.session.scalars(
        select(Role).where(Role.plugin.in_(plugins)).order_by(Role.plugin != "core", Role.name)
    ))
