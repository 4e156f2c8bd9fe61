"""The tables of the workflow engine, all prefixed ``workflow_``.

A :class:`WorkflowInstance` is one request for one subject of a plugin (a leave, a plan). Its
chosen chain is a list of :class:`WorkflowStep` rows per *round* (a resubmission after a return
starts a new round). When a step opens, the people who may decide it get a
:class:`WorkflowAssignment` each; whatever anyone does is a :class:`WorkflowAction`, the
timeline. People copied in are :class:`WorkflowCC` rows.

The instance carries a version number (optimistic locking): every decision first bumps it, so
of two approvers acting at the same moment exactly one wins and the other is told.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Unit, User, utcnow
from .states import AssignmentState, RequestState, StepState

# The states as the plain strings the columns hold; :mod:`.states` names and documents them.
PENDING, RETURNED, APPROVED, REJECTED, WITHDRAWN = (
    RequestState.PENDING.value, RequestState.RETURNED.value, RequestState.APPROVED.value,
    RequestState.REJECTED.value, RequestState.WITHDRAWN.value,
)
OPEN_STATES = (PENDING, RETURNED)
FINAL_STATES = (APPROVED, REJECTED, WITHDRAWN)
WAITING, OPEN, CANCELLED = (StepState.WAITING.value, StepState.OPEN.value,
                            StepState.CANCELLED.value)
TRANSFERRED = AssignmentState.TRANSFERRED.value

# How an approver was found.
VIA_ROLE, VIA_USER = "role", "user"
VIA_FALLBACK_ROLE, VIA_FALLBACK_UP, VIA_FALLBACK_ADMIN = (
    "fallback_role", "fallback_up", "fallback_admin",
)
VIA_TRANSFER, VIA_ESCALATION, VIA_REASSIGN = "transfer", "escalation", "reassign"
FALLBACK_VIAS = (VIA_FALLBACK_ROLE, VIA_FALLBACK_UP, VIA_FALLBACK_ADMIN)


class WorkflowInstance(db.Model):
    """One request going through a plugin's approval chain."""

    __tablename__ = "workflow_instances"
    __table_args__ = (db.Index("ix_workflow_instances_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``<plugin>.<name>`` of the :class:`~core.api.WorkflowDefinition`.
    definition_id: Mapped[str] = mapped_column(db.String(128), index=True)
    plugin: Mapped[str] = mapped_column(db.String(64), index=True)
    subject_type: Mapped[str] = mapped_column(db.String(64))
    subject_id: Mapped[str] = mapped_column(db.String(64))
    #: One line shown in inboxes, e.g. "Leave of 张三, 24 Nov 08:00–12:00".
    title: Mapped[str] = mapped_column(db.String(300))
    applicant_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    #: The applicant's unit: approvers are resolved in its ancestry; lists are scoped by it.
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    #: A :class:`~.states.RequestState` value.
    state: Mapped[str] = mapped_column(db.String(16), default=PENDING, index=True)
    #: The chosen route and the conditions weighed (see :func:`definitions.plan`).
    route: Mapped[str] = mapped_column(db.String(64), default="")
    reasons_json: Mapped[str] = mapped_column(db.Text, default="[]")
    #: The subject's fields the conditions were evaluated on (JSON values).
    fields_json: Mapped[str] = mapped_column(db.Text, default="{}")
    round: Mapped[int] = mapped_column(default=1)
    #: Set when a step went to a fallback approver; administrators see it until they act.
    needs_attention: Mapped[bool] = mapped_column(default=False, index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]

    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    unit: Mapped[Unit] = relationship()
    steps: Mapped[list[WorkflowStep]] = relationship(
        back_populates="instance", order_by="(WorkflowStep.round, WorkflowStep.position)",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def fields(self) -> dict:
        return json.loads(self.fields_json or "{}")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def current_steps(self) -> list[WorkflowStep]:
        """The steps of the latest round, in order."""
        return [s for s in self.steps if s.round == self.round]

    @property
    def open_step(self) -> WorkflowStep | None:
        return next((s for s in self.current_steps if s.state == OPEN), None)

    def __repr__(self) -> str:
        return f"<WorkflowInstance {self.id} {self.definition_id} {self.state}>"


class WorkflowStep(db.Model):
    """One step of one round of a request's chain."""

    __tablename__ = "workflow_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(db.ForeignKey("workflow_instances.id"), index=True)
    round: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)
    #: The step's key in its route; its label as it was when the step was created (shown
    #: when the plugin that declared it is gone).
    key: Mapped[str] = mapped_column(db.String(64))
    label: Mapped[str] = mapped_column(db.String(200), default="")
    #: The route the step belongs to (a resubmission may choose another one).
    route_key: Mapped[str] = mapped_column(db.String(64), default="")
    mode: Mapped[str] = mapped_column(db.String(8), default="any")
    #: How many approver slots the step has; an all-of step needs each of them.
    slots: Mapped[int] = mapped_column(default=1)
    #: A :class:`~.states.StepState` value.
    state: Mapped[str] = mapped_column(db.String(16), default=WAITING, index=True)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    remind_at: Mapped[datetime | None] = mapped_column(index=True)
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    #: What went to a fallback when the step opened: JSON records (see :mod:`.approvers`).
    fallback_json: Mapped[str] = mapped_column(db.Text, default="[]")

    instance: Mapped[WorkflowInstance] = relationship(back_populates="steps")
    assignments: Mapped[list[WorkflowAssignment]] = relationship(
        back_populates="step", order_by="(WorkflowAssignment.slot, WorkflowAssignment.id)",
        cascade="all, delete-orphan",
    )

    @property
    def fallbacks(self) -> list[dict]:
        return json.loads(self.fallback_json or "[]")


class WorkflowAssignment(db.Model):
    """One person who may decide one step (for one slot of an all-of step)."""

    __tablename__ = "workflow_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(db.ForeignKey("workflow_steps.id"), index=True)
    #: Repeated from the step so that inbox queries need one join less.
    instance_id: Mapped[int] = mapped_column(db.ForeignKey("workflow_instances.id"), index=True)
    user_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    #: Which approver of the step this person stands for (all-of steps need every slot).
    slot: Mapped[int] = mapped_column(default=0)
    #: How the person was found: role, user, fallback_*, transfer, escalation, reassign.
    via: Mapped[str] = mapped_column(db.String(32), default=VIA_ROLE)
    #: An :class:`~.states.AssignmentState` value.
    state: Mapped[str] = mapped_column(db.String(16), default=PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acted_at: Mapped[datetime | None]

    step: Mapped[WorkflowStep] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship()


class WorkflowAction(db.Model):
    """One entry of a request's timeline: who did what, when, with which comment and form."""

    __tablename__ = "workflow_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(db.ForeignKey("workflow_instances.id"), index=True)
    step_id: Mapped[int | None] = mapped_column(db.ForeignKey("workflow_steps.id"))
    round: Mapped[int] = mapped_column(default=1)
    #: None for what the engine did by itself (reminders, escalations, fallbacks).
    actor_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    #: A :class:`~.states.TimelineAction`: submit, approve, reject, return, ... acknowledge.
    action: Mapped[str] = mapped_column(db.String(32))
    comment: Mapped[str] = mapped_column(db.Text, default="")
    data_json: Mapped[str] = mapped_column(db.Text, default="{}")
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()
    step: Mapped[WorkflowStep | None] = relationship()

    @property
    def data(self) -> dict:
        return json.loads(self.data_json or "{}")


class WorkflowCC(db.Model):
    """A person copied in on a request: they may read it and are told when it is decided."""

    __tablename__ = "workflow_ccs"
    __table_args__ = (db.UniqueConstraint("instance_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(db.ForeignKey("workflow_instances.id"), index=True)
    user_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
