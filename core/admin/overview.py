"""The administration overview: what there is in one's scope, and what is broken."""

from __future__ import annotations

from flask import abort, render_template
from sqlalchemy import func, select

from ..access import login_required_only, unit_ids_where
from ..extensions import db
from ..models import AuditEvent, User
from ..plugins import plugin_host
from . import bp
from .scope import held_permissions, is_superuser, units_in_scope, user_scope


@bp.route("/")
@login_required_only  # any admin permission opens it, and a superuser even before any unit exists
def index():
    """Administration overview: counts in scope, links, plugin errors."""
    held = held_permissions()
    if not (held or is_superuser()):
        abort(403)
    host = plugin_host()
    counts = {}
    if "core.manage_users" in held or is_superuser():
        rows = db.session.execute(
            select(User.active, func.count()).where(user_scope("core.manage_users"))
            .group_by(User.active)
        ).all()
        by_state = dict(rows)
        counts["active"] = by_state.get(True, 0)
        counts["inactive"] = by_state.get(False, 0)
    if "core.manage_units" in held or is_superuser():
        counts["units"] = db.session.scalar(
            select(func.count()).select_from(units_in_scope("core.manage_units").subquery())
        )
    recent = []
    if "core.view_audit" in held or is_superuser():
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(8)
        if not is_superuser():
            query = query.where(AuditEvent.unit_id.in_(unit_ids_where("core.view_audit")))
        recent = list(db.session.scalars(query))
    plugins = list(host.plugins.values())
    return render_template(
        "admin/index.html",
        counts=counts,
        held=held,
        recent=recent,
        plugins=plugins,
        failed=[p for p in plugins if not p.loaded],
        errors=distinct_errors(host.errors),
    )


def distinct_errors(errors, limit: int = 10) -> list:
    """Each distinct failure once (a failing widget fails on every page view), newest first."""
    seen, shown = set(), []
    for error in reversed(errors):
        key = (error.plugin, error.where, error.message)
        if key not in seen:
            seen.add(key)
            shown.append(error)
    return shown[:limit]
