"""The hazard state machine: report → notice → (safeguards) → fix → re-check → closed.

Every change goes through :func:`act`, which locks the hazard's row (``SELECT … FOR UPDATE``
on PostgreSQL; SQLite serialises writers anyway), checks that the action is allowed from the
current state and by this person, and applies it in the caller's transaction. Two people who
act at once on one hazard are therefore decided one after the other: the second sees the new
state and is refused.
"""

from __future__ import annotations

import enum

from sqlalchemy import select

from core.api import (
    Unit,
    add_working_days,
    audit,
    can,
    db,
    enabled_unit_ids,
    get_setting,
    holders,
    notify,
    utcnow,
)

from .i18n import gettext as _
from .models import Hazard

PLUGIN = "hospital_safety"


class HazardState(enum.StrEnum):
    REPORTED = "reported"
    NOTIFIED = "notified"   # notice issued, the department is fixing it
    FIXED = "fixed"         # fix reported, waiting for the re-check
    CLOSED = "closed"


class HazardAction(enum.StrEnum):
    ISSUE = "issue"
    SAFEGUARD = "safeguard"
    FIX = "fix"
    CLOSE = "close"
    SEND_BACK = "send_back"


#: Which action may be taken from which state, and the permission it needs in the hazard's unit.
TRANSITIONS = {
    HazardAction.ISSUE: ({HazardState.REPORTED}, "hospital_safety.grade"),
    HazardAction.SAFEGUARD: ({HazardState.NOTIFIED}, "hospital_safety.rectify"),
    HazardAction.FIX: ({HazardState.NOTIFIED}, "hospital_safety.rectify"),
    HazardAction.CLOSE: ({HazardState.FIXED}, "hospital_safety.recheck"),
    HazardAction.SEND_BACK: ({HazardState.FIXED}, "hospital_safety.recheck"),
}


class Refused(Exception):
    """The action is not possible now or not by this person; ``str()`` says why."""


def lock(hazard_id: int) -> Hazard | None:
    """The hazard, its row locked until the transaction ends."""
    return db.session.scalar(
        select(Hazard).where(Hazard.id == hazard_id).with_for_update()
        .execution_options(populate_existing=True))


def allowed(hazard: Hazard, action: HazardAction, user) -> str | None:
    """Why *user* may not take *action* on *hazard* now, or None when they may."""
    states, permission = TRANSITIONS[action]
    if HazardState(hazard.state) not in states:
        return _("This hazard is no longer at that step (it is now: %(state)s).",
                 state=state_label(hazard.state))
    if not can(permission, hazard.unit, user):
        return _("You may not do this for this department.")
    if action in (HazardAction.CLOSE, HazardAction.SEND_BACK) and hazard.fixed_by_id == user.id:
        return _("Someone other than the person who fixed it must re-check it.")
    if (action is HazardAction.FIX and hazard.deadline_at and utcnow() > hazard.deadline_at
            and not hazard.safeguards):
        return _("The deadline has passed: record the interim safeguards first.")
    return None


def act(hazard_id: int, action: HazardAction, user, **data) -> Hazard:
    """Take *action* on the hazard for *user*; raise :class:`Refused` when not allowed."""
    hazard = lock(hazard_id)
    if hazard is None:
        raise Refused(_("No such hazard."))
    reason = allowed(hazard, action, user)
    if reason:
        raise Refused(reason)
    now = utcnow()
    if action is HazardAction.ISSUE:
        department = data["department"]
        if not can("hospital_safety.grade", department, user):
            raise Refused(_("You may not issue notices to that department."))
        hazard.unit_id, hazard.unit = department.id, department
        hazard.grade, hazard.colour = data["grade"], data["colour"]
        hazard.requirement = data.get("requirement") or ""
        hazard.deadline_days = data["days"]
        hazard.deadline_at = add_working_days(now, data["days"], department)
        hazard.issued_by_id, hazard.issued_at = user.id, now
        hazard.notice_no = f"{now:%Y}-{hazard.id:05d}"
        heads = db.session.scalars(holders("hospital_safety.department_head", department)).all()
        notify(heads, _("Rectification notice %(no)s: %(place)s", no=hazard.notice_no,
                        place=hazard.place), hazard.description[:200],
               link=f"/hospital_safety/hazards/{hazard.id}", plugin=PLUGIN, kind="action")
        if hazard.grade == "major":
            notify(people("hospital_safety.director", department),
                   _("Major hazard: %(place)s", place=hazard.place), hazard.description[:200],
                   link=f"/hospital_safety/hazards/{hazard.id}", plugin=PLUGIN, kind="warning")
        hazard.state = HazardState.NOTIFIED.value
    elif action is HazardAction.SAFEGUARD:
        hazard.safeguards, hazard.safeguards_at = data["text"], now
    elif action is HazardAction.FIX:
        hazard.fix_note, hazard.fixed_by_id, hazard.fixed_at = data["text"], user.id, now
        hazard.state = HazardState.FIXED.value
    elif action is HazardAction.CLOSE:
        hazard.check_note, hazard.checked_by_id, hazard.closed_at = data["text"], user.id, now
        hazard.state = HazardState.CLOSED.value
    elif action is HazardAction.SEND_BACK:
        hazard.check_note, hazard.checked_by_id = data["text"], user.id
        hazard.times_sent_back += 1
        hazard.fixed_by_id = hazard.fixed_at = None
        hazard.state = HazardState.NOTIFIED.value
    audit(f"{PLUGIN}.hazard_{action.value}", subject=hazard, unit=hazard.unit,
          summary=hazard.place, data={"state": hazard.state})
    return hazard


def people(role: str, unit: Unit):
    """Active holders of *role* at or above *unit*."""
    return db.session.scalars(holders(role, unit)).all()


def state_label(state: str) -> str:
    return {"reported": _("Reported"), "notified": _("Being rectified"),
            "fixed": _("Fixed, to re-check"), "closed": _("Closed")}.get(state, state)


def escalate(scheduled_for):
    """Overdue hazards: the committee is told at the deadline, the director
    ``escalate_director_days`` working days later. Idempotent (``escalation`` records it)."""
    rows = db.session.scalars(
        select(Hazard).where(Hazard.state == HazardState.NOTIFIED.value,
                             Hazard.deadline_at < scheduled_for, Hazard.escalation < 2,
                             Hazard.unit_id.in_(enabled_unit_ids(PLUGIN)))
    ).all()
    for hazard in rows:
        link = f"/hospital_safety/hazards/{hazard.id}"
        if hazard.escalation == 0:
            notify(people("hospital_safety.committee_member", hazard.unit),
                   _("Overdue hazard: %(place)s", place=hazard.place), hazard.description[:200],
                   link=link, plugin=PLUGIN, kind="warning")
            hazard.escalation = 1
        days = get_setting(PLUGIN, "escalate_director_days", hazard.unit)
        if hazard.escalation == 1 and scheduled_for >= add_working_days(
                hazard.deadline_at, days, hazard.unit):
            notify(people("hospital_safety.director", hazard.unit),
                   _("Hazard still overdue: %(place)s", place=hazard.place),
                   hazard.description[:200], link=link, plugin=PLUGIN, kind="warning")
            hazard.escalation = 2
