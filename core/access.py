"""Who may do what, where.

A permission is held through a role assigned in a unit and applies to that unit's subtree. A
plugin's permissions are inert in units where the plugin is not enabled. Checks come in two
shapes that always agree: :func:`can` for one object's unit, :func:`unit_ids_where` as a SQL
subquery for filtering lists.

Every view declares its access with one of :func:`permission_required`,
:func:`login_required_only` or :func:`public`; :func:`enforce_access` runs before every request
and refuses views that declare nothing (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Integer, Select, any_, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from .cache import remember, request_cache, user_topics
from .extensions import db, login_manager
from .models import RoleAssignment, RolePermission, Unit, User
from .plugins import CORE
from .plugins.enablement import (  # noqa: F401 - enablement names are read from here too
    enabled_at,
    enabled_in_subtree,
    enabled_plugins,
    enabled_unit_ids,
    forget_plugin_states,
    is_enabled,
    plugin_states,
)

ACCESS_ATTR = "_danwei_access"
PUBLIC = "public"
LOGIN = "login"


def plugin_of(permission: str) -> str:
    """The plugin that owns *permission* (``school_leave.approve`` → ``school_leave``)."""
    return permission.split(".", 1)[0]


# -- declaring access on views ----------------------------------------------------------------


def permission_required(permission: str) -> Callable:
    """Declare that a view needs *permission* in at least one unit.

    The view still checks the object it touches with :func:`require`.
    """

    def mark(view):
        setattr(view, ACCESS_ATTR, permission)
        return view

    return mark


def login_required_only(view):
    """Declare that a view only needs a logged-in user (it scopes its own data)."""
    setattr(view, ACCESS_ATTR, LOGIN)
    return view


def public(view):
    """Declare that a view is open to anonymous visitors (login page, static files)."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def declared_access(view) -> str | None:
    return getattr(view, ACCESS_ATTR, None)


def is_static_endpoint(endpoint: str) -> bool:
    return endpoint == "static" or endpoint.endswith(".static")


def enforce_access():
    """``before_request``: apply the view's declared access; refuse undeclared views."""
    endpoint = request.endpoint
    if endpoint is None or is_static_endpoint(endpoint):
        return None
    rule = declared_access(current_app.view_functions[endpoint])
    if rule is None:
        current_app.logger.error("view %s declares no access; refused", endpoint)
        abort(403)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.must_change_password and endpoint not in {
        "auth.change_password",
        "auth.logout",
        "auth.set_language",
    }:
        return redirect(url_for("auth.change_password"))
    if rule == LOGIN:
        return None
    if not can_anywhere(rule):
        # A plugin's routes do not exist for someone who may not use it anywhere (it may be
        # disabled in all their units); core pages say plainly that access is refused.
        abort(403 if plugin_of(rule) == CORE else 404)
    return None


# -- checks ------------------------------------------------------------------------------------


def _user(user: User | None) -> User | None:
    user = user if user is not None else current_user
    if user is None or not user.is_authenticated or not user.active:
        return None
    return user


def _grants(user: User) -> list[tuple[str, str]]:
    """``(unit path, permission)`` for every permission *user* holds, cached per request."""
    cache = request_cache("grants")
    if user.id not in cache:  # and across requests, until a role or a unit changes
        cache[user.id] = remember(("grants", user.id), ("roles", "units"), lambda: [
            tuple(row) for row in db.session.execute(
                select(Unit.path, RolePermission.permission)
                .join(RoleAssignment, RoleAssignment.unit_id == Unit.id)
                .join(RolePermission, RolePermission.role_id == RoleAssignment.role_id)
                .where(RoleAssignment.user_id == user.id)
            )
        ])
    return cache[user.id]


def _holders(permission: str, user: User) -> set[str]:
    """Paths of the units where *user* holds *permission* through a role."""
    return {path for path, perm in _grants(user) if perm == permission}


def can(permission: str, unit: Unit | None, user: User | None = None) -> bool:
    """Whether *user* (default: the current user) holds *permission* in *unit*."""
    user = _user(user)
    if user is None or unit is None:
        return False
    plugin = plugin_of(permission)
    if not is_enabled(plugin, unit):
        return False
    if user.is_superuser:
        return True
    return any(
        perm == permission and unit.path.startswith(path) for path, perm in _grants(user)
    )


