"""The plugin's blueprint, ``school_leave`` at ``/school_leave``.

Each feature has its own module, which adds its routes to :data:`bp`:

- :mod:`.apply` — applying (with the chain preview and the refusals), the lists, a leave's page
  with its approvals, extensions;
- :mod:`.file_for` — leave filed by the class teacher, and the emergency override;
- :mod:`.contacts` — parents' numbers and the class teacher's record of phone calls;
- :mod:`.slip` — the printable slip with its QR code, and the guard's check at the gate;
- :mod:`.classlog` — the daily class log and the Friday reconciliation;
- :mod:`.discipline` — the student handbook's articles and the discipline decisions;
- :mod:`.settings` — the school's timetable and numbers.
"""

from __future__ import annotations

from flask import Blueprint, abort

from core.api import Unit, can_anywhere, current_unit, db, request_cache, to_local

from ..people import filed_by

bp = Blueprint("school_leave", __name__, template_folder="../templates",
               static_folder="../static", url_prefix="/school_leave")


@bp.app_template_filter("sl_dt")
def format_local(moment, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored datetime as the school's wall-clock time."""
    return to_local(moment).strftime(fmt) if moment else ""


def may(permission: str) -> bool:
    """Whether the current user holds *permission* somewhere (cached for the request)."""
    cache = request_cache("school_leave.may")
    if permission not in cache:
        cache[permission] = can_anywhere(permission)
    return cache[permission]


def role_names(roles: tuple[str, ...]) -> str:
    """``Monitor + PE committee member`` for a step of the chain."""
    from .. import PLUGIN, ROLES

    labels = {f"{PLUGIN}.{name}": label for name, label, _, _ in ROLES}
    return " + ".join(str(labels.get(r, r)) for r in roles)


@bp.record_once
def _template_globals(state):
    """``sl_*`` names for the plugin's templates and macros (globals, so macros see them)."""
    from ..approval import ROW_LABELS
    from ..forms import DECISION_LABELS, LEAVE_TYPE_LABELS, LOG_KIND_LABELS, STATUS_LABELS
    from .apply import state_of

    state.app.jinja_env.globals.update(
        sl_may=may, sl_role_names=role_names, sl_filed_by=filed_by, sl_state=state_of, sl_types=LEAVE_TYPE_LABELS,
        sl_rows=ROW_LABELS, sl_status=STATUS_LABELS, sl_log_kinds=LOG_KIND_LABELS,
        sl_decisions=DECISION_LABELS)


def unit_or_404(unit_id: int | None) -> Unit:
    """The unit named in the request, else the current one."""
    unit = db.session.get(Unit, unit_id) if unit_id else current_unit()
    if unit is None:
        abort(404)
    return unit


from . import apply, classlog, contacts, discipline, file_for, settings, slip  # noqa: E402,F401  (routes)
