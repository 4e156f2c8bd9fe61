"""What a plugin declares through ``register_workflows``: frozen dataclasses and the planner.

A :class:`WorkflowDefinition` is a list of :class:`Route` objects — the rows of a chain table.
When a request is submitted, the first route whose condition holds is chosen, then, in order,
the steps of that route whose condition holds. Every condition carries the sentences that
explain its outcome, so the chosen chain can always say why it has the steps it has
("4 steps: the leave is 1.5 days, more than 1; exam period: no").

Nothing here touches the database: :func:`plan` is a pure function of a definition and the
subject's fields, so a plugin can preview a chain (and test its table) without a request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .states import EventAction, RequestState

#: Step modes: one approver decides for the step, or every listed approver must sign.
ANY, ALL = "any", "all"
MODES = (ANY, ALL)

#: Types of a :class:`FormField`.
FIELD_TYPES = ("str", "text", "int", "float", "date", "time", "datetime", "phone", "choice",
               "bool")


@dataclass(frozen=True)
class Condition:
    """A test on the subject's fields, with the sentence that explains each outcome.

    The sentences may use ``%(name)s`` placeholders, filled from the fields::

        Condition(lambda f: f["days"] > 1,
                  yes=_l("the leave is %(days)s days, more than 1"),
                  no=_l("the leave is %(days)s days, at most 1"))
    """

    #: ``fields → bool``; fields are JSON values (numbers, strings, booleans, lists).
    test: Callable[[Mapping[str, Any]], bool]
    #: Shown when the test holds; wrap it in ``lazy_gettext``.
    yes: Any
    #: Shown when it does not.
    no: Any = ""

    def holds(self, fields: Mapping[str, Any]) -> bool:
        return bool(self.test(fields))

    def explain(self, fields: Mapping[str, Any], outcome: bool) -> str:
        """The sentence for *outcome*, in the reader's language, with the fields filled in."""
        text = str(self.yes if outcome else self.no)
        try:
            return text % dict(fields) if "%(" in text else text
        except (KeyError, TypeError, ValueError):
            return text


@dataclass(frozen=True)
class RoleApprover:
    """Whoever holds *role* in the applicant's unit ancestry.

    With *at* (a unit kind such as ``"class"``, ``"grade"`` or ``"school"``) the role must be
    held in the nearest unit of that kind above the applicant (the class teacher *of the
    student's class*); without it, the nearest unit up the tree where someone holds the role.
    """

    role: str
    at: str | None = None


@dataclass(frozen=True)
class UserApprover:
    """One named person, by user name."""

    username: str


@dataclass(frozen=True)
class FieldApprover:
    """The person whose user name is in a field of the request, e.g. the original approver of
    a plan, who must decide its revision. An empty or unknown name goes to the fallback."""

    field: str


@dataclass(frozen=True)
class FormField:
    """One field of a step form declared as data (instead of a WTForms class)."""

    name: str
    label: Any
    #: One of :data:`FIELD_TYPES`.
    type: str = "str"
    required: bool = True
    #: For ``choice``: ``((value, label), ...)``.
    choices: tuple[tuple[str, Any], ...] = ()
    help: Any = ""


@dataclass(frozen=True)
class Step:
    """One signature of the chain: who decides, how many of them, when, and with what form.

    ``Step("ct", _l("Class teacher"), role="school_leave.class_teacher", at="class")`` is the
    short way of writing ``approvers=(RoleApprover("school_leave.class_teacher", "class"),)``;
    ``user="wang"`` adds a :class:`UserApprover`.
    """

    key: str
    label: Any
    #: :class:`RoleApprover`, :class:`UserApprover` and :class:`FieldApprover` objects; each is
    #: one *slot*.
    approvers: tuple[RoleApprover | UserApprover | FieldApprover, ...] = ()
    #: ``ANY``: the first approver's decision decides the step. ``ALL``: every slot must sign
    #: (when a role has several holders, one of them signs for the slot).
    mode: str = ANY
    #: The step is part of the chain only when this holds.
    when: Condition | None = None
    #: Filled in before approving: a WTForms form class, or a tuple of :class:`FormField`.
    form: Any = None
    #: Due this many working days after the step opens (None: no due time).
    due_days: float | None = None
    #: Remind the approvers this many working days before the due time.
    remind_before_days: float = 0.5
    #: When the step is overdue, holders of this role up the ancestry may decide it too.
    escalate_to: str | None = None
    #: When nobody (active) holds the step's role: this role, resolved up the ancestry. Without
    #: it, the same role further up the tree, then the unit's workflow administrators.
    fallback_role: str | None = None
    #: Besides the step's own roles, holders of these roles may receive a transfer.
    transfer_roles: tuple[str, ...] = ()
    role: str | None = None
    at: str | None = None
    user: str | None = None

    def __post_init__(self):
        extra: list[RoleApprover | UserApprover] = []
        if self.role:
            extra.append(RoleApprover(self.role, self.at))
        if self.user:
            extra.append(UserApprover(self.user))
        if extra:
            object.__setattr__(self, "approvers", tuple(self.approvers) + tuple(extra))

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(a.role for a in self.approvers if isinstance(a, RoleApprover))