def require(permission: str, unit: Unit | None, user: User | None = None) -> None:
    """Abort with 404 unless *user* holds *permission* in *unit* (no hint that it exists)."""
    if not can(permission, unit, user):
        abort(404)


#: Scopes of up to this many units are listed by id (see :func:`unit_ids_where`).
LISTED_UNITS = 5000


def unit_ids_where(permission: str, user: User | None = None) -> Select:
    """SQL: ids of the units where *user* holds *permission*; use as ``col.in_(...)``.

    A scope of up to :data:`LISTED_UNITS` units (a class, a school) is worked out once per
    request and handed to the database as its list of ids: with the ids in hand, PostgreSQL
    knows how many rows a school has and walks a date index for "newest first, page 3"
    instead of sorting the county. A wider scope stays the subquery itself.
    """
    user = _user(user)
    if user is None:
        return select(Unit.id).where(False)
    cache = request_cache("scopes")
    key = (permission, user.id)
    if key not in cache:
        # Kept across requests until the user's roles, the units or the plugins change.
        ids = None if user.is_superuser else remember(
            ("scope ids", permission, user.id), user_topics(user.id),
            lambda: (_scope_ids(permission, user),))[0]
        cache[key] = _unit_ids_where(permission, user) if ids is None else _listed(ids)
    return cache[key]


def _listed(ids: list[int]) -> Select:
    """``select id from units where id in (ids)``; on PostgreSQL the ids travel as one array
    (a county's thousand units as a thousand parameters would cost more than the query)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return select(Unit.id).where(Unit.id == any_(literal(ids, ARRAY(Integer))))
    return select(Unit.id).where(Unit.id.in_(ids))


def _scope_ids(permission: str, user: User) -> list[int] | None:
    """The ids of the units where *user* holds *permission* and its plugin is enabled, from
    the grants and the enable/disable records (both read once per request); None when there
    are more than :data:`LISTED_UNITS`. The same answer as :func:`_unit_ids_where`."""
    holders = _holders(permission, user)
    if not holders:
        return []
    rows = db.session.execute(
        select(Unit.id, Unit.path)
        .where(or_(*(Unit.path.like(path + "%") for path in sorted(holders))))
        .limit(LISTED_UNITS + 1)
    ).all()
    if len(rows) > LISTED_UNITS:
        return None
    plugin = plugin_of(permission)
    if plugin == CORE:
        return [unit_id for unit_id, _ in rows]
    states = plugin_states().get(plugin, [])
    return [unit_id for unit_id, path in rows if enabled_at(path, states)]


def _unit_ids_where(permission: str, user: User) -> Select:
    plugin = plugin_of(permission)
    if user.is_superuser:
        query = select(Unit.id)
    else:
        holder = aliased(Unit)
        query = (
            select(Unit.id)
            .join(holder, Unit.path.like(holder.path + "%"))
            .join(RoleAssignment, RoleAssignment.unit_id == holder.id)
            .join(RolePermission, RolePermission.role_id == RoleAssignment.role_id)
            .where(RoleAssignment.user_id == user.id, RolePermission.permission == permission)
        )
    if plugin != CORE:
        query = query.where(Unit.id.in_(enabled_unit_ids(plugin)))
    return query


def can_anywhere(permission: str, user: User | None = None) -> bool:
    """Whether *user* holds *permission* in at least one unit."""
    user = _user(user)
    if user is None:
        return False
    plugin = plugin_of(permission)
    if user.is_superuser and plugin == CORE:
        return True  # even before the first unit exists, so that it can be created
    # The same answer as ``exists(unit_ids_where(...))``, worked out from the grants and the
    # plugin's enable/disable records, both read once per request: every page asks this for
    # its own permission, its menu entries and its buttons.
    states = plugin_states().get(plugin, []) if plugin != CORE else None
    if user.is_superuser:
        return any(enabled for _, _, enabled in states)
    holders = _holders(permission, user)
    if states is None:
        return bool(holders)
    return any(enabled_in_subtree(path, states) for path in holders)
