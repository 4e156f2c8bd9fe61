"""The machinery every action shares: claim the request, write the timeline, notify, tell
the owning plugin, and open or close steps.

An action that changes the decision state first *claims* the request (:func:`claim`): it bumps
the request's version in one ``UPDATE ... WHERE version = ?``. Of two approvers acting at the
same moment exactly one claim succeeds; the other gets :class:`~.messages.WorkflowConflict`
and nothing of theirs is written. Everything after runs in the caller's transaction; the
plugin's ``on_workflow_event`` may refuse (raise), and then nothing is kept.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import has_request_context, url_for
from flask_babel import LazyString, force_locale
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import audit, notifications, workdays
from ..extensions import db
from ..i18n import gettext as _
from ..i18n import language_of
from ..i18n import lazy_gettext as _l
from ..models import User, utcnow
from ..plugins import plugin_host
from .approvers import resolve, workflow_admins
from .definitions import Plan, WorkflowEvent
from .messages import WorkflowConflict, WorkflowError, describe_fallback
from .models import (
    APPROVED,
    CANCELLED,
    OPEN,
    WAITING,
    WorkflowAction,
    WorkflowAssignment,
    WorkflowCC,
    WorkflowInstance,
    WorkflowStep,
)
from .queries import pending_assignments
from .registry import definition_of, load_subject, step_definition
from .states import EVENT_OF, EventAction, TimelineAction

log = logging.getLogger("danwei.workflow")

#: Text written for someone else to read: rendered in the reader's language when written.
Text = str | LazyString | Callable[[], str]


def claim(instance: WorkflowInstance) -> None:
    """Take the optimistic lock: bump the version now, before anything else is written."""
    instance.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise WorkflowConflict(_(
            "Someone else acted on this request at the same moment; your action was not "
            "recorded. The page now shows what happened."
        )) from exc


def act(instance, actor, action, step=None, comment="", data=None) -> WorkflowAction:
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


def notify(users, subject: Text, instance: WorkflowInstance, kind: str = "info",
           body: Text = "") -> None:
    """Tell *users* about *instance*, each in their own language.

    *subject* and *body* are lazy (``lazy_gettext`` with its values, or a function returning
    the text): each is rendered once per language of the recipients, so a Chinese-interface
    user reads Chinese whoever caused the notice, and so does an English one.
    """
    users = [u for u in dict.fromkeys(users) if u is not None]
    if not users:
        return
    target = link(instance)
    by_language: dict[str, list[User]] = {}
    for user in users:
        by_language.setdefault(language_of(user), []).append(user)
    for language, readers in by_language.items():
        with force_locale(language):
            notifications.notify(readers, _text(subject), _text(body) or instance.title,
                                 link=target, plugin="core", kind=kind)


def _text(value: Text) -> str:
    return value() if callable(value) else str(value)


def finish(instance, actor, action, step=None, comment="", data=None) -> None:
    """Audit the action and tell the owning plugin; both inside the caller's transaction."""
    audit.record(
        f"core.workflow_{action}", subject=instance, unit=instance.unit, actor=actor,
        summary=f"{instance.definition_id} #{instance.id} {action}: {instance.title}",
        data={"definition": instance.definition_id, "subject_type": instance.subject_type,
              "subject_id": instance.subject_id, "step": step.key if step else None,
              "state": instance.state, "comment": comment, **(data or {})},
    )
    action = TimelineAction(action)
    if action == TimelineAction.APPROVE:
        name = (EventAction.APPROVED if instance.state == APPROVED else
                EventAction.STEP_APPROVED)
    else:
        name = EVENT_OF[action]
    definition = definition_of(instance)
    event = WorkflowEvent(
        action=name, definition_id=instance.definition_id,
        instance_id=instance.id, subject_type=instance.subject_type,
        subject_id=instance.subject_id, state=instance.state,
        actor_id=actor.id if actor is not None else None,
        step_key=step.key if step is not None else None, comment=comment or "",
        data=dict(data or {}), form=form_values((data or {}).get("form")),
        subject=load_subject(definition, instance.subject_id),
    )
    host = plugin_host()
    try:
        host.call("on_workflow_event", only={instance.plugin}, propagate=True, event=event)
    except Exception as exc:  # noqa: BLE001 - the plugin refused: nothing may be kept
        raise WorkflowError(_(
            "The %(plugin)s section could not record this; nothing was changed. The error has "
            "been reported to the administrator.", plugin=host.label(instance.plugin)
        )) from exc


