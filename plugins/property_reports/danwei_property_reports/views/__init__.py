"""The plugin's blueprint, ``property_reports`` at ``/property_reports``.

Each feature has its own module, which adds its routes to :data:`bp`:

- :mod:`.board` — the deadline board of a month, on-time rates for cadre evaluation,
  the departments and teams of the company;
- :mod:`.library` — the work specifications and the routine-work catalogues;
- :mod:`.plans` — monthly plans: items, submission, approval, revisions and their differences;
- :mod:`.summaries` — monthly summaries: the plan's checklist and the required metrics.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort
from sqlalchemy import select

from core.api import (
    Unit,
    can,
    can_anywhere,
    current_unit,
    db,
    request_cache,
    unit_ids_where,
)

from .. import deadlines as dl
from ..catalogue import BY_KIND, COMPANY_KIND, DEPARTMENT_KINDS, TEAM_KIND
from ..i18n import lazy_gettext as _l
from ..models import (
    ACCEPTED,
    APPROVED,
    DRAFT,
    REJECTED,
    RETURNED,
    SUBMITTED,
    SUPERSEDED,
    WITHDRAWN,
)

PLUGIN = "property_reports"
bp = Blueprint(PLUGIN, __name__, template_folder="../templates", static_folder="../static",
               url_prefix=f"/{PLUGIN}")

STATUS_LABELS = {
    DRAFT: _l("Draft"),
    SUBMITTED: _l("Waiting for approval"),
    APPROVED: _l("Approved"),
    RETURNED: _l("Returned for changes"),
    REJECTED: _l("Rejected"),
    WITHDRAWN: _l("Withdrawn"),
    SUPERSEDED: _l("Superseded"),
}
#: A summary is handed in and reviewed: accepted, or returned to be corrected.
SUMMARY_LABELS = {DRAFT: _l("Draft"), SUBMITTED: _l("Submitted"),
                  ACCEPTED: _l("Accepted"), RETURNED: _l("Returned for correction")}
STATUS_COLOURS = {
    DRAFT: "secondary", SUBMITTED: "primary", APPROVED: "success", RETURNED: "warning",
    REJECTED: "danger", WITHDRAWN: "secondary", SUPERSEDED: "light",
}
DEADLINE_LABELS = {
    dl.UPCOMING: _l("Not yet due"),
    dl.DUE_SOON: _l("Due soon"),
    dl.OVERDUE: _l("Overdue"),
    dl.ON_TIME: _l("On time"),
    dl.LATE: _l("Late"),
}
DEADLINE_COLOURS = {
    dl.UPCOMING: "secondary", dl.DUE_SOON: "warning", dl.OVERDUE: "danger",
    dl.ON_TIME: "success", dl.LATE: "warning",
}


def may(permission: str) -> bool:
    """Whether the current user holds ``property_reports.<permission>`` somewhere."""
    cache = request_cache("property_reports.may")
    if permission not in cache:
        cache[permission] = can_anywhere(f"{PLUGIN}.{permission}")
    return cache[permission]


def may_in(permission: str, unit: Unit) -> bool:
    return can(f"{PLUGIN}.{permission}", unit)


def kind_label(unit: Unit) -> str:
    if unit.kind == TEAM_KIND:
        return str(_l("Team"))
    if unit.kind == COMPANY_KIND:
        return str(_l("Property company"))
    dept = BY_KIND.get(unit.kind)
    return str(dept.en) if dept else unit.kind


@bp.app_context_processor
def _helpers():
    from ..forms import CADENCE_LABELS, OUTCOME_LABELS, TRIGGER_LABELS

    return {
        "pr_may": may, "pr_status": STATUS_LABELS, "pr_summary_status": SUMMARY_LABELS,
        "pr_status_colour": STATUS_COLOURS,
        "pr_deadline": DEADLINE_LABELS, "pr_deadline_colour": DEADLINE_COLOURS,
        "pr_cadence": CADENCE_LABELS, "pr_outcome": OUTCOME_LABELS, "pr_trigger": TRIGGER_LABELS,
        "pr_kind": kind_label,
    }


def parse_month(text: str | None, default: date | None = None) -> tuple[int, int] | None:
    """``(2026, 11)`` from ``2026-11``; *default*'s month when absent or unreadable."""
    try:
        year, month = (int(p) for p in (text or "").split("-"))
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return year, month
    except ValueError:
        pass
    return (default.year, default.month) if default else None


def month_text(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def scoped_units(permission: str, kinds=DEPARTMENT_KINDS):
    """Units of *kinds* where the user holds ``property_reports.<permission>``."""
    return list(db.session.scalars(
        select(Unit).where(Unit.kind.in_(kinds),
                           Unit.id.in_(unit_ids_where(f"{PLUGIN}.{permission}")))
        .order_by(Unit.path)
    ))


def unit_choices(units):
    from ..forms import choices

    return choices((u.id, f"{u.parent.name} · {u.name}" if u.kind == TEAM_KIND and u.parent
                    else u.name) for u in units)


def get_or_404(model, ident):
    found = db.session.get(model, ident)
    if found is None:
        abort(404)
    return found


def default_unit_id(units) -> int | None:
    """The current unit when it is among *units*: a department manager's own department."""
    unit = current_unit()
    ids = {u.id for u in units}
    return unit.id if unit is not None and unit.id in ids else None


from . import board, library, plans, printing, records, summaries  # noqa: E402,F401  (routes register on import)
