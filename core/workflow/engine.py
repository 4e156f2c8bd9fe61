"""The approval engine: submit a request, find who decides each step, record every decision.

Each action below takes the acting user and checks that they may act — the engine decides who
may approve (the people resolved for the open step, or someone it was transferred to), not the
generic permissions. An action that changes the decision state first *claims* the request: it
bumps the request's version in one ``UPDATE ... WHERE version = ?``. Of two approvers acting at
the same moment exactly one claim succeeds; the other gets :class:`WorkflowConflict` and
nothing of theirs is written. Then the action changes its rows, writes the timeline and the
audit log, notifies people and tells the owning plugin (``on_workflow_event``), all in the
caller's transaction: the caller commits, or rolls back on an error.

Who decides a step is resolved when the step opens, in the applicant's unit ancestry. When
nobody (active) holds the role, the step goes to a fallback and the request is flagged for
the workflow administrators (:data:`MANAGE`) — a request is never stuck on an empty chair.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_request_context, url_for
from sqlalchemy import exists, select, update
from sqlalchemy.orm.exc import StaleDataError

from .. import access, audit, notifications, workdays
from ..extensions import db
from ..i18n import gettext as _
from ..models import Role, RoleAssignment, RolePermission, Unit, User, utcnow
from ..plugins import plugin_host
from .definitions import (
    ALL,
    Plan,
    PlanError,
    Reason,
    RoleApprover,
    Step,
    UserApprover,
    WorkflowDefinition,
    WorkflowEvent,
    definition_problem,
    explain,
    headline,
    left_out,
    plan,
)
from .models import (
    APPROVED,
    CANCELLED,
    OPEN,
    OPEN_STATES,
    PENDING,
    REJECTED,
    RETURNED,
    TRANSFERRED,
    VIA_ESCALATION,
    VIA_FALLBACK_ADMIN,
    VIA_FALLBACK_ROLE,
    VIA_FALLBACK_UP,
    VIA_REASSIGN,
    VIA_ROLE,
    VIA_TRANSFER,
    VIA_USER,
    WAITING,
    WITHDRAWN,
    WorkflowAction,
    WorkflowAssignment,
    WorkflowCC,
    WorkflowInstance,
    WorkflowStep,
)

log = logging.getLogger("danwei.workflow")

#: The permission of workflow administrators: they see requests that went to a fallback or are
#: overdue in their units, and may reassign a step to anyone.
MANAGE = "core.manage_workflows"
#: An applicant may urge the same request at most once in this many minutes.
URGE_INTERVAL_MINUTES = 60


class WorkflowError(Exception):
    """The action is not possible; the message says why, in the user's language."""


class WorkflowConflict(WorkflowError):
    """Someone else acted on the request at the same moment; nothing was recorded."""


# -- definitions -------------------------------------------------------------------------------


def definitions() -> dict[str, WorkflowDefinition]:
    """Every valid definition of the loaded plugins, by id (collected once per application)."""
    ext = current_app.extensions
    if "danwei_workflows" not in ext:
        host = ext["danwei"]
        found: dict[str, WorkflowDefinition] = {}
        for plugin, item in host.collect("register_workflows"):
            problem = definition_problem(plugin, item)
            if problem is None and item.id in found:
                problem = f"workflow {item.id} is declared twice"
            if problem:
                host.fail(plugin, "register_workflows", problem)
                continue
            found[item.id] = item
        ext["danwei_workflows"] = found
    return ext["danwei_workflows"]


def get_definition(definition_id: str) -> WorkflowDefinition:
    try:
        return definitions()[definition_id]
    except KeyError:
        raise WorkflowError(
            _("The workflow %(id)s is not available; is its plugin installed?", id=definition_id)
        ) from None


def definition_of(instance: WorkflowInstance) -> WorkflowDefinition | None:
    return definitions().get(instance.definition_id)


def step_definition(instance: WorkflowInstance, step: WorkflowStep) -> Step | None:
    definition = definition_of(instance)
    return definition.step(step.route_key or instance.route, step.key) if definition else None


def preview(definition_id: str, fields: Mapping[str, Any]) -> Plan:
    """The chain a request with *fields* would get, with its explanation (nothing is saved)."""
    return plan(get_definition(definition_id), _jsonable(fields))