@dataclass(frozen=True)
class Route:
    """A row of the chain table: its steps, and the condition that selects it."""

    key: str
    label: Any
    steps: tuple[Step, ...]
    #: None: the route always applies (put it last).
    when: Condition | None = None


@dataclass(frozen=True)
class WorkflowDefinition:
    """An approval workflow a plugin offers, returned from ``register_workflows``."""

    #: ``<plugin>.<name>``, e.g. ``school_leave.leave``.
    id: str
    label: Any
    #: The rows of the chain table, tried in order.
    routes: tuple[Route, ...] = ()
    #: Shorthand for a single unconditional route.
    steps: tuple[Step, ...] = ()
    #: ``subject_id → URL`` of the subject's page (called in a request, so ``url_for`` works).
    subject_url: Callable[[str], str] | None = None
    #: Approvers may approve many requests at once from the inbox (steps without a form only).
    bulk_approve: bool = False
    #: ``subject_id → fields``: read the subject's fields again when the applicant resubmits
    #: from the core panel after a return for revision.
    refresh_fields: Callable[[str], Mapping[str, Any]] | None = None
    description: Any = ""
    #: The permission that lets someone read requests of this kind in a unit (held in the
    #: request's unit or above). Only its holders may be copied in (CC). None means the
    #: plugin's ``<plugin>.view``; a plugin without that permission cannot CC anyone.
    view_permission: str | None = None
    #: The plugin's model class of the subject (``Leave``): core loads the record by its
    #: primary key and hands it to the plugin as :attr:`WorkflowEvent.subject`, so the plugin
    #: writes no loader of its own.
    subject_model: type | None = None

    @property
    def plugin(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def readers_permission(self) -> str:
        """The permission of those who may read requests of this kind (see above)."""
        return self.view_permission or f"{self.plugin}.view"

    @property
    def all_routes(self) -> tuple[Route, ...]:
        return self.routes or (Route("default", self.label, self.steps),)

    def route(self, key: str) -> Route | None:
        return next((r for r in self.all_routes if r.key == key), None)

    def step(self, route_key: str, step_key: str) -> Step | None:
        route = self.route(route_key)
        return next((s for s in route.steps if s.key == step_key), None) if route else None


@dataclass(frozen=True)
class WorkflowEvent:
    """What happened to a request, passed to the owning plugin's ``on_workflow_event``.

    ``action`` and ``state`` are enum members (:class:`EventAction`, :class:`RequestState`):
    compare them with members, ``event.state == RequestState.APPROVED``. Being
    :class:`~enum.StrEnum` members they also equal the plain strings of contract 1.0.
    """

    #: What happened: an :class:`EventAction`.
    action: EventAction
    definition_id: str
    instance_id: int
    subject_type: str
    subject_id: str
    #: The request's state after the action: a :class:`RequestState`.
    state: RequestState
    actor_id: int | None
    step_key: str | None = None
    comment: str = ""
    #: Deprecated since contract 1.1: the action's details as an untyped dict (the step form
    #: under ``"form"``, as the caller passed it). Read :attr:`form` and :attr:`subject`.
    data: dict = field(default_factory=dict)
    #: The step form the approver filled in (``step_approved``/``approved`` of a step with a
    #: form): field name → the value as entered, as text. Empty for every other action.
    form: Mapping[str, str] = field(default_factory=dict)
    #: The plugin's record the request is about, loaded through the definition's
    #: ``subject_model`` (None without one, or when the record is gone).
    subject: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        # A misspelt action or state is refused where the event is made, not compared later.
        object.__setattr__(self, "action", EventAction(self.action))
        object.__setattr__(self, "state", RequestState(self.state))
        object.__setattr__(self, "form", MappingProxyType(dict(self.form)))

    @property
    def final(self) -> bool:
        """True when the request was decided for good (approved, rejected or withdrawn)."""
        return self.state.is_final


# -- planning ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One evaluated condition: of a route (``kind="route"``) or of a step."""

    kind: str
    key: str
    outcome: bool


@dataclass(frozen=True)
class Plan:
    """The chain chosen for some fields: the route, its steps, and the conditions weighed."""

    definition: WorkflowDefinition
    route: Route
    steps: tuple[Step, ...]
    reasons: tuple[Reason, ...]
    fields: Mapping[str, Any]

    def explanation(self) -> list[str]:
        """Why the chain has its steps: the routes weighed and the steps taken in."""
        return explain(self.definition, self.route.key, self.reasons, self.fields)

    def left_out(self) -> list[tuple[str, str]]:
        """``(step label, why)`` for each step of the route that the conditions left out."""
        return left_out(self.definition, self.route.key, self.reasons, self.fields)

    def headline(self) -> str:
        """"4 steps because Exam period: no; the leave is 1.5 days, more than 1"."""
        return headline(len(self.steps), self.explanation())


class PlanError(ValueError):
    """No route of the definition applies to the fields (the definition has no default)."""


def plan(definition: WorkflowDefinition, fields: Mapping[str, Any]) -> Plan:
    """Choose the route and the steps for *fields*, recording every condition weighed."""
    reasons: list[Reason] = []
    chosen = None
    for route in definition.all_routes:
        if route.when is None:
            chosen = route
            break
        outcome = route.when.holds(fields)
        reasons.append(Reason("route", route.key, outcome))
        if outcome:
            chosen = route
            break
    if chosen is None:
        raise PlanError(f"no route of {definition.id} applies to {dict(fields)!r}")
    steps = []
    for step in chosen.steps:
        if step.when is None:
            steps.append(step)
            continue
        outcome = step.when.holds(fields)
        reasons.append(Reason("step", step.key, outcome))
        if outcome:
            steps.append(step)
    return Plan(definition, chosen, tuple(steps), tuple(reasons), fields)


def _condition(definition: WorkflowDefinition, route_key: str, reason: Reason):
    """The condition *reason* was weighed on, and the step it belongs to (None for a route)."""
    if reason.kind == "route":
        return getattr(definition.route(reason.key), "when", None), None
    step = definition.step(route_key, reason.key)
    return (step.when if step else None), step


def explain(definition: WorkflowDefinition, route_key: str, reasons, fields) -> list[str]:
    """Why the chain has its steps: the sentences of every route weighed and of every step
    taken in by its condition, each once, in the order they were weighed."""
    sentences: list[str] = []
    for reason in reasons:
        condition, step = _condition(definition, route_key, reason)
        if condition is None or (step is not None and not reason.outcome):
            continue
        text = condition.explain(fields, reason.outcome)
        if text and text not in sentences:
            sentences.append(text)
    return sentences


def left_out(definition: WorkflowDefinition, route_key: str, reasons,
             fields) -> list[tuple[str, str]]:
    """``(step label, why)`` for the steps of the route that their condition left out."""
    found = []
    for reason in reasons:
        condition, step = _condition(definition, route_key, reason)
        if step is not None and condition is not None and not reason.outcome:
            found.append((str(step.label), condition.explain(fields, False)))
    return found


def headline(count: int, sentences: list[str]) -> str:
    from ..i18n import gettext, ngettext

    steps = ngettext("%(num)d step", "%(num)d steps", count)
    if not sentences:
        return steps
    return gettext("%(steps)s because %(reasons)s", steps=steps, reasons="; ".join(sentences))


# -- checking what a plugin declared -------------------------------------------------------------


def definition_problem(plugin: str, item: Any) -> str | None:
    """Why *item* is not a valid definition of *plugin*, or None."""
    if not isinstance(item, WorkflowDefinition):
        return f"register_workflows returned {item!r}, not a WorkflowDefinition"
    if not item.id.startswith(f"{plugin}.") or len(item.id) <= len(plugin) + 1:
        return f"workflow {item.id!r} must be named {plugin}.<name>"
    if item.routes and item.steps:
        return f"workflow {item.id}: give routes or steps, not both"
    routes = item.all_routes
    if not routes:
        return f"workflow {item.id} has no steps"
    if len({r.key for r in routes}) != len(routes):
        return f"workflow {item.id}: route keys must be unique"
    if item.subject_model is not None and not hasattr(item.subject_model, "__table__"):
        return f"workflow {item.id}: subject_model {item.subject_model!r} is not a model class"
    for route in routes:
        if not route.steps:
            return f"workflow {item.id}: route {route.key!r} has no steps"
        if len({s.key for s in route.steps}) != len(route.steps):
            return f"workflow {item.id}: step keys of route {route.key!r} must be unique"
        for step in route.steps:
            if step.mode not in MODES:
                return f"workflow {item.id}: step {step.key!r} has mode {step.mode!r}"
            if not step.approvers:
                return f"workflow {item.id}: step {step.key!r} names no approver"
            for approver in step.approvers:
                if not isinstance(approver, RoleApprover | UserApprover | FieldApprover):
                    return f"workflow {item.id}: step {step.key!r}: {approver!r} is no approver"
            if isinstance(step.form, tuple):
                for f in step.form:
                    if not isinstance(f, FormField) or f.type not in FIELD_TYPES:
                        return f"workflow {item.id}: step {step.key!r}: bad form field {f!r}"
            if step.due_days is not None and step.due_days <= 0:
                return f"workflow {item.id}: step {step.key!r}: due_days must be positive"
    return None