def write_plan(instance: WorkflowInstance, chosen: Plan) -> None:
    instance.route = chosen.route.key
    instance.reasons_json = json.dumps([[r.kind, r.key, r.outcome] for r in chosen.reasons])
    for position, step in enumerate(chosen.steps):
        instance.steps.append(WorkflowStep(
            round=instance.round, position=position, key=step.key, label=str(step.label)[:200],
            route_key=chosen.route.key, mode=step.mode, slots=len(step.approvers),
            state=WAITING,
        ))
    db.session.flush()


def assign_slot(instance, step, dstep, slot) -> dict | None:
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


def record_fallbacks(instance, step, records: list[dict]) -> None:
    step.fallback_json = json.dumps(step.fallbacks + records, ensure_ascii=False)
    instance.needs_attention = True
    for record in records:
        act(instance, None, TimelineAction.FALLBACK, step=step, data=record)
    admins = workflow_admins(instance.unit, exclude=instance.applicant_id)
    notify(admins, _l("A request went to a fallback approver: %(title)s", title=instance.title),
           instance, kind="warning",
           body=lambda: " ".join(describe_fallback(r) for r in records))
    finish(instance, None, TimelineAction.FALLBACK, step=step, data={"fallbacks": records})


def open_step(instance: WorkflowInstance, step: WorkflowStep) -> None:
    dstep = step_definition(instance, step)
    if dstep is None:
        raise WorkflowError(_("The definition of this step is gone; is its plugin installed?"))
    now = utcnow()
    step.state, step.opened_at = OPEN, now
    records = [r for slot in range(len(dstep.approvers))
               if (r := assign_slot(instance, step, dstep, slot)) is not None]
    if dstep.due_days:
        step.due_at = workdays.add_working_days(now, dstep.due_days, instance.unit)
        lead = dstep.due_days - dstep.remind_before_days
        if dstep.remind_before_days > 0 and lead > 0:
            step.remind_at = workdays.add_working_days(now, lead, instance.unit)
    db.session.flush()
    if records:
        record_fallbacks(instance, step, records)
    notify([a.user for a in pending_assignments(step)],
           _l("Waiting for your decision: %(title)s", title=instance.title), instance,
           kind="action")


def open_next(instance: WorkflowInstance, after: int = -1, actor=None) -> None:
    """Open the next waiting step of the round, or approve the request when none is left."""
    following = [s for s in instance.current_steps if s.state == WAITING and s.position > after]
    if following:
        open_step(instance, following[0])
        return
    instance.state, instance.finished_at = APPROVED, utcnow()
    notify([instance.applicant, *ccs(instance)],
           _l("Approved: %(title)s", title=instance.title), instance)


def ccs(instance: WorkflowInstance) -> list[User]:
    return list(db.session.scalars(
        select(User).join(WorkflowCC, WorkflowCC.user_id == User.id)
        .where(WorkflowCC.instance_id == instance.id)
    ))


def close_round(instance: WorkflowInstance, step: WorkflowStep | None, state: str) -> None:
    """End the round: *step* gets *state*; pending people and waiting steps are cancelled."""
    now = utcnow()
    for s in instance.current_steps:
        for a in pending_assignments(s):
            a.state, a.acted_at = CANCELLED, now
        if s is step:
            s.state, s.closed_at = state, now
        elif s.state in (WAITING, OPEN):
            s.state, s.closed_at = CANCELLED, now


def form_values(form: Any) -> dict[str, str]:
    """The step form kept on the timeline — ``[{name, label, value}]`` as the panel sends it,
    or ``{name: value}`` from a plugin — as ``{name: value as text}`` for the event's form."""
    if isinstance(form, Mapping):
        pairs = form.items()
    elif isinstance(form, list | tuple):
        pairs = [(item.get("name"), item.get("value")) for item in form
                 if isinstance(item, Mapping) and item.get("name")]
    else:
        return {}
    return {str(name): "" if value is None else str(value) for name, value in pairs}