# -- reading ----------------------------------------------------------------------------------


def subject_key(subject) -> tuple[str, str]:
    """``(type, id)`` of a model instance or of a ``(type, id)`` pair."""
    if isinstance(subject, tuple):
        return str(subject[0]), str(subject[1])
    db.session.flush()
    return type(subject).__name__, str(subject.id)


def workflow_for(subject, definition_id: str | None = None) -> WorkflowInstance | None:
    """The latest request for *subject* (of *definition_id*), or None."""
    subject_type, subject_id = subject_key(subject)
    query = select(WorkflowInstance).where(
        WorkflowInstance.subject_type == subject_type, WorkflowInstance.subject_id == subject_id
    )
    if definition_id:
        query = query.where(WorkflowInstance.definition_id == definition_id)
    return db.session.scalar(query.order_by(WorkflowInstance.id.desc()).limit(1))


def reasons_of(instance: WorkflowInstance) -> list[Reason]:
    return [Reason(*r) for r in json.loads(instance.reasons_json or "[]")]


def explanation(instance: WorkflowInstance) -> list[str]:
    """Why the request's chain has the steps it has, in the reader's language."""
    definition = definition_of(instance)
    if definition is None:
        return []
    return explain(definition, instance.route, reasons_of(instance), instance.fields)


def left_out_steps(instance: WorkflowInstance) -> list[tuple[str, str]]:
    """``(step label, why)`` for the steps the conditions left out of the request's chain."""
    definition = definition_of(instance)
    if definition is None:
        return []
    return left_out(definition, instance.route, reasons_of(instance), instance.fields)


def chain_headline(instance: WorkflowInstance) -> str:
    return headline(len(instance.current_steps), explanation(instance))


def is_admin(instance: WorkflowInstance, user: User) -> bool:
    return access.can(MANAGE, instance.unit, user)


def is_participant(instance: WorkflowInstance, user: User) -> bool:
    """The applicant, anyone who was asked to decide, or anyone copied in."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if instance.applicant_id == user.id:
        return True
    return bool(db.session.scalar(select(
        exists().where(WorkflowAssignment.instance_id == instance.id,
                       WorkflowAssignment.user_id == user.id)
        | exists().where(WorkflowCC.instance_id == instance.id, WorkflowCC.user_id == user.id)
    )))


def can_view(instance: WorkflowInstance, user: User) -> bool:
    """Participants and the unit's workflow administrators, where the plugin is enabled."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.is_superuser:
        return True
    if not access.is_enabled(instance.plugin, instance.unit):
        return False
    return is_participant(instance, user) or is_admin(instance, user)


def pending_assignments(step: WorkflowStep | None, user: User | None = None):
    if step is None:
        return []
    return [a for a in step.assignments
            if a.state == PENDING and (user is None or a.user_id == user.id)]


def can_decide(instance: WorkflowInstance, user: User) -> bool:
    return instance.state == PENDING and bool(pending_assignments(instance.open_step, user))


def waiting_query(user: User):
    """SQL: ids of the requests waiting for *user*'s decision."""
    return (
        select(WorkflowAssignment.instance_id)
        .join(WorkflowStep, WorkflowStep.id == WorkflowAssignment.step_id)
        .where(WorkflowAssignment.user_id == user.id, WorkflowAssignment.state == PENDING,
               WorkflowStep.state == OPEN)
    )


# -- resolving who decides --------------------------------------------------------------------


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


def _nearest_active(role: str, units: list[Unit], applicant_id: int) -> list[User]:
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
        users = _nearest_active(step.fallback_role, units if home is None else
                                [u for u in units if u.depth <= home.depth], applicant.id)
        via = VIA_FALLBACK_ROLE
        record["fallback_role"] = step.fallback_role
    if not users and isinstance(approver, RoleApprover):
        users = _nearest_active(approver.role, above, applicant.id)
        via = VIA_FALLBACK_UP
    if not users:
        users = workflow_admins(unit, exclude=applicant.id)
        via = VIA_FALLBACK_ADMIN
    record["via"] = via if users else None
    record["to"] = [u.name for u in users]
    return Resolution(users, via or VIA_FALLBACK_ADMIN, record)


