"""Who decides a step: resolved when the step opens, in the applicant's unit ancestry.

A :class:`~.definitions.RoleApprover` is whoever holds the role in the nearest unit (of the
given kind) above the applicant; a :class:`~.definitions.UserApprover` or
:class:`~.definitions.FieldApprover` is one named person. When nobody (active) is found, the
step goes to a fallback — the step's fallback role, the same role further up, else the
workflow administrators (:data:`~.queries.MANAGE`) — and :func:`resolve` returns a record of
what was wrong, so a request is never stuck on an empty chair and can always say why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Role, RoleAssignment, RolePermission, Unit, User
from .definitions import RoleApprover, Step, UserApprover
from .models import (
    VIA_FALLBACK_ADMIN,
    VIA_FALLBACK_ROLE,
    VIA_FALLBACK_UP,
    VIA_ROLE,
    VIA_USER,
    WorkflowInstance,
    WorkflowStep,
)
from .queries import MANAGE, pending_assignments
from .registry import step_definition


def ancestry(unit: Unit) -> list[Unit]:
    """*unit* and the units above it, nearest first."""
    ids = unit.ancestor_ids
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    return [units[i] for i in reversed(ids) if i in units]


def _role_holders(role: str, unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """``{unit id: [holders of role there]}``, deactivated accounts included."""
    found: dict[int, list[User]] = {}
    rows = db.session.execute(
        select(RoleAssignment.unit_id, User)
        .join(Role, Role.id == RoleAssignment.role_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(Role.name == role, RoleAssignment.unit_id.in_(list(unit_ids)))
        .order_by(User.id)
    )
    for unit_id, user in rows:
        found.setdefault(unit_id, []).append(user)
    return found


def nearest_active(role: str, units: list[Unit], applicant_id: int) -> list[User]:
    """The active holders of *role* in the first of *units* having any (not the applicant)."""
    holders = _role_holders(role, [u.id for u in units])
    for unit in units:
        active = [u for u in holders.get(unit.id, []) if u.active and u.id != applicant_id]
        if active:
            return active
    return []


def workflow_admins(unit: Unit, exclude: int | None = None) -> list[User]:
    """The nearest holders of :data:`MANAGE` up from *unit*, else the system administrators."""
    units = ancestry(unit)
    rows = db.session.execute(
        select(RoleAssignment.unit_id, User)
        .join(RolePermission, RolePermission.role_id == RoleAssignment.role_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(RolePermission.permission == MANAGE,
               RoleAssignment.unit_id.in_([u.id for u in units]), User.active.is_(True))
        .order_by(User.id)
    ).all()
    for u in units:
        found = [user for unit_id, user in rows if unit_id == u.id and user.id != exclude]
        if found:
            return list(dict.fromkeys(found))
    return list(db.session.scalars(
        select(User).where(User.is_superuser.is_(True), User.active.is_(True),
                           User.id != (exclude or 0)).order_by(User.id)
    ))


@dataclass
class Resolution:
    users: list[User]
    via: str
    #: Set when the step went to a fallback: what was wrong and where it went (JSON-ready).
    fallback: dict | None = None


def resolve(approver, step: Step, unit: Unit, applicant: User,
            fields: Mapping[str, Any] | None = None) -> Resolution:
    """Who decides for *approver* of *step* in a request from *unit* by *applicant*.

    *fields* are the request's fields, read by a :class:`FieldApprover`.
    """
    units = ancestry(unit)
    record: dict[str, Any] = {"at_unit": unit.name}
    home: Unit | None = None
    if isinstance(approver, RoleApprover):
        record["approver"] = f"role:{approver.role}"
        if approver.at:
            home = next((u for u in units if u.kind == approver.at), None)
            holders = _role_holders(approver.role, [home.id]).get(home.id, []) if home else []
        else:
            by_unit = _role_holders(approver.role, [u.id for u in units])
            home = next((u for u in units if u.id in by_unit), None)
            holders = by_unit.get(home.id, []) if home else []
        active = [u for u in holders if u.active and u.id != applicant.id]
        if active:
            return Resolution(active, VIA_ROLE)
        if home is None:
            record["problem"] = "no_unit" if approver.at else "vacant"
            record["kind"] = approver.at or ""
        else:
            record["unit"] = home.name
            inactive = [u.name for u in holders if not u.active]
            record["problem"] = ("inactive" if inactive else
                                 "applicant" if holders else "vacant")
            record["inactive"] = inactive
    else:
        username = (approver.username if isinstance(approver, UserApprover)
                    else str((fields or {}).get(approver.field) or ""))
        record["approver"] = f"user:{username}"
        user = db.session.scalar(select(User).where(User.username == username)) \
            if username else None
        if user is not None and user.active and user.id != applicant.id:
            return Resolution([user], VIA_USER)
        record["problem"] = "applicant" if user is not None and user.active else "missing_user"
        record["user"] = user.name if user is not None else username

    # Fallback: the configured role, else the same role further up, else the administrators.
    above = units
    if home is not None:
        above = [u for u in units if u.depth < home.depth]
    users, via = [], None
    if step.fallback_role:
        users = nearest_active(step.fallback_role, units if home is None else
                                [u for u in units if u.depth <= home.depth], applicant.id)
        via = VIA_FALLBACK_ROLE
        record["fallback_role"] = step.fallback_role
    if not users and isinstance(approver, RoleApprover):
        users = nearest_active(approver.role, above, applicant.id)
        via = VIA_FALLBACK_UP
    if not users:
        users = workflow_admins(unit, exclude=applicant.id)
        via = VIA_FALLBACK_ADMIN
    record["via"] = via if users else None
    record["to"] = [u.name for u in users]
    return Resolution(users, via or VIA_FALLBACK_ADMIN, record)


def transfer_candidates(instance: WorkflowInstance, step: WorkflowStep) -> list[User]:
    """Active holders, in the applicant's ancestry, of the step's roles (or its fallback and
    transfer roles) who are not yet asked to decide it."""
    dstep = step_definition(instance, step)
    if dstep is None:
        return []
    roles = set(dstep.roles) | set(dstep.transfer_roles)
    if dstep.fallback_role:
        roles.add(dstep.fallback_role)
    if not roles:
        return []
    taken = {a.user_id for a in pending_assignments(step)} | {instance.applicant_id}
    users = db.session.scalars(
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .join(Role, Role.id == RoleAssignment.role_id)
        .where(Role.name.in_(roles), RoleAssignment.unit_id.in_(instance.unit.ancestor_ids),
               User.active.is_(True))
        .order_by(User.name, User.id)
    ).unique()
    return [u for u in dict.fromkeys(users) if u.id not in taken]
