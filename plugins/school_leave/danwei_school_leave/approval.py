"""The chain table of 篇一 as a workflow of core's engine.

:func:`rules.choose_chain` decides the row once, when the leave is filed; the definition below
has one route per row and simply follows that choice. Each route's condition explains itself
by asking the rules again, from the fields the engine keeps, so the explanation is always the
rules' own reasons in the reader's language.

The engine tells the plugin what happened (``on_workflow_event``); :func:`on_event` keeps the
leave's state in step and turns the class teacher's step form into a recorded parent call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.api import (
    ALL,
    ANY,
    AssignmentState,
    Condition,
    EventAction,
    RequestState,
    RoleApprover,
    Route,
    Step,
    Unit,
    User,
    WorkflowDefinition,
    WorkflowInstance,
    audit,
    db,
    is_workflow_participant,
    pending_workflow_assignments,
    resolve_approvers,
    resubmit_workflow,
    start_workflow,
    to_local,
    to_utc,
    utcnow,
    workflow_for,
    workflow_waiting_query,
)

from . import rules, school
from .assessment import preview
from .i18n import lazy_gettext as _l
from .models import OUTGOING, Leave, ParentCall

DEFINITION = "school_leave.leave"


# -- the fields the engine keeps, and the rules read back --------------------------------------


def fields_of(leave: Leave, chain: rules.Chain, duration: rules.Duration,
              settings: rules.Rules) -> dict[str, Any]:
    return {
        "row": chain.row, "leave_type": leave.leave_type, "periods": duration.periods,
        "days": duration.days, "evening": duration.touches_evening_study,
        "evening_or_later": duration.evening_or_later, "leaving_campus": leave.leaving_campus,
        "in_exam": chain.row == "exam", "max_periods": settings.monitor_max_periods,
        "ct_days": settings.class_teacher_max_days, "grade_days": settings.grade_max_days,
    }


def chain_of(fields: Mapping[str, Any]) -> rules.Chain:
    """The chain the rules choose for the kept fields (to explain it again)."""
    duration = rules.Duration(
        int(fields.get("periods", 0)), float(fields.get("days", 0)), (),
        bool(fields.get("evening")), (), bool(fields.get("evening_or_later")))
    facts = rules.Facts(fields.get("leave_type", rules.PERSONAL), duration,
                        bool(fields.get("leaving_campus")), bool(fields.get("in_exam")))
    settings = rules.Rules(int(fields.get("max_periods", 2)), float(fields.get("ct_days", 1)),
                           float(fields.get("grade_days", 2)))
    return rules.choose_chain(facts, settings)


class RowIs(Condition):
    """The route of a row of the table; it explains itself with the rules' reasons."""

    def __init__(self, row: str):
        super().__init__(test=lambda f: f.get("row") == row, yes="", no="")

    def explain(self, fields: Mapping[str, Any], outcome: bool) -> str:
        if not outcome:
            return ""
        return " ".join(str(reason) for reason in chain_of(fields).reasons)


# -- the definition -------------------------------------------------------------------------------

def _parent_call_form():
    """The class teacher phones the parent and notes it on the slip (line 13, line 17)."""
    from .forms import StepCallForm

    return StepCallForm

#: The rows of the chain table, as the applicant reads them.
ROW_LABELS = {
    "monitor": _l("Up to 2 periods on campus: the monitor signs"),
    "class_teacher": _l("Up to 1 day: monitor, then class teacher"),
    "grade": _l("Up to 2 days: monitor, class teacher, grade office, student affairs"),
    "principal": _l("More than 2 days: monitor, class teacher, grade office, student affairs, "
                    "principal"),
    "exam": _l("Exam period: class teacher, grade office, student affairs, academic affairs, "
               "vice principal"),
    "morning_exercise": _l("Morning exercise: monitor + PE member + dorm head together; the "
                           "class teacher reviews it afterwards"),
}

LABELS = {
    rules.MONITOR: _l("Class monitor"),
    rules.PE_MEMBER: _l("PE committee member"),
    rules.DORM_HEAD: _l("Dorm head"),
    rules.CLASS_TEACHER: _l("Class teacher"),
    rules.GRADE_OFFICE: _l("Grade office"),
    rules.STUDENT_AFFAIRS: _l("Student affairs office"),
    rules.ACADEMIC_AFFAIRS: _l("Academic affairs office"),
    rules.VICE_PRINCIPAL: _l("Vice principal in charge"),
    rules.PRINCIPAL: _l("Principal"),
}
#: Where each signer's role is held: the student's class, grade, or school.
AT = {
    rules.MONITOR: "class", rules.PE_MEMBER: "class", rules.DORM_HEAD: "class",
    rules.CLASS_TEACHER: "class", rules.GRADE_OFFICE: "grade",
    rules.STUDENT_AFFAIRS: "school", rules.ACADEMIC_AFFAIRS: "school",
    rules.VICE_PRINCIPAL: "school", rules.PRINCIPAL: "school",
}