def role_label(name: str) -> str:
    role = db.session.scalar(select(Role).where(Role.name == name))
    return role.label if role is not None else name


def describe_fallback(record: Mapping[str, Any]) -> str:
    """One sentence saying why a step went to a fallback and to whom."""
    approver = record.get("approver", "")
    kind, _sep, name = approver.partition(":")
    who = role_label(name) if kind == "role" else name
    problem = record.get("problem")
    if problem == "inactive":
        first = _("%(role)s in %(unit)s is held only by deactivated accounts (%(names)s).",
                  role=who, unit=record.get("unit", ""),
                  names=", ".join(record.get("inactive", [])))
    elif problem == "applicant":
        first = _("The only approver for %(role)s is the applicant.", role=who)
    elif problem == "no_unit":
        first = _("No unit of kind %(kind)s lies above %(unit)s, so nobody holds %(role)s.",
                  kind=record.get("kind", ""), unit=record.get("at_unit", ""), role=who)
    elif problem == "missing_user":
        first = _("The account %(name)s does not exist or is deactivated.",
                  name=record.get("user", name))
    else:
        first = _("Nobody holds %(role)s in %(unit)s.", role=who,
                  unit=record.get("unit", record.get("at_unit", "")))
    names = ", ".join(record.get("to", []))
    via = record.get("via")
    if via == VIA_FALLBACK_ROLE:
        second = _("Sent to %(role)s: %(names)s.",
                   role=role_label(record.get("fallback_role", "")), names=names)
    elif via == VIA_FALLBACK_UP:
        second = _("Sent to %(role)s higher up: %(names)s.", role=who, names=names)
    elif via == VIA_FALLBACK_ADMIN:
        second = _("Sent to the workflow administrators: %(names)s.", names=names)
    else:
        second = _("Nobody could be found: an administrator must reassign the step.")
    return f"{first} {second}"


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


# -- the small machinery every action shares --------------------------------------------------


def _jsonable(fields: Mapping[str, Any] | None) -> dict:
    return json.loads(json.dumps(dict(fields or {}), ensure_ascii=False, default=str))


def _claim(instance: WorkflowInstance) -> None:
    """Take the optimistic lock: bump the version now, before anything else is written."""
    instance.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise WorkflowConflict(_(
            "Someone else acted on this request at the same moment; your action was not "
            "recorded. The page now shows what happened."
        )) from exc


def _act(instance, actor, action, step=None, comment="", data=None) -> WorkflowAction:
    row = WorkflowAction(
        instance_id=instance.id, step_id=step.id if step is not None else None,
        round=instance.round, actor_id=actor.id if actor is not None else None, action=action,
        comment=comment or "", data_json=json.dumps(data or {}, ensure_ascii=False, default=str),
        at=utcnow(),
    )
    db.session.add(row)
    return row


def link(instance: WorkflowInstance) -> str:
    """Where a notification about *instance* leads: the subject's page, else the request's."""
    if has_request_context():
        definition = definition_of(instance)
        if definition is not None and definition.subject_url is not None:
            try:
                return definition.subject_url(instance.subject_id)
            except Exception:  # noqa: BLE001 - a broken URL builder must not block a decision
                log.exception("subject_url of %s failed", instance.definition_id)
        return url_for("workflow.show", instance_id=instance.id)
    return f"/workflow/{instance.id}"


def _notify(users, subject: str, instance: WorkflowInstance, kind: str = "info",
            body: str = "") -> None:
    users = [u for u in dict.fromkeys(users) if u is not None]
    if users:
        notifications.notify(users, subject, body or instance.title, link=link(instance),
                             plugin="core", kind=kind)


