"""The periodic job ``core.workflow_due``: replace deactivated approvers, remind before due
times, escalate overdue steps.

Each item is handled in its own savepoint and claimed like any action, so a conflict with an
approver acting at the same moment skips it until the next run, and running the job twice does
nothing more.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import User, utcnow
from .approvers import ancestry, nearest_active, workflow_admins
from .definitions import ALL
from .messages import WorkflowError
from .models import (
    APPROVED,
    CANCELLED,
    OPEN,
    PENDING,
    VIA_ESCALATION,
    WorkflowAssignment,
    WorkflowStep,
)
from .queries import pending_assignments
from .registry import step_definition
from .states import TimelineAction
from .transitions import act, assign_slot, claim, finish, notify, record_fallbacks

log = logging.getLogger("danwei.workflow")

def check_due(now: datetime | None = None) -> dict[str, int]:
    """Replace deactivated approvers, send reminders, escalate overdue steps.

    The ``core.workflow_due`` job runs this every few minutes. Each item is handled in its own
    savepoint and claimed, so a conflict with an approver skips it until the next run, and
    running it twice does nothing more.
    """
    now = now or utcnow()
    done = {"replaced": 0, "reminded": 0, "escalated": 0}
    stale = db.session.scalars(
        select(WorkflowAssignment.id)
        .join(WorkflowStep, WorkflowStep.id == WorkflowAssignment.step_id)
        .join(User, User.id == WorkflowAssignment.user_id)
        .where(WorkflowAssignment.state == PENDING, WorkflowStep.state == OPEN,
               User.active.is_(False))
    ).all()
    for assignment_id in stale:
        done["replaced"] += _guarded(_replace_inactive, assignment_id)
    due_reminders = db.session.scalars(select(WorkflowStep.id).where(
        WorkflowStep.state == OPEN, WorkflowStep.remind_at <= now,
        WorkflowStep.reminded_at.is_(None))).all()
    for step_id in due_reminders:
        done["reminded"] += _guarded(_remind, step_id, now)
    overdue = db.session.scalars(select(WorkflowStep.id).where(
        WorkflowStep.state == OPEN, WorkflowStep.due_at <= now,
        WorkflowStep.escalated_at.is_(None))).all()
    for step_id in overdue:
        done["escalated"] += _guarded(_escalate, step_id, now)
    return done


def _guarded(func, *args) -> int:
    """Run one item in a savepoint; a conflict or a refusal skips it until the next run."""
    try:
        with db.session.begin_nested():
            return 1 if func(*args) else 0
    except WorkflowError as exc:
        log.warning("workflow job skipped %s%r: %s", func.__name__, args, exc)
        return 0


def _replace_inactive(assignment_id: int) -> bool:
    assignment = db.session.get(WorkflowAssignment, assignment_id)
    step = assignment.step
    instance = step.instance
    if assignment.state != PENDING or step.state != OPEN or assignment.user.active:
        return False
    claim(instance)
    assignment.state, assignment.acted_at = CANCELLED, utcnow()
    others = [a for a in pending_assignments(step) if a.slot == assignment.slot and a.user.active]
    if others:
        return True
    dstep = step_definition(instance, step)
    if dstep is None or assignment.slot >= len(dstep.approvers):
        records = [{"approver": "", "problem": "inactive", "inactive": [assignment.user.name],
                    "via": None, "to": [], "slot": assignment.slot}]
    else:
        record = assign_slot(instance, step, dstep, assignment.slot)
        records = [record] if record is not None else []
    db.session.flush()
    if records:
        record_fallbacks(instance, step, records)
    new = [a.user for a in pending_assignments(step) if a.slot == assignment.slot]
    notify(new, _l("Waiting for your decision: %(title)s", title=instance.title), instance,
           kind="action")
    return True


def _remind(step_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(WorkflowStep).where(WorkflowStep.id == step_id, WorkflowStep.reminded_at.is_(None))
        .values(reminded_at=now)
    ).rowcount
    if not claimed:
        return False
    step = db.session.get(WorkflowStep, step_id)
    db.session.refresh(step)
    instance = step.instance
    waiting = [a.user for a in pending_assignments(step)]
    act(instance, None, TimelineAction.REMIND, step=step,
        data={"names": [u.name for u in waiting]})
    notify(waiting, _l("Due soon: %(title)s", title=instance.title), instance, kind="reminder")
    return True


def _escalate(step_id: int, now: datetime) -> bool:
    step = db.session.get(WorkflowStep, step_id)
    instance = step.instance
    if step.state != OPEN or step.escalated_at is not None:
        return False
    claim(instance)
    step.escalated_at = now
    dstep = step_definition(instance, step)
    targets: list[User] = []
    if dstep is not None and dstep.escalate_to:
        targets = nearest_active(dstep.escalate_to, ancestry(instance.unit),
                                 instance.applicant_id)
    approved = {a.slot for a in step.assignments if a.state == APPROVED}
    slots = [s for s in range(step.slots) if s not in approved] if step.mode == ALL else [0]
    taken = {(a.user_id, a.slot) for a in pending_assignments(step)}
    for user in targets:
        for slot in slots:
            if (user.id, slot) not in taken:
                step.assignments.append(WorkflowAssignment(
                    instance_id=instance.id, user_id=user.id, slot=slot, via=VIA_ESCALATION))
    waiting = [a.user for a in pending_assignments(step) if a.via != VIA_ESCALATION]
    if not targets:
        targets = workflow_admins(instance.unit, exclude=instance.applicant_id)
        instance.needs_attention = True
    data = {"to": [u.id for u in targets], "names": [u.name for u in targets]}
    act(instance, None, TimelineAction.ESCALATE, step=step, data=data)
    notify(waiting, _l("Overdue: %(title)s", title=instance.title), instance, kind="warning")
    notify(targets, _l("Overdue and escalated to you: %(title)s", title=instance.title),
           instance, kind="action")
    finish(instance, None, TimelineAction.ESCALATE, step=step, data=data)
    return True
