"""What people do to a request: submit, approve, reject, return, resubmit, withdraw, transfer,
reassign, copy in, urge.

Each action takes the acting user and checks that they may act — the engine decides who may
approve (the people resolved for the open step, or someone it was handed to), not the generic
permissions — then claims the request, changes its rows, writes the timeline and the audit
log, notifies people and tells the owning plugin (:mod:`.transitions`), all in the caller's
transaction: the caller commits, or rolls back on a :class:`~.messages.WorkflowError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, select

from .. import audit
from ..extensions import db
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import RoleAssignment, Unit, User, utcnow
from .approvers import transfer_candidates
from .definitions import ALL, PlanError, plan
from .messages import WorkflowError, already_decided, state_message
from .models import (
    APPROVED,
    CANCELLED,
    OPEN_STATES,
    PENDING,
    REJECTED,
    RETURNED,
    TRANSFERRED,
    VIA_REASSIGN,
    VIA_TRANSFER,
    WITHDRAWN,
    WorkflowAction,
    WorkflowAssignment,
    WorkflowCC,
    WorkflowInstance,
    WorkflowStep,
)
from .queries import (
    is_admin,
    is_participant,
    may_be_copied_in,
    pending_assignments,
    subject_key,
)
from .registry import get_definition, jsonable, step_definition
from .states import TimelineAction
from .transitions import act, ccs, claim, close_round, finish, notify, open_next, write_plan

#: An applicant may urge the same request at most once in this many minutes.
URGE_INTERVAL_MINUTES = 60


def start(definition_id: str, subject, applicant: User, unit: Unit | None = None,
          fields: Mapping[str, Any] | None = None, title: str = "", comment: str = "",
          actor: User | None = None) -> WorkflowInstance:
    """Submit a request for *subject* and open its first step.

    :param definition_id: ``<plugin>.<name>`` of a registered definition
    :param subject: the plugin's model instance, or a ``(type, id)`` pair
    :param applicant: who asks; approvers are resolved in *unit*'s ancestry
    :param unit: the applicant's unit (default: ``applicant.unit``)
    :param fields: the subject's fields the definition's conditions read (JSON values)
    :param title: one line shown in inboxes
    :param actor: who filed it, when not the applicant (a monitor for a student)
    """
    definition = get_definition(definition_id)
    subject_type, subject_id = subject_key(subject)
    unit = unit or applicant.unit
    if unit is None:
        raise WorkflowError(_("The applicant belongs to no unit, so nobody can approve."))
    running = db.session.scalar(select(WorkflowInstance.id).where(
        WorkflowInstance.definition_id == definition_id,
        WorkflowInstance.subject_type == subject_type,
        WorkflowInstance.subject_id == subject_id,
        WorkflowInstance.state.in_(OPEN_STATES),
    ))
    if running is not None:
        raise WorkflowError(_("This already has a request in progress."))
    fields = jsonable(fields)
    try:
        chosen = plan(definition, fields)
    except PlanError as exc:
        raise WorkflowError(_("No approval chain applies to this request.")) from exc
    instance = WorkflowInstance(
        definition_id=definition_id, plugin=definition.plugin, subject_type=subject_type,
        subject_id=subject_id, applicant_id=applicant.id, unit_id=unit.id, state=PENDING,
        title=(title or f"{definition.label} #{subject_id}")[:300],
        fields_json=json.dumps(fields, ensure_ascii=False),
    )
    instance.applicant, instance.unit = applicant, unit
    db.session.add(instance)
    db.session.flush()
    write_plan(instance, chosen)
    actor = actor or applicant
    act(instance, actor, TimelineAction.SUBMIT, comment=comment,
        data={"route": chosen.route.key, "steps": [s.key for s in chosen.steps]})
    finish(instance, actor, TimelineAction.SUBMIT, comment=comment,
           data={"route": chosen.route.key})
    open_next(instance)
    if instance.state == APPROVED:
        finish(instance, None, TimelineAction.APPROVE)
    return instance


def check_turn(instance, actor, step_id=None) -> tuple[WorkflowStep, list[WorkflowAssignment]]:
    """The open step and *actor*'s pending assignments on it, or a :class:`WorkflowError`
    saying why *actor* cannot decide (not an approver, already decided, withdrawn...)."""
    if instance.state != PENDING:
        raise WorkflowError(state_message(instance))
    step = instance.open_step
    if step is None:
        raise WorkflowError(_("No step of this request is open."))
    if step_id is not None and step.id != step_id:
        raise WorkflowError(already_decided(instance, step_id))
    mine = pending_assignments(step, actor)
    if not mine:
        if any(a.user_id == actor.id and a.state == TRANSFERRED for a in step.assignments):
            raise WorkflowError(_("This step was handed to someone else; it no longer waits "
                                  "for you."))
        if any(a.user_id == actor.id for a in step.assignments):
            raise WorkflowError(already_decided(instance, step.id))
        raise WorkflowError(_("You are not an approver of the current step."))
    return step, mine


def step_complete(step: WorkflowStep) -> bool:
    approved = {a.slot for a in step.assignments if a.state == APPROVED}
    if step.mode == ALL:
        return approved >= set(range(step.slots))
    return bool(approved)


def approve(instance: WorkflowInstance, actor: User, comment: str = "",
            form_data: Mapping[str, Any] | list[dict] | None = None,
            step_id: int | None = None) -> None:
    """Approve the open step for *actor*; the request moves on when the step is complete.

    *form_data* is what was filled in the step's form: ``{name: value}``, or
    ``[{name, label, value}]`` as the panel sends it; it is kept on the timeline. A step with a
    form cannot be approved without it.
    """
    step, mine = check_turn(instance, actor, step_id)
    dstep = step_definition(instance, step)
    if dstep is not None and dstep.form is not None and not form_data:
        raise WorkflowError(_("Fill in the form of this step before approving."))
    claim(instance)
    now = utcnow()
    slots = {a.slot for a in mine}
    for a in step.assignments:
        if a.state != PENDING:
            continue
        if a.user_id == actor.id:
            a.state, a.acted_at = APPROVED, now
        elif step.mode != ALL or a.slot in slots:
            a.state, a.acted_at = CANCELLED, now
    data = ({"form": json.loads(json.dumps(form_data, ensure_ascii=False, default=str))}
            if form_data else {})
    act(instance, actor, TimelineAction.APPROVE, step=step, comment=comment, data=data)
    if step_complete(step):
        step.state, step.closed_at = APPROVED, now
        db.session.flush()
        open_next(instance, step.position)
    finish(instance, actor, TimelineAction.APPROVE, step=step, comment=comment, data=data)


def reject(instance: WorkflowInstance, actor: User, reason: str,
           step_id: int | None = None) -> None:
    """Reject the request for good; *reason* is required and shown to the applicant."""
    if not (reason or "").strip():
        raise WorkflowError(_("Give a reason for rejecting."))
    step, mine = check_turn(instance, actor, step_id)
    claim(instance)
    for a in mine:
        a.state, a.acted_at = REJECTED, utcnow()
    close_round(instance, step, REJECTED)
    instance.state, instance.finished_at = REJECTED, utcnow()
    act(instance, actor, TimelineAction.REJECT, step=step, comment=reason)
    notify([instance.applicant, *ccs(instance)],
           _l("Rejected: %(title)s", title=instance.title), instance, body=reason)
    finish(instance, actor, TimelineAction.REJECT, step=step, comment=reason)


def send_back(instance: WorkflowInstance, actor: User, reason: str,
              step_id: int | None = None) -> None:
    """Return the request to the applicant for revision; they may resubmit it."""
    if not (reason or "").strip():
        raise WorkflowError(_("Say what should be revised."))
    step, mine = check_turn(instance, actor, step_id)
    claim(instance)
    for a in mine:
        a.state, a.acted_at = RETURNED, utcnow()
    close_round(instance, step, RETURNED)
    instance.state = RETURNED
    act(instance, actor, TimelineAction.RETURN, step=step, comment=reason)
    notify([instance.applicant], _l("Returned for revision: %(title)s", title=instance.title),
           instance, kind="action", body=reason)
    finish(instance, actor, TimelineAction.RETURN, step=step, comment=reason)


def resubmit(instance: WorkflowInstance, actor: User, comment: str = "",
             fields: Mapping[str, Any] | None = None, title: str = "") -> None:
    """Submit a returned request again: a new round, its chain chosen for the new fields."""
    if actor.id != instance.applicant_id:
        raise WorkflowError(_("Only the applicant can resubmit this request."))
    if instance.state != RETURNED:
        raise WorkflowError(state_message(instance) if instance.state != PENDING else
                            _("This request is already submitted."))
    definition = get_definition(instance.definition_id)
    if fields is None and definition.refresh_fields is not None:
        fields = definition.refresh_fields(instance.subject_id)
    fields = jsonable(fields) if fields is not None else instance.fields
    try:
        chosen = plan(definition, fields)
    except PlanError as exc:
        raise WorkflowError(_("No approval chain applies to this request.")) from exc
    claim(instance)
    instance.round += 1
    instance.state = PENDING
    instance.fields_json = json.dumps(fields, ensure_ascii=False)
    if title:
        instance.title = title[:300]
    write_plan(instance, chosen)
    act(instance, actor, TimelineAction.RESUBMIT, comment=comment,
        data={"route": chosen.route.key, "steps": [s.key for s in chosen.steps]})
    finish(instance, actor, TimelineAction.RESUBMIT, comment=comment,
           data={"route": chosen.route.key})
    open_next(instance)
    if instance.state == APPROVED:
        finish(instance, None, TimelineAction.APPROVE)


def withdraw(instance: WorkflowInstance, actor: User, reason: str = "") -> None:
    """The applicant takes the request back, before the final decision."""
    if actor.id != instance.applicant_id:
        raise WorkflowError(_("Only the applicant can withdraw this request."))
    if instance.state not in OPEN_STATES:
        raise WorkflowError(state_message(instance))
    step = instance.open_step
    waiting = [a.user for a in pending_assignments(step)]
    claim(instance)
    close_round(instance, step, CANCELLED)
    instance.state, instance.finished_at = WITHDRAWN, utcnow()
    act(instance, actor, TimelineAction.WITHDRAW, step=step, comment=reason)
    notify(waiting, _l("Withdrawn by the applicant: %(title)s", title=instance.title), instance)
    finish(instance, actor, TimelineAction.WITHDRAW, step=step, comment=reason)


def transfer(instance: WorkflowInstance, actor: User, target: User, comment: str = "",
             step_id: int | None = None) -> None:
    """Hand *actor*'s part of the open step to another eligible person."""
    step, mine = check_turn(instance, actor, step_id)
    if target is None or target.id not in {u.id for u in transfer_candidates(instance, step)}:
        raise WorkflowError(_("%(name)s cannot decide this step.",
                              name=getattr(target, "name", "?")))
    claim(instance)
    now = utcnow()
    for a in mine:
        a.state, a.acted_at = TRANSFERRED, now
        step.assignments.append(WorkflowAssignment(
            instance_id=instance.id, user_id=target.id, slot=a.slot, via=VIA_TRANSFER))
    data = {"to": target.id, "to_name": target.name}
    act(instance, actor, TimelineAction.TRANSFER, step=step, comment=comment, data=data)
    notify([target], _l("Transferred to you for a decision: %(title)s", title=instance.title),
           instance, kind="action", body=comment)
    finish(instance, actor, TimelineAction.TRANSFER, step=step, comment=comment, data=data)