def _key(role: str) -> str:
    return role.split(".", 1)[1]


#: The key of the class teacher's step, in every row that has one.
TEACHER_STEP = _key(rules.CLASS_TEACHER)


def _steps(chain: rules.Chain) -> tuple[Step, ...]:
    steps = []
    for index, roles in enumerate(chain.steps):
        joint = index in chain.all_of_steps
        teacher = roles == (rules.CLASS_TEACHER,)
        steps.append(Step(
            "joint" if joint else _key(roles[0]),
            " + ".join(str(LABELS[r]) for r in roles) if joint else LABELS[roles[0]],
            approvers=tuple(RoleApprover(r, AT[r]) for r in roles),
            mode=ALL if joint else ANY,
            form=_parent_call_form() if teacher and chain.parent_call_required else None,
            # A class cadre asking for their own leave: the class teacher signs in their place.
            fallback_role=rules.CLASS_TEACHER if AT[roles[0]] == "class" and not teacher
            else None,
        ))
    return tuple(steps)


def _sample_chain(row: str) -> rules.Chain:
    """The chain of *row*, to declare its steps (the lengths here only pick the row)."""
    samples = {
        "monitor": dict(periods=1, days=0.12), "class_teacher": dict(periods=4, days=0.5),
        "grade": dict(periods=12, days=1.5), "principal": dict(periods=24, days=3),
        "exam": dict(periods=1, days=0.12, in_exam=True),
        "morning_exercise": dict(leave_type=rules.MORNING_EXERCISE),
    }
    fields = {"row": row, **samples[row]}
    return chain_of(fields)


ROWS = ("morning_exercise", "exam", "monitor", "class_teacher", "grade", "principal")


def definition() -> WorkflowDefinition:
    return WorkflowDefinition(
        DEFINITION, _l("Student leave"),
        routes=tuple(Route(row, ROW_LABELS[row], _steps(_sample_chain(row)), when=RowIs(row))
                     for row in ROWS),
        subject_url=lambda subject_id: f"/school_leave/leave/{subject_id}",
        subject_model=Leave,
        refresh_fields=refresh_fields,
        # A copy shows the class teacher's note of the call: staff of the class only.
        view_permission="school_leave.view",
        description=_l("The signatures of a student's leave slip, by the table of 篇一."),
    )


# -- starting, reading, reacting -------------------------------------------------------------------


def title_of(leave: Leave) -> str:
    return (f"{leave.student.name} · {to_local(leave.start_at):%m-%d %H:%M}–"
            f"{to_local(leave.end_at):%m-%d %H:%M}")


def start(leave: Leave, chain: rules.Chain, duration: rules.Duration,
          settings: rules.Rules, actor: User) -> None:
    """Submit the leave to the engine; the first step opens at once."""
    instance = start_workflow(
        DEFINITION, leave, applicant=leave.student, unit=leave.unit,
        fields=fields_of(leave, chain, duration, settings), title=title_of(leave), actor=actor,
    )
    leave.workflow_id = instance.id
    leave.status = instance.state


def refresh_fields(subject_id: str) -> dict:
    """The fields of a leave after the applicant revised it (for a resubmission)."""
    leave = db.session.get(Leave, int(subject_id))
    found = preview(leave.student, leave.unit, leave.leave_type, leave.start_at,
                           leave.end_at, leave.leaving_campus, extension=leave.is_extension)
    return fields_of(leave, found.chain, found.duration, school.leave_rules(leave.unit))


def instance_of(leave: Leave, with_chain: bool = False):
    return workflow_for(leave, DEFINITION, with_chain=with_chain)


def waiting_ids(user: User):
    """SQL: ids of the leave waiting for *user*'s signature."""
    return select(Leave.id).where(Leave.workflow_id.in_(workflow_waiting_query(user)))