def _finish(instance, actor, action, step=None, comment="", data=None) -> None:
    """Audit the action and tell the owning plugin; both inside the caller's transaction."""
    audit.record(
        f"core.workflow_{action}", subject=instance, unit=instance.unit, actor=actor,
        summary=f"{instance.definition_id} #{instance.id} {action}: {instance.title}",
        data={"definition": instance.definition_id, "subject_type": instance.subject_type,
              "subject_id": instance.subject_id, "step": step.key if step else None,
              "state": instance.state, "comment": comment, **(data or {})},
    )
    name = _EVENT_NAMES.get(action, action)
    if action == "approve":
        name = "approved" if instance.state == APPROVED else "step_approved"
    event = WorkflowEvent(
        action=name, definition_id=instance.definition_id,
        instance_id=instance.id, subject_type=instance.subject_type,
        subject_id=instance.subject_id, state=instance.state,
        actor_id=actor.id if actor is not None else None,
        step_key=step.key if step is not None else None, comment=comment or "",
        data=dict(data or {}),
    )
    host = plugin_host()
    try:
        host.call("on_workflow_event", only={instance.plugin}, propagate=True, event=event)
    except Exception as exc:  # noqa: BLE001 - the plugin refused: nothing may be kept
        raise WorkflowError(_(
            "The %(plugin)s section could not record this; nothing was changed. The error has "
            "been reported to the administrator.", plugin=instance.plugin
        )) from exc


_EVENT_NAMES = {
    "submit": "submitted", "reject": "rejected", "return": "returned",
    "resubmit": "resubmitted", "withdraw": "withdrawn", "transfer": "transferred",
    "reassign": "transferred", "urge": "urged", "escalate": "escalated",
}


# -- opening steps ----------------------------------------------------------------------------


def _write_plan(instance: WorkflowInstance, chosen: Plan) -> None:
    instance.route = chosen.route.key
    instance.reasons_json = json.dumps([[r.kind, r.key, r.outcome] for r in chosen.reasons])
    for position, step in enumerate(chosen.steps):
        instance.steps.append(WorkflowStep(
            round=instance.round, position=position, key=step.key, label=str(step.label)[:200],
            route_key=chosen.route.key, mode=step.mode, slots=len(step.approvers),
            state=WAITING,
        ))
    db.session.flush()


def _assign_slot(instance, step, dstep, slot) -> dict | None:
    """Resolve one approver slot of *step* and add the assignments; returns a fallback record."""
    resolution = resolve(dstep.approvers[slot], dstep, instance.unit, instance.applicant,
                         instance.fields)
    taken = {(a.user_id, a.slot) for a in pending_assignments(step)}
    for user in resolution.users:
        if (user.id, slot) not in taken:
            step.assignments.append(WorkflowAssignment(
                instance_id=instance.id, user_id=user.id, slot=slot, via=resolution.via,
            ))
    if resolution.fallback is not None:
        resolution.fallback["slot"] = slot
    return resolution.fallback


def _record_fallbacks(instance, step, records: list[dict]) -> None:
    step.fallback_json = json.dumps(step.fallbacks + records, ensure_ascii=False)
    instance.needs_attention = True
    for record in records:
        _act(instance, None, "fallback", step=step, data=record)
    admins = workflow_admins(instance.unit, exclude=instance.applicant_id)
    _notify(admins, _("A request went to a fallback approver: %(title)s", title=instance.title),
            instance, kind="warning",
            body=" ".join(describe_fallback(r) for r in records))
    _finish(instance, None, "fallback", step=step, data={"fallbacks": records})


def _open(instance: WorkflowInstance, step: WorkflowStep) -> None:
    dstep = step_definition(instance, step)
    if dstep is None:
        raise WorkflowError(_("The definition of this step is gone; is its plugin installed?"))
    now = utcnow()
    step.state, step.opened_at = OPEN, now
    records = [r for slot in range(len(dstep.approvers))
               if (r := _assign_slot(instance, step, dstep, slot)) is not None]
    if dstep.due_days:
        step.due_at = workdays.add_working_days(now, dstep.due_days, instance.unit)
        lead = dstep.due_days - dstep.remind_before_days
        if dstep.remind_before_days > 0 and lead > 0:
            step.remind_at = workdays.add_working_days(now, lead, instance.unit)
    db.session.flush()
    if records:
        _record_fallbacks(instance, step, records)
    _notify([a.user for a in pending_assignments(step)],
            _("Waiting for your decision: %(title)s", title=instance.title), instance,
            kind="action")


def _open_next(instance: WorkflowInstance, after: int = -1, actor=None) -> None:
    """Open the next waiting step of the round, or approve the request when none is left."""
    following = [s for s in instance.current_steps if s.state == WAITING and s.position > after]
    if following:
        _open(instance, following[0])
        return
    instance.state, instance.finished_at = APPROVED, utcnow()
    _notify([instance.applicant, *_ccs(instance)],
            _("Approved: %(title)s", title=instance.title), instance)