def reassign(instance: WorkflowInstance, actor: User, target: User, comment: str = "") -> None:
    """A workflow administrator gives the open step (what is left of it) to *target*."""
    if not is_admin(instance, actor):
        raise WorkflowError(_("Only a workflow administrator can reassign a step."))
    if instance.state != PENDING or instance.open_step is None:
        raise WorkflowError(state_message(instance))
    if target is None or not target.active or target.id == instance.applicant_id:
        raise WorkflowError(_("%(name)s cannot decide this step.",
                              name=getattr(target, "name", "?")))
    step = instance.open_step
    claim(instance)
    now = utcnow()
    approved = {a.slot for a in step.assignments if a.state == APPROVED}
    for a in pending_assignments(step):
        a.state, a.acted_at = TRANSFERRED, now
    open_slots = [s for s in range(step.slots) if s not in approved] if step.mode == ALL else [0]
    for slot in open_slots:
        step.assignments.append(WorkflowAssignment(
            instance_id=instance.id, user_id=target.id, slot=slot, via=VIA_REASSIGN))
    instance.needs_attention = False
    data = {"to": target.id, "to_name": target.name}
    act(instance, actor, TimelineAction.REASSIGN, step=step, comment=comment, data=data)
    notify([target], _l("Assigned to you for a decision: %(title)s", title=instance.title),
           instance, kind="action", body=comment)
    finish(instance, actor, TimelineAction.REASSIGN, step=step, comment=comment, data=data)


