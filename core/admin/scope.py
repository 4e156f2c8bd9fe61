"""What an administrator may touch: units and people inside the subtrees where they hold the
permission of the page, filtered in SQL. Objects outside answer 404, as if they did not exist.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, exists, func, select, true

from ..access import can_anywhere, require, unit_ids_where
from ..cache import request_cache
from ..extensions import db
from ..models import RoleAssignment, Unit, User
from ..pagination import page_number, page_size  # noqa: F401 - admin views import them here

#: Every permission that opens some administration page.
ADMIN_PERMISSIONS = (
    "core.manage_users",
    "core.manage_units",
    "core.assign_roles",
    "core.manage_plugins",
    "core.manage_settings",
    "core.view_audit",
)


def held_permissions() -> set[str]:
    """The admin permissions the current user holds somewhere (cached for the request)."""
    cache = request_cache("admin")
    if "held" not in cache:
        cache["held"] = {p for p in ADMIN_PERMISSIONS if can_anywhere(p)}
    return cache["held"]


def is_superuser() -> bool:
    return bool(current_user.is_authenticated and current_user.is_superuser)


def units_in_scope(permission: str) -> Select:
    """SQL select of the units where the current user holds *permission*, in tree order."""
    return select(Unit).where(Unit.id.in_(unit_ids_where(permission))).order_by(Unit.path)


def unit_or_404(unit_id: int | None, permission: str) -> Unit:
    unit = db.session.get(Unit, unit_id) if unit_id else None
    require(permission, unit)
    return unit


def user_scope(permission: str) -> ColumnElement[bool]:
    """SQL condition on :class:`User`: people the current user may manage with *permission*.

    A superuser sees everyone, people without a unit included. A unit administrator sees the
    people of their subtree whose every role is held inside it too, and never a superuser.
    Someone whose home is in one school but who holds a role elsewhere (the administrator of
    another organisation, say) is managed only by an administrator of both, or a superuser:
    whoever could reset their password could log in as them and act where they hold roles.
    """
    if is_superuser():
        return true()
    scope = unit_ids_where(permission).correlate(None)
    held_elsewhere = exists(
        select(RoleAssignment.id).where(RoleAssignment.user_id == User.id,
                                        RoleAssignment.unit_id.not_in(scope))
    )
    return User.unit_id.in_(scope) & User.is_superuser.is_(False) & ~held_elsewhere


def user_or_404(user_id: int, permission: str) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id, user_scope(permission)))
    if user is None:
        abort(404)
    return user


def unit_choices(permission: str, blank: str | None = None,
                 exclude: Unit | None = None) -> list[tuple[int, str]]:
    """``(id, indented label)`` of the units in scope, for a select; *exclude* drops a subtree."""
    units = list(db.session.scalars(units_in_scope(permission)))
    if exclude is not None:
        units = [u for u in units if not u.is_within(exclude)]
    top = min((u.depth for u in units), default=0)
    choices = [(u.id, f"{'　' * (u.depth - top)}{u.name} ({u.code})") for u in units]
    return ([(0, blank)] if blank is not None else []) + choices


def contains(column, text: str) -> ColumnElement[bool]:
    """Case-insensitive "*column* contains *text*", with LIKE wildcards in *text* escaped."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")