def _ccs(instance: WorkflowInstance) -> list[User]:
    return list(db.session.scalars(
        select(User).join(WorkflowCC, WorkflowCC.user_id == User.id)
        .where(WorkflowCC.instance_id == instance.id)
    ))


def _close_round(instance: WorkflowInstance, step: WorkflowStep | None, state: str) -> None:
    """End the round: *step* gets *state*; pending people and waiting steps are cancelled."""
    now = utcnow()
    for s in instance.current_steps:
        for a in pending_assignments(s):
            a.state, a.acted_at = CANCELLED, now
        if s is step:
            s.state, s.closed_at = state, now
        elif s.state in (WAITING, OPEN):
            s.state, s.closed_at = CANCELLED, now


# -- actions ----------------------------------------------------------------------------------


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
    fields = _jsonable(fields)
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
    _write_plan(instance, chosen)
    actor = actor or applicant
    _act(instance, actor, "submit", comment=comment,
         data={"route": chosen.route.key, "steps": [s.key for s in chosen.steps]})
    _finish(instance, actor, "submit", comment=comment, data={"route": chosen.route.key})
    _open_next(instance)
    if instance.state == APPROVED:
        _finish(instance, None, "approve")
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


def state_message(instance: WorkflowInstance) -> str:
    return {
        APPROVED: _("This request was already approved."),
        REJECTED: _("This request was already rejected."),
        WITHDRAWN: _("This request was withdrawn by the applicant."),
        RETURNED: _("This request was returned to the applicant for revision."),
    }.get(instance.state, _("This request cannot be decided now."))


def already_decided(instance: WorkflowInstance, step_id: int) -> str:
    """"This step was already decided: approved by 李老师 at 10:32." (or the request's state)."""
    last = db.session.scalar(
        select(WorkflowAction).where(
            WorkflowAction.instance_id == instance.id, WorkflowAction.step_id == step_id,
            WorkflowAction.action.in_(("approve", "reject", "return", "transfer", "reassign")),
        ).order_by(WorkflowAction.at.desc(), WorkflowAction.id.desc()).limit(1)
    )
    if last is None or last.actor is None:
        return state_message(instance) if instance.state != PENDING else _(
            "This step is no longer waiting for you.")
    from flask_babel import format_datetime

    return _("This step was already decided: %(action)s by %(name)s at %(time)s.",
             action=action_label(last.action), name=last.actor.name,
             time=format_datetime(last.at, "short"))


def action_label(action: str) -> str:
    return {
        "submit": _("submitted"), "approve": _("approved"), "reject": _("rejected"),
        "return": _("returned for revision"), "resubmit": _("resubmitted"),
        "withdraw": _("withdrawn"), "transfer": _("transferred"), "reassign": _("reassigned"),
        "cc": _("copied in"), "urge": _("urged"), "remind": _("reminded"),
        "escalate": _("escalated"), "fallback": _("sent to a fallback"),
        "acknowledge": _("fallback acknowledged"),
    }.get(action, action)


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
    _claim(instance)
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
    _act(instance, actor, "approve", step=step, comment=comment, data=data)
    if step_complete(step):
        step.state, step.closed_at = APPROVED, now
        db.session.flush()
        _open_next(instance, step.position)
    _finish(instance, actor, "approve", step=step, comment=comment, data=data)


def reject(instance: WorkflowInstance, actor: User, reason: str,
           step_id: int | None = None) -> None:
    """Reject the request for good; *reason* is required and shown to the applicant."""
    if not (reason or "").strip():
        raise WorkflowError(_("Give a reason for rejecting."))
    step, mine = check_turn(instance, actor, step_id)
    _claim(instance)
    for a in mine:
        a.state, a.acted_at = REJECTED, utcnow()
    _close_round(instance, step, REJECTED)
    instance.state, instance.finished_at = REJECTED, utcnow()
    _act(instance, actor, "reject", step=step, comment=reason)
    _notify([instance.applicant, *_ccs(instance)],
            _("Rejected: %(title)s", title=instance.title), instance, body=reason)
    _finish(instance, actor, "reject", step=step, comment=reason)