def acknowledge(instance: WorkflowInstance, actor: User, comment: str = "") -> None:
    """A workflow administrator has seen the fallback and leaves the request as it is."""
    if not is_admin(instance, actor):
        raise WorkflowError(_("Only a workflow administrator can do this."))
    claim(instance)
    instance.needs_attention = False
    act(instance, actor, TimelineAction.ACKNOWLEDGE, step=instance.open_step, comment=comment)
    audit.record("core.workflow_acknowledge", subject=instance, unit=instance.unit, actor=actor,
                 summary=f"{instance.definition_id} #{instance.id}: {instance.title}")


def organisation_of(unit: Unit) -> str:
    """The path of the root of *unit*'s tree (``/1/``)."""
    return f"/{unit.ancestor_ids[0]}/"


def in_organisation(user: User, root_path: str) -> bool:
    if user.unit is not None and user.unit.path.startswith(root_path):
        return True
    return bool(db.session.scalar(select(exists().where(
        RoleAssignment.user_id == user.id, RoleAssignment.unit_id == Unit.id,
        Unit.path.like(root_path + "%"),
    ))))


def add_cc(instance: WorkflowInstance, actor: User, targets: Iterable[User],
           comment: str = "") -> list[User]:
    """Copy people in: they may read the request and are told when it is decided."""
    if not (is_participant(instance, actor) or is_admin(instance, actor)):
        raise WorkflowError(_("Only people taking part in this request can copy others in."))
    already = {u.id for u in ccs(instance)} | {instance.applicant_id}
    added = []
    for user in dict.fromkeys(targets):
        if not may_be_copied_in(instance, user):
            raise WorkflowError(_("%(name)s cannot be copied in.",
                                  name=getattr(user, "name", "?")))
        if user.id not in already:
            added.append(user)
            already.add(user.id)
    if not added:
        raise WorkflowError(_("Everyone named is already copied in."))
    for user in added:
        db.session.add(WorkflowCC(instance_id=instance.id, user_id=user.id, added_by_id=actor.id))
    data = {"users": [u.id for u in added], "names": [u.name for u in added]}
    act(instance, actor, TimelineAction.CC, step=instance.open_step, comment=comment, data=data)
    notify(added, _l("%(name)s copied you in: %(title)s", name=actor.name, title=instance.title),
           instance, body=comment)
    finish(instance, actor, TimelineAction.CC, comment=comment, data=data)
    return added


