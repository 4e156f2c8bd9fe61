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

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased

from .extensions import db, login_manager
from .models import PluginState, RoleAssignment, RolePermission, Unit, User
from .plugins import CORE

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


# -- plugin enablement --------------------------------------------------------------------------


def enabled_unit_ids(plugin: str) -> Select:
    """SQL: ids of the units where *plugin* is enabled.

    A unit inherits the nearest state recorded on itself or an ancestor: enabling a school
    enables its classes, unless a class below records a disable.
    """
    if plugin == CORE:
        return select(Unit.id)
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
    """Names of the loaded plugins enabled for *unit* (one query, cached per request)."""
    host = current_app.extensions["danwei"]
    if unit is None:
        return set()
    cache = g.setdefault("_danwei_enabled", {})
    if unit.id not in cache:
        ancestors = unit.ancestor_ids
        depth = {uid: i for i, uid in enumerate(ancestors)}
        nearest: dict[str, tuple[int, bool]] = {}
        rows = db.session.execute(
            select(PluginState.plugin, PluginState.unit_id, PluginState.enabled).where(
                PluginState.unit_id.in_(ancestors)
            )
        )
        for plugin, unit_id, enabled in rows:
            if plugin not in nearest or depth[unit_id] > nearest[plugin][0]:
                nearest[plugin] = (depth[unit_id], enabled)
        cache[unit.id] = {p for p, (_, on) in nearest.items() if on and p in host.loaded}
    return cache[unit.id]


def is_enabled(plugin: str, unit: Unit) -> bool:
    return plugin == CORE or plugin in enabled_plugins(unit)


# -- checks ------------------------------------------------------------------------------------


def _user(user: User | None) -> User | None:
    user = user if user is not None else current_user
    if user is None or not user.is_authenticated or not user.active:
        return None
    return user


def _grants(user: User) -> list[tuple[str, str]]:
    """``(unit path, permission)`` for every permission *user* holds, cached per request."""
    cache = g.setdefault("_danwei_grants", {})
    if user.id not in cache:
        cache[user.id] = list(
            db.session.execute(
                select(Unit.path, RolePermission.permission)
                .join(RoleAssignment, RoleAssignment.unit_id == Unit.id)
                .join(RolePermission, RolePermission.role_id == RoleAssignment.role_id)
                .where(RoleAssignment.user_id == user.id)
            )
        )
    return cache[user.id]


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


def unit_ids_where(permission: str, user: User | None = None) -> Select:
    """SQL: ids of the units where *user* holds *permission*; use as ``col.in_(...)``."""
    user = _user(user)
    if user is None:
        return select(Unit.id).where(False)
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
    if user.is_superuser and plugin_of(permission) == CORE:
        return True  # even before the first unit exists, so that it can be created
    return bool(db.session.scalar(select(exists(unit_ids_where(permission, user)))))
