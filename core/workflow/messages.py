"""What the engine says: its refusals, and the words and sentences a request is shown with.

:class:`WorkflowError` carries a sentence in the user's language: every refusal is built with
``gettext`` while the request that caused it is being handled, so a Chinese-interface user
reads it in Chinese whether the panel, the inbox or a plugin's own page shows it. The labels
below name states, actions and fallbacks for the panel, the inbox and the timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import format_datetime
from sqlalchemy import select

from ..extensions import db
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import Role
from .models import (
    APPROVED,
    CANCELLED,
    FALLBACK_VIAS,
    OPEN,
    PENDING,
    REJECTED,
    RETURNED,
    TRANSFERRED,
    VIA_ESCALATION,
    VIA_FALLBACK_ADMIN,
    VIA_FALLBACK_ROLE,
    VIA_FALLBACK_UP,
    VIA_REASSIGN,
    VIA_TRANSFER,
    WAITING,
    WITHDRAWN,
    WorkflowAction,
    WorkflowInstance,
)
from .states import TimelineAction

#: Timeline actions that settle a step, or hand it on: what a stale page is told happened.
DECIDING = (TimelineAction.APPROVE, TimelineAction.REJECT, TimelineAction.RETURN,
            TimelineAction.TRANSFER, TimelineAction.REASSIGN)


class WorkflowError(Exception):
    """The action is not possible; the message says why, in the user's language."""


class WorkflowConflict(WorkflowError):
    """Someone else acted on the request at the same moment; nothing was recorded."""


# -- sentences ---------------------------------------------------------------------------------


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
            WorkflowAction.action.in_(DECIDING),
        ).order_by(WorkflowAction.at.desc(), WorkflowAction.id.desc()).limit(1)
    )
    if last is None or last.actor is None:
        return state_message(instance) if instance.state != PENDING else _(
            "This step is no longer waiting for you.")
    return _("This step was already decided: %(action)s by %(name)s at %(time)s.",
             action=action_label(last.action), name=last.actor.name,
             time=format_datetime(last.at, "short"))


def action_label(action: str) -> str:
    """What a timeline entry says was done ("returned for revision")."""
    T = TimelineAction
    return {
        T.SUBMIT: _("submitted"), T.APPROVE: _("approved"), T.REJECT: _("rejected"),
        T.RETURN: _("returned for revision"), T.RESUBMIT: _("resubmitted"),
        T.WITHDRAW: _("withdrawn"), T.TRANSFER: _("transferred"), T.REASSIGN: _("reassigned"),
        T.CC: _("copied in"), T.URGE: _("urged"), T.REMIND: _("reminded"),
        T.ESCALATE: _("escalated"), T.FALLBACK: _("sent to a fallback"),
        T.ACKNOWLEDGE: _("fallback acknowledged"),
    }.get(action, action)


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


# -- labels --------------------------------------------------------------------------------------

#: What each person asked to decide has done so far.
PERSON_LABELS = {
    PENDING: _l("to decide"),
    APPROVED: _l("approved"),
    REJECTED: _l("rejected"),
    RETURNED: _l("returned it"),
    CANCELLED: _l("not needed"),
    TRANSFERRED: _l("handed over"),
}


STATE_LABELS = {
    PENDING: (_l("In progress"), "primary"),
    RETURNED: (_l("Returned for revision"), "warning"),
    APPROVED: (_l("Approved"), "success"),
    REJECTED: (_l("Rejected"), "danger"),
    WITHDRAWN: (_l("Withdrawn"), "secondary"),
    WAITING: (_l("Not yet"), "light"),
    OPEN: (_l("Waiting for a decision"), "primary"),
    CANCELLED: (_l("Not needed"), "secondary"),
    TRANSFERRED: (_l("Transferred"), "secondary"),
}


VIA_LABELS = {
    VIA_TRANSFER: _l("by transfer"),
    VIA_ESCALATION: _l("by escalation"),
    VIA_REASSIGN: _l("reassigned by an administrator"),
    **{via: _l("fallback") for via in FALLBACK_VIAS},
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, (state, ""))[0])


def state_colour(state: str) -> str:
    return STATE_LABELS.get(state, ("", "secondary"))[1]


def person_label(state: str) -> str:
    return str(PERSON_LABELS.get(state, state))


#: Passed to the workflow and inbox templates.
HELPERS = {"state_label": state_label, "state_colour": state_colour,
           "person_label": person_label}