def urge(instance: WorkflowInstance, actor: User, comment: str = "") -> list[User]:
    """The applicant reminds the people the open step waits for (once an hour at most)."""
    if actor.id != instance.applicant_id:
        raise WorkflowError(_("Only the applicant can urge this request."))
    if instance.state != PENDING:
        raise WorkflowError(state_message(instance))
    last = db.session.scalar(
        select(WorkflowAction.at).where(WorkflowAction.instance_id == instance.id,
                                        WorkflowAction.action == TimelineAction.URGE)
        .order_by(WorkflowAction.at.desc()).limit(1)
    )
    now = utcnow()
    interval = timedelta(minutes=URGE_INTERVAL_MINUTES)
    if last is not None and now - last < interval:
        wait = int((last + interval - now).total_seconds() // 60) + 1
        raise WorkflowError(_(
            "You urged this request %(ago)d minutes ago; you can urge again in %(wait)d minutes.",
            ago=int((now - last).total_seconds() // 60), wait=wait))
    step = instance.open_step
    waiting = [a.user for a in pending_assignments(step)]
    data = {"users": [u.id for u in waiting], "names": [u.name for u in waiting]}
    act(instance, actor, TimelineAction.URGE, step=step, comment=comment, data=data)
    notify(waiting, _l("%(name)s is waiting for your decision: %(title)s", name=actor.name,
                       title=instance.title), instance, kind="action", body=comment)
    finish(instance, actor, TimelineAction.URGE, step=step, comment=comment, data=data)
    return waiting