def holders(role: str, unit: Unit, student: User) -> list[User]:
    """Who signs as *role* for *student* of *unit* (e.g. the class teachers of the class),
    found as the engine finds approvers: up the tree, with its fallbacks for empty chairs."""
    step = Step(_key(role), LABELS.get(role, role), role=role, at=AT.get(role))
    return resolve_approvers(step.approvers[0], step, unit, student).users


def leave_of_request() -> Leave | None:
    """The leave of the request being decided in this HTTP request (``/workflow/<id>/…``, or
    the leave's page that shows the panel), so that the class teacher's step form can check
    the call against it and start from what is known."""
    from flask import has_request_context, request

    if not has_request_context() or not request.view_args:
        return None
    if request.blueprint == "school_leave" and request.view_args.get("leave_id"):
        return db.session.get(Leave, request.view_args["leave_id"])  # the leave's own page
    instance = db.session.get(WorkflowInstance, request.view_args.get("instance_id") or 0)
    if instance is None or instance.definition_id != DEFINITION:
        return None
    return db.session.get(Leave, int(instance.subject_id))


def waiting_for(instance) -> list[User]:
    return [a.user for a in pending_workflow_assignments(instance.open_step)]


def _wall(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T"))
    except (AttributeError, ValueError):
        return None


def on_event(event) -> None:
    """Keep the leave in step with its request; record the class teacher's call."""
    leave = event.subject
    if event.definition_id != DEFINITION or leave is None:
        return
    if leave.status != event.state:
        leave.status = event.state
        if event.final:
            leave.decided_at = utcnow()
        if event.state == RequestState.APPROVED and leave.chain_row == "morning_exercise":
            from .leaves import ask_for_review

            ask_for_review(leave)
        root = leave.root
        if leave.is_extension and event.state == RequestState.APPROVED and root.overdue_at \
                and not root.truancy:
            # The extension filed in time is signed: the student is no longer overdue.
            root.overdue_at = None
    values = event.form
    if event.action in (EventAction.STEP_APPROVED, EventAction.APPROVED) and values:
        called_at = _wall(values.get("called_at", ""))
        if called_at is not None and values.get("phone"):
            call = ParentCall(
                student_id=leave.student_id, unit_id=leave.unit_id, leave_id=leave.id,
                direction=OUTGOING, called_at=to_utc(called_at),
                phone=values["phone"][:32], answered_by=values.get("answered_by", "")[:100],
                note=values.get("note", ""), recorded_by_id=event.actor_id,
            )
            db.session.add(call)
            audit("school_leave.call_recorded", subject=leave, unit=leave.unit,
                  summary=f"{leave.student.username}: {call.answered_by} {call.phone}",
                  data={"direction": OUTGOING})


def resubmit(leave: Leave, actor: User, chain: rules.Chain, duration: rules.Duration) -> None:
    """Send a revised leave through a new round of signatures, chosen for its new length."""
    instance = instance_of(leave)
    resubmit_workflow(instance, actor, fields=fields_of(leave, chain, duration,
                                                        school.leave_rules(leave.unit)),
                      title=title_of(leave))
    leave.status = instance.state


def reasons(leave: Leave, instance=None) -> list[str]:
    """Why the leave's chain has its steps, in the reader's language (*instance*: its
    workflow, if the caller has it already)."""
    instance = instance if instance is not None else instance_of(leave)
    if instance is not None:
        return [str(r) for r in chain_of(instance.fields).reasons]
    return leave.chain_reasons.splitlines()


def is_signer(leave: Leave, user: User) -> bool:
    """Someone the engine asked to sign (or copied in) may open the leave."""
    instance = instance_of(leave)
    return instance is not None and is_workflow_participant(instance, user)


def waiting_label(leave: Leave) -> str:
    """Who must sign next, e.g. "Class monitor (李明)"."""
    instance = instance_of(leave)
    names = [u.name for u in waiting_for(instance)] if instance is not None else []
    return ", ".join(names) or "—"


@dataclass
class Signature:
    who: str
    at: datetime | None


@dataclass
class SlipStep:
    """One box of signatures on the printed slip."""

    key: str
    label: str
    signatures: list[Signature]


def signatures(leave: Leave) -> list[SlipStep]:
    """The steps of the leave's current round, with who signed each and when."""
    instance = instance_of(leave)
    if instance is None:
        return []
    return [SlipStep(step.key, step.label,
                     [Signature(a.user.name, a.acted_at) for a in step.assignments
                      if a.state == AssignmentState.APPROVED])
            for step in instance.current_steps]
