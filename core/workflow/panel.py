"""The panel of a request: its chain, why it has these steps, its timeline, and the forms of
the actions the viewer may take.

The workflow's own page shows it, and a plugin shows the same panel on its subject page with
``{{ workflow_panel(instance) }}``. :class:`Panel` is the view-model the template reads; it
asks the engine (:mod:`.queries`, :mod:`.approvers`, :mod:`.messages`), deciding nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from flask import render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from ..extensions import db
from ..i18n import gettext as _
from ..models import User, utcnow
from .approvers import transfer_candidates
from .definitions import ALL
from .forms import (
    CCForm,
    CommentForm,
    DecisionForm,
    ReassignForm,
    TransferForm,
    step_form_class,
)
from .messages import HELPERS, VIA_LABELS, action_label, describe_fallback
from .models import OPEN, PENDING, RETURNED, WorkflowAction, WorkflowInstance, WorkflowStep
from .queries import (
    can_decide,
    can_view,
    chain_headline,
    is_admin,
    is_participant,
    left_out_steps,
    may_read_notes,
)
from .registry import definition_of, step_definition
from .states import TimelineAction as T


@dataclass
class Person:
    name: str
    state: str
    via: str = ""


@dataclass
class ChainStep:
    row: WorkflowStep
    label: str
    people: list[Person]
    overdue: bool
    fallbacks: list[str]
    has_form: bool


@dataclass
class Entry:
    action: WorkflowAction
    label: str
    actor: str
    step: str
    details: list[str] = field(default_factory=list)
    form: list[tuple[str, str]] = field(default_factory=list)


class Panel:
    """Everything the panel template shows to *user* about *instance*, with its forms.

    *bound* names the one form being posted (its fields are read from the request); the other
    forms start empty.
    """

    def __init__(self, instance: WorkflowInstance, user: User, bound: str | None = None,
                 next_url: str | None = None):
        self.instance, self.user = instance, user
        self.definition = definition_of(instance)
        self.step = instance.open_step if instance.state == PENDING else None
        self.dstep = step_definition(instance, self.step) if self.step else None
        self.next = next_url or url_for("workflow.show", instance_id=instance.id)
        applicant = instance.applicant_id == user.id
        self.is_admin = is_admin(instance, user)
        self.can_decide = can_decide(instance, user)
        self.candidates = (transfer_candidates(instance, self.step)
                           if self.can_decide else [])
        self.can_urge = applicant and instance.state == PENDING
        self.can_withdraw = applicant and instance.is_open
        self.can_resubmit = applicant and instance.state == RETURNED
        self.can_cc = self.is_admin or is_participant(instance, user)
        self.can_reassign = self.is_admin and instance.state == PENDING and self.step is not None

        def make(cls, name, **kw):
            data = request.form if bound == name else None
            return cls(formdata=data, prefix=name, **kw)

        self.decision = make(DecisionForm, "decide") if self.can_decide else None
        step_cls = step_form_class(self.dstep) if self.can_decide else None
        self.step_form = (step_cls(formdata=request.form if bound == "decide" else None,
                                   prefix="step", meta={"csrf": False}) if step_cls else None)
        self.transfer = make(TransferForm, "transfer") if self.candidates else None
        if self.transfer is not None:
            self.transfer.target.choices = [(u.id, u.name) for u in self.candidates]
        self.reassign = make(ReassignForm, "reassign") if self.can_reassign else None
        self.cc = make(CCForm, "cc") if self.can_cc else None
        self.urge = make(CommentForm, "urge") if self.can_urge else None
        self.withdraw = make(CommentForm, "withdraw") if self.can_withdraw else None
        self.resubmit = make(CommentForm, "resubmit") if self.can_resubmit else None
        self.acknowledge = (make(CommentForm, "acknowledge")
                            if self.is_admin and instance.needs_attention else None)
        for form in (self.decision, self.transfer):
            if form is not None and self.step is not None and not form.step_id.data:
                form.step_id.data = str(self.step.id)

    # -- what the template reads --

    @property
    def subject_url(self) -> str | None:
        if self.definition is None or self.definition.subject_url is None:
            return None
        return self.definition.subject_url(self.instance.subject_id)

    @property
    def definition_label(self) -> str:
        return str(self.definition.label) if self.definition else self.instance.definition_id

    @cached_property
    def headline(self) -> str:
        return chain_headline(self.instance)

    @cached_property
    def left_out(self) -> list[tuple[str, str]]:
        return left_out_steps(self.instance)

    def step_label(self, row: WorkflowStep | None) -> str:
        if row is None:
            return ""
        if self.definition is not None:
            dstep = self.definition.step(row.route_key or self.instance.route, row.key)
            if dstep is not None:
                return str(dstep.label)
        return row.label

    @cached_property
    def chain(self) -> list[ChainStep]:
        now = utcnow()
        rows = []
        for row in self.instance.current_steps:
            people = [Person(a.user.name, a.state, str(VIA_LABELS.get(a.via, "")))
                      for a in row.assignments]
            dstep = (self.definition.step(row.route_key or self.instance.route, row.key)
                     if self.definition else None)
            rows.append(ChainStep(
                row=row, label=self.step_label(row), people=people,
                overdue=row.state == OPEN and row.due_at is not None and row.due_at < now,
                fallbacks=[describe_fallback(r) for r in row.fallbacks],
                has_form=dstep is not None and dstep.form is not None,
            ))
        return rows

    @property
    def all_of(self) -> bool:
        return self.step is not None and self.step.mode == ALL

    @cached_property
    def timeline(self) -> list[Entry]:
        actions = db.session.scalars(
            select(WorkflowAction).where(WorkflowAction.instance_id == self.instance.id)
            .order_by(WorkflowAction.at, WorkflowAction.id)
        )
        entries = []
        notes = may_read_notes(self.instance, self.user)
        for action in actions:
            data = action.data
            entry = Entry(action, action_label(action.action),
                          action.actor.name if action.actor else _("System"),
                          self.step_label(action.step))
            if action.action in (T.TRANSFER, T.REASSIGN) and data.get("to_name"):
                entry.details.append(_("To %(name)s.", name=data["to_name"]))
            elif action.action in (T.CC, T.URGE, T.REMIND, T.ESCALATE) and data.get("names"):
                entry.details.append(", ".join(data["names"]))
            elif action.action == T.FALLBACK:
                entry.details.append(describe_fallback(data))
            # What one noted oneself is shown back, whoever else may not read it.
            form = data.get("form") if notes or action.actor_id == self.user.id else None
            if isinstance(form, list):
                entry.form = [(item.get("label") or item.get("name"), item.get("value"))
                              for item in form]
            elif isinstance(form, dict):
                entry.form = [(k, v) for k, v in form.items()]
            entries.append(entry)
        return entries

    def render(self) -> Markup:
        return Markup(render_template("workflow/_panel.html", panel=self, **HELPERS))


def workflow_panel(instance: WorkflowInstance | None, next_url: str | None = None) -> Markup:
    """The request's chain, timeline and the actions the current user may take, as HTML.

    Plugins call it in their subject page's template: ``{{ workflow_panel(instance) }}``. It
    renders nothing for someone who may not see the request. After an action the user comes
    back to the page the panel was on.
    """
    if instance is None or not can_view(instance, current_user):
        return Markup("")
    return Panel(instance, current_user, next_url=next_url or request.full_path.rstrip("?")
                 ).render()