def send_back(instance: WorkflowInstance, actor: User, reason: str,
              step_id: int | None = None) -> None:
    """Return the request to the applicant for revision; they may resubmit it."""
    if not (reason or "").strip():
        raise WorkflowError(_("Say what should be revised."))
    step, mine = check_turn(instance, actor, step_id)
    _claim(instance)
    for a in mine:
        a.state, a.acted_at = RETURNED, utcnow()
    _close_round(instance, step, RETURNED)
    instance.state = RETURNED
    _act(instance, actor, "return", step=step, comment=reason)
    _notify([instance.applicant], _("Returned for revision: %(title)s", title=instance.title),
            instance, kind="action", body=reason)
    _finish(instance, actor, "return", step=step, comment=reason)


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
    fields = _jsonable(fields) if fields is not None else instance.fields
    try:
        chosen = plan(definition, fields)
    except PlanError as exc:
        raise WorkflowError(_("No approval chain applies to this request.")) from exc
    _claim(instance)
    instance.round += 1
    instance.state = PENDING
    instance.fields_json = json.dumps(fields, ensure_ascii=False)
    if title:
        instance.title = title[:300]
    _write_plan(instance, chosen)
    _act(instance, actor, "resubmit", comment=comment,
         data={"route": chosen.route.key, "steps": [s.key for s in chosen.steps]})
    _finish(instance, actor, "resubmit", comment=comment, data={"route": chosen.route.key})
    _open_next(instance)
    if instance.state == APPROVED:
        _finish(instance, None, "approve")


def withdraw(instance: WorkflowInstance, actor: User, reason: str = "") -> None:
    """The applicant takes the request back, before the final decision."""
    if actor.id != instance.applicant_id:
        raise WorkflowError(_("Only the applicant can withdraw this request."))
    if instance.state not in OPEN_STATES:
        raise WorkflowError(state_message(instance))
    step = instance.open_step
    waiting = [a.user for a in pending_assignments(step)]
    _claim(instance)
    _close_round(instance, step, CANCELLED)
    instance.state, instance.finished_at = WITHDRAWN, utcnow()
    _act(instance, actor, "withdraw", step=step, comment=reason)
    _notify(waiting, _("Withdrawn by the applicant: %(title)s", title=instance.title), instance)
    _finish(instance, actor, "withdraw", step=step, comment=reason)


def transfer(instance: WorkflowInstance, actor: User, target: User, comment: str = "",
             step_id: int | None = None) -> None:
    """Hand *actor*'s part of the open step to another eligible person."""
    step, mine = check_turn(instance, actor, step_id)
    if target is None or target.id not in {u.id for u in transfer_candidates(instance, step)}:
        raise WorkflowError(_("%(name)s cannot decide this step.",
                              name=getattr(target, "name", "?")))
    _claim(instance)
    now = utcnow()
    for a in mine:
        a.state, a.acted_at = TRANSFERRED, now
        step.assignments.append(WorkflowAssignment(
            instance_id=instance.id, user_id=target.id, slot=a.slot, via=VIA_TRANSFER))
    data = {"to": target.id, "to_name": target.name}
    _act(instance, actor, "transfer", step=step, comment=comment, data=data)
    _notify([target], _("Transferred to you for a decision: %(title)s", title=instance.title),
            instance, kind="action", body=comment)
    _finish(instance, actor, "transfer", step=step, comment=comment, data=data)


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
    _claim(instance)
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
    _act(instance, actor, "reassign", step=step, comment=comment, data=data)
    _notify([target], _("Assigned to you for a decision: %(title)s", title=instance.title),
            instance, kind="action", body=comment)
    _finish(instance, actor, "reassign", step=step, comment=comment, data=data)


def acknowledge(instance: WorkflowInstance, actor: User, comment: str = "") -> None:
    """A workflow administrator has seen the fallback and leaves the request as it is."""
    if not is_admin(instance, actor):
        raise WorkflowError(_("Only a workflow administrator can do this."))
    _claim(instance)
    instance.needs_attention = False
    _act(instance, actor, "acknowledge", step=instance.open_step, comment=comment)
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


def may_be_copied_in(instance: WorkflowInstance, user: User | None) -> bool:
    """Whether *user* may read requests of this kind in the request's unit, and so be copied
    in: a copy shows the request and what its steps noted (a parent's phone number), so being
    in the same organisation is not enough."""
    if user is None or not user.active:
        return False
    definition = definition_of(instance)
    permission = (definition.readers_permission if definition is not None
                  else f"{instance.plugin}.view")
    return access.can(permission, instance.unit, user)


def may_read_notes(instance: WorkflowInstance, user: User | None) -> bool:
    """Whether *user* may read what the steps noted (a step form: a parent's phone number).

    Taking part is not enough: a class cadre signs a step but may not read the class
    teacher's note of the call. The applicant, the readers of such requests in the unit (as
    for CC) and the workflow administrators may.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (instance.applicant_id == user.id or is_admin(instance, user)
            or may_be_copied_in(instance, user))


def add_cc(instance: WorkflowInstance, actor: User, targets: Iterable[User],
           comment: str = "") -> list[User]:
    """Copy people in: they may read the request and are told when it is decided."""
    if not (is_participant(instance, actor) or is_admin(instance, actor)):
        raise WorkflowError(_("Only people taking part in this request can copy others in."))
    already = {u.id for u in _ccs(instance)} | {instance.applicant_id}
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
    _act(instance, actor, "cc", step=instance.open_step, comment=comment, data=data)
    _notify(added, _("%(name)s copied you in: %(title)s", name=actor.name, title=instance.title),
            instance, body=comment)
    _finish(instance, actor, "cc", comment=comment, data=data)
    return added


def urge(instance: WorkflowInstance, actor: User, comment: str = "") -> list[User]:
    """The applicant reminds the people the open step waits for (once an hour at most)."""
    if actor.id != instance.applicant_id:
        raise WorkflowError(_("Only the applicant can urge this request."))
    if instance.state != PENDING:
        raise WorkflowError(state_message(instance))
    last = db.session.scalar(
        select(WorkflowAction.at).where(WorkflowAction.instance_id == instance.id,
                                        WorkflowAction.action == "urge")
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
    _act(instance, actor, "urge", step=step, comment=comment, data=data)
    _notify(waiting, _("%(name)s is waiting for your decision: %(title)s", name=actor.name,
                       title=instance.title), instance, kind="action", body=comment)
    _finish(instance, actor, "urge", step=step, comment=comment, data=data)
    return waiting


# -- the periodic job: deactivated approvers, reminders, escalation ---------------------------


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
    _claim(instance)
    assignment.state, assignment.acted_at = CANCELLED, utcnow()
    others = [a for a in pending_assignments(step) if a.slot == assignment.slot and a.user.active]
    if others:
        return True
    dstep = step_definition(instance, step)
    if dstep is None or assignment.slot >= len(dstep.approvers):
        records = [{"approver": "", "problem": "inactive", "inactive": [assignment.user.name],
                    "via": None, "to": [], "slot": assignment.slot}]
    else:
        record = _assign_slot(instance, step, dstep, assignment.slot)
        records = [record] if record is not None else []
    db.session.flush()
    if records:
        _record_fallbacks(instance, step, records)
    new = [a.user for a in pending_assignments(step) if a.slot == assignment.slot]
    _notify(new, _("Waiting for your decision: %(title)s", title=instance.title), instance,
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
    _act(instance, None, "remind", step=step, data={"names": [u.name for u in waiting]})
    _notify(waiting, _("Due soon: %(title)s", title=instance.title), instance, kind="reminder")
    return True


def _escalate(step_id: int, now: datetime) -> bool:
    step = db.session.get(WorkflowStep, step_id)
    instance = step.instance
    if step.state != OPEN or step.escalated_at is not None:
        return False
    _claim(instance)
    step.escalated_at = now
    dstep = step_definition(instance, step)
    targets: list[User] = []
    if dstep is not None and dstep.escalate_to:
        targets = _nearest_active(dstep.escalate_to, ancestry(instance.unit),
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
    _act(instance, None, "escalate", step=step, data=data)
    _notify(waiting, _("Overdue: %(title)s", title=instance.title), instance, kind="warning")
    _notify(targets, _("Overdue and escalated to you: %(title)s", title=instance.title),
            instance, kind="action")
    _finish(instance, None, "escalate", step=step, data=data)
    return True

