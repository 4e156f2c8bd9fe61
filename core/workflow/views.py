"""Pages of the workflow engine: a request's timeline and action panel, and the unified inbox.

Two blueprints: ``workflow`` (``/workflow/<id>`` and the actions posted from the panel) and
``inbox`` (what waits for me, what I submitted, what I was copied on, and — for workflow
administrators — requests that went to a fallback or are overdue). A plugin shows the same
panel on its own subject page with ``{{ workflow_panel(instance) }}``.

Who may act is decided by the engine, not by permissions: the views are ``login_required_only``
and each one loads the request through :func:`_visible` (404 for anyone who may not see it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..access import can_anywhere, login_required_only, permission_required, unit_ids_where
from ..args import MAX_ID, arg_int, arg_ints
from ..auth import safe_next
from ..cache import request_cache
from ..extensions import db
from ..forms import DateField, DateTimeLocalField
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..i18n import ngettext
from ..models import User, utcnow
from ..plugins import plugin_host
from ..settings import get_setting
from ..users import find_by_username
from . import engine
from .definitions import ALL, FormField, Step
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
    VIA_REASSIGN,
    VIA_TRANSFER,
    WAITING,
    WITHDRAWN,
    WorkflowAction,
    WorkflowCC,
    WorkflowInstance,
    WorkflowStep,
)

bp = Blueprint("workflow", __name__, url_prefix="/workflow")
inbox = Blueprint("inbox", __name__, url_prefix="/inbox")


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(inbox)
    app.jinja_env.globals["workflow_panel"] = workflow_panel


# -- labels -----------------------------------------------------------------------------------

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


# -- forms ------------------------------------------------------------------------------------


class DecisionForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)],
                            description=_l("Required when you reject or return the request."))
    step_id = HiddenField()
    approve = SubmitField(_l("Approve"))
    send_back = SubmitField(_l("Return for revision"))
    reject = SubmitField(_l("Reject"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if (self.reject.data or self.send_back.data) and not (self.comment.data or "").strip():
            self.comment.errors.append(
                _l("Give a reason: the applicant sees it.") if self.reject.data else
                _l("Say what should be revised: the applicant sees it."))
            return False
        return True


class TransferForm(FlaskForm):
    target = SelectField(_l("Transfer to"), coerce=int, validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])
    step_id = HiddenField()
    submit = SubmitField(_l("Transfer"))


class ReassignForm(FlaskForm):
    username = StringField(_l("User name of the new approver"),
                           validators=[DataRequired(), Length(max=64)])
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Reassign the step"))


class CCForm(FlaskForm):
    usernames = StringField(_l("User names"), validators=[DataRequired(), Length(max=500)],
                            description=_l("Separate several names with commas or spaces."))
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Copy in"))


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Comment"), validators=[Length(max=2000)])
    submit = SubmitField(_l("Confirm"))


class BulkApproveForm(FlaskForm):
    comment = TextAreaField(_l("Comment for all selected requests"),
                            validators=[Length(max=2000)])
    submit = SubmitField(_l("Approve selected"))


def _wtf_field(spec: FormField):
    required = [DataRequired()] if spec.required else [Optional()]
    kw = {"description": spec.help or ""}
    if spec.type == "text":
        return TextAreaField(spec.label, validators=[*required, Length(max=2000)], **kw)
    if spec.type == "int":
        return IntegerField(spec.label, validators=required, **kw)
    if spec.type == "float":
        return FloatField(spec.label, validators=required, **kw)
    if spec.type == "date":
        return DateField(spec.label, validators=required, **kw)
    if spec.type == "time":
        return TimeField(spec.label, validators=required, **kw)
    if spec.type == "datetime":
        return DateTimeLocalField(spec.label, validators=required, format="%Y-%m-%dT%H:%M", **kw)
    if spec.type == "phone":
        return StringField(spec.label, validators=[
            *required, Regexp(r"^[0-9+\-() ]{3,32}$", message=_l("Enter a telephone number."))
        ], **kw)
    if spec.type == "choice":
        return SelectField(spec.label, choices=[(v, label) for v, label in spec.choices],
                           validators=required, **kw)
    if spec.type == "bool":
        return BooleanField(spec.label, **kw)
    return StringField(spec.label, validators=[*required, Length(max=200)], **kw)


def step_form_class(dstep: Step | None):
    """The form to fill in before approving *dstep*: the plugin's class, or one built from its
    :class:`FormField` tuple; None when the step has no form."""
    if dstep is None or dstep.form is None:
        return None
    if isinstance(dstep.form, type):
        return dstep.form
    return type("StepForm", (FlaskForm,), {f.name: _wtf_field(f) for f in dstep.form})


def form_items(form) -> list[dict]:
    """What was filled in, as ``[{name, label, value}]`` to keep on the timeline."""
    items = []
    for f in form:
        if f.type in ("CSRFTokenField", "HiddenField", "SubmitField"):
            continue
        value = f.data
        if f.type == "BooleanField":
            value = _("Yes") if value else _("No")
        elif f.type == "SelectField":
            value = dict((str(k), str(v)) for k, v, *_rest in f.iter_choices()).get(
                str(value), value)
        elif hasattr(value, "strftime"):
            value = value.strftime("%Y-%m-%d %H:%M" if f.type == "DateTimeLocalField" else
                                   "%H:%M" if f.type == "TimeField" else "%Y-%m-%d")
        items.append({"name": f.short_name, "label": str(f.label.text),
                      "value": "" if value is None else str(value)})
    return items


# -- the panel shown on a request's page and on the plugin's subject page ----------------------


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
        self.definition = engine.definition_of(instance)
        self.step = instance.open_step if instance.state == PENDING else None
        self.dstep = engine.step_definition(instance, self.step) if self.step else None
        self.next = next_url or url_for("workflow.show", instance_id=instance.id)
        applicant = instance.applicant_id == user.id
        self.is_admin = engine.is_admin(instance, user)
        self.can_decide = engine.can_decide(instance, user)
        self.candidates = (engine.transfer_candidates(instance, self.step)
                           if self.can_decide else [])
        self.can_urge = applicant and instance.state == PENDING
        self.can_withdraw = applicant and instance.is_open
        self.can_resubmit = applicant and instance.state == RETURNED
        self.can_cc = self.is_admin or engine.is_participant(instance, user)
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
        return engine.chain_headline(self.instance)

    @cached_property
    def left_out(self) -> list[tuple[str, str]]:
        return engine.left_out_steps(self.instance)

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
                fallbacks=[engine.describe_fallback(r) for r in row.fallbacks],
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
        notes = engine.may_read_notes(self.instance, self.user)
        for action in actions:
            data = action.data
            entry = Entry(action, engine.action_label(action.action),
                          action.actor.name if action.actor else _("System"),
                          self.step_label(action.step))
            if action.action in ("transfer", "reassign") and data.get("to_name"):
                entry.details.append(_("To %(name)s.", name=data["to_name"]))
            elif action.action in ("cc", "urge", "remind", "escalate") and data.get("names"):
                entry.details.append(", ".join(data["names"]))
            elif action.action == "fallback":
                entry.details.append(engine.describe_fallback(data))
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
    if instance is None or not engine.can_view(instance, current_user):
        return Markup("")
    return Panel(instance, current_user, next_url=next_url or request.full_path.rstrip("?")
                 ).render()


# -- a request's page and its actions -------------------------------------------------------------


def _visible(instance_id: int) -> WorkflowInstance:
    instance = db.session.get(WorkflowInstance, instance_id)
    if instance is None or not engine.can_view(instance, current_user):
        abort(404)
    return instance


def _user():
    return current_user._get_current_object()


@bp.route("/<int:instance_id>")
@login_required_only
def show(instance_id: int):
    """A request: its chain, why it has these steps, its timeline and the actions."""
    instance = _visible(instance_id)
    return render_template("workflow/show.html", panel=Panel(instance, _user()), **HELPERS)


def _run(panel: Panel, action, success: str):
    """Run *action*, commit, flash *success* and go back; on refusal roll back and say why."""
    try:
        action()
        db.session.commit()
    except engine.WorkflowConflict as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    except engine.WorkflowError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        flash(success, "success")
    return redirect(safe_next(request.form.get("next") or panel.next))


def _again(panel: Panel, form=None):
    """Show the page again with what the user typed and what is wrong with it."""
    if form is not None and getattr(form, "csrf_token", None) is not None \
            and form.csrf_token.errors:
        flash(_("The form expired; reload the page and try again."), "danger")
    else:
        flash(_("The action was not recorded: see the messages in the form."), "danger")
    panel.next = safe_next(request.form.get("next") or panel.next)
    return render_template("workflow/show.html", panel=panel, **HELPERS)


def _step_id(value) -> int | None:
    """The step the form was drawn for, None when it sent none. A number beyond the ids a
    table holds becomes 0, which is no step's: the stale-page check refuses it as it refuses
    any other step, without sending the number to the database."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number <= MAX_ID else 0


@bp.route("/<int:instance_id>/decide", methods=["POST"])
@login_required_only
def decide(instance_id: int):
    """Approve, reject or return the open step."""
    instance = _visible(instance_id)
    panel = Panel(instance, _user(), bound="decide")
    form = panel.decision
    if form is None:
        try:
            engine.check_turn(instance, _user(), _step_id(request.form.get("decide-step_id")))
        except engine.WorkflowError as exc:
            flash(str(exc), "warning")
        return redirect(safe_next(request.form.get("next") or panel.next))
    if not form.validate_on_submit():
        return _again(panel, form)
    comment, step_id = (form.comment.data or "").strip(), _step_id(form.step_id.data)
    if form.approve.data:
        step_form = panel.step_form
        if step_form is not None and not step_form.validate():
            return _again(panel)
        data = form_items(step_form) if step_form is not None else None
        return _run(panel, lambda: engine.approve(instance, _user(), comment, data, step_id),
                    _("Approved."))
    if form.reject.data:
        return _run(panel, lambda: engine.reject(instance, _user(), comment, step_id),
                    _("Rejected. The applicant is told why."))
    return _run(panel, lambda: engine.send_back(instance, _user(), comment, step_id),
                _("Returned to the applicant for revision."))


@bp.route("/<int:instance_id>/transfer", methods=["POST"])
@login_required_only
def transfer(instance_id: int):
    """Hand one's part of the open step to another eligible person."""
    instance = _visible(instance_id)
    panel = Panel(instance, _user(), bound="transfer")
    form = panel.transfer
    if form is None:
        flash(_("You cannot transfer this step."), "danger")
        return redirect(safe_next(request.form.get("next") or panel.next))
    if not form.validate_on_submit():
        return _again(panel, form)
    target = db.session.get(User, form.target.data)
    return _run(panel, lambda: engine.transfer(instance, _user(), target, form.comment.data or "",
                                               _step_id(form.step_id.data)),
                _("Transferred to %(name)s.", name=target.name if target else "?"))


def _users_named(field) -> list[User] | None:
    names = [n for n in field.data.replace(",", " ").replace("，", " ").split() if n]
    found = []
    for name in names:
        user = find_by_username(name)
        if user is None or not user.active:
            field.errors.append(_("No active user is called %(name)s.", name=name))
            return None
        found.append(user)
    return found


@bp.route("/<int:instance_id>/cc", methods=["POST"])
@login_required_only
def cc(instance_id: int):
    """Copy people in on the request."""
    instance = _visible(instance_id)
    panel = Panel(instance, _user(), bound="cc")
    form = panel.cc
    if form is None:
        abort(404)
    if not form.validate_on_submit():
        return _again(panel, form)
    users = _users_named(form.usernames)
    if users is None:
        return _again(panel)
    return _run(panel, lambda: engine.add_cc(instance, _user(), users, form.comment.data or ""),
                _("Copied in: %(names)s.", names=", ".join(u.name for u in users)))


@bp.route("/<int:instance_id>/reassign", methods=["POST"])
@permission_required(engine.MANAGE)
def reassign(instance_id: int):
    """A workflow administrator gives the open step to someone else."""
    instance = _visible(instance_id)
    panel = Panel(instance, _user(), bound="reassign")
    form = panel.reassign
    if form is None:
        abort(404)
    if not form.validate_on_submit():
        return _again(panel, form)
    target = find_by_username(form.username.data)
    if target is None or not target.active:
        form.username.errors.append(_("No active user is called %(name)s.",
                                      name=form.username.data))
        return _again(panel)
    return _run(panel, lambda: engine.reassign(instance, _user(), target,
                                               form.comment.data or ""),
                _("Reassigned to %(name)s.", name=target.name))


def _simple(instance_id: int, name: str, action, success: str):
    instance = _visible(instance_id)
    panel = Panel(instance, _user(), bound=name)
    form = getattr(panel, name)
    if form is None:
        flash(engine.state_message(instance), "warning")
        return redirect(safe_next(request.form.get("next") or panel.next))
    if not form.validate_on_submit():
        return _again(panel, form)
    return _run(panel, lambda: action(instance, _user(), form.comment.data or ""), success)


@bp.route("/<int:instance_id>/urge", methods=["POST"])
@login_required_only
def urge(instance_id: int):
    """Remind the people the open step waits for."""
    return _simple(instance_id, "urge", engine.urge, _("The approvers were reminded."))


@bp.route("/<int:instance_id>/withdraw", methods=["POST"])
@login_required_only
def withdraw(instance_id: int):
    """Take the request back before it is decided."""
    return _simple(instance_id, "withdraw", engine.withdraw, _("The request was withdrawn."))


@bp.route("/<int:instance_id>/resubmit", methods=["POST"])
@login_required_only
def resubmit(instance_id: int):
    """Submit a returned request again."""
    return _simple(instance_id, "resubmit",
                   lambda instance, user, comment: engine.resubmit(instance, user, comment),
                   _("The request was submitted again."))


@bp.route("/<int:instance_id>/acknowledge", methods=["POST"])
@permission_required(engine.MANAGE)
def acknowledge(instance_id: int):
    """A workflow administrator has seen the fallback; clear the flag."""
    return _simple(instance_id, "acknowledge", engine.acknowledge, _("The flag was cleared."))


# -- the unified inbox ------------------------------------------------------------------------


def visible_plugins():
    """SQL: requests whose plugin is loaded and enabled in the request's unit."""
    from ..access import enabled_unit_ids

    plugins = sorted({d.plugin for d in engine.definitions().values()})
    if not plugins:
        return WorkflowInstance.id.is_(None)
    return or_(*(
        (WorkflowInstance.plugin == p) & WorkflowInstance.unit_id.in_(enabled_unit_ids(p))
        for p in plugins
    ))


def waiting_for(user: User):
    """SQL: the requests waiting for *user*'s decision."""
    return select(WorkflowInstance).where(
        WorkflowInstance.id.in_(engine.waiting_query(user)),
        WorkflowInstance.state == PENDING, visible_plugins(),
    )


def waiting_count(user: User) -> int:
    """How many requests wait for *user* (the number on the inbox's menu entry), counted once
    per request: the menu and the inbox's tabs both show it."""
    cache = request_cache("inbox waiting")
    if user.id not in cache:
        cache[user.id] = db.session.scalar(
            select(func.count()).select_from(waiting_for(user).subquery()))
    return cache[user.id]


def copied_to(user: User):
    return select(WorkflowInstance).where(
        WorkflowInstance.id.in_(select(WorkflowCC.instance_id).where(WorkflowCC.user_id == user.id)),
        visible_plugins(),
    )


def submitted_by(user: User):
    return select(WorkflowInstance).where(WorkflowInstance.applicant_id == user.id,
                                          visible_plugins())


def needing_attention(user: User):
    overdue = select(WorkflowStep.instance_id).where(
        WorkflowStep.state == OPEN, WorkflowStep.due_at < utcnow())
    return select(WorkflowInstance).where(
        WorkflowInstance.unit_id.in_(unit_ids_where(engine.MANAGE, user)),
        WorkflowInstance.state == PENDING,
        WorkflowInstance.needs_attention.is_(True) | WorkflowInstance.id.in_(overdue),
    )


class Filters:
    """The filters of an inbox list, read from the query string."""

    def __init__(self, args, states: bool = False):
        self.plugin = args.get("plugin", "")
        self.definition = args.get("definition", "")
        self.q = args.get("q", "").strip()[:100]
        self.state = args.get("state", "") if states else ""
        self.definitions = sorted(engine.definitions().values(), key=lambda d: d.id)
        self.plugins = sorted({d.plugin for d in self.definitions})
        self.states = [(s, state_label(s)) for s in
                       (PENDING, RETURNED, APPROVED, REJECTED, WITHDRAWN)] if states else []

    @staticmethod
    def plugin_label(plugin: str) -> str:
        """The plugin's ``DANWEI_LABEL`` (translated), for the "Section" filter."""
        return plugin_host().label(plugin)

    @property
    def active(self) -> bool:
        return bool(self.plugin or self.definition or self.q or self.state)

    def apply(self, query):
        if self.plugin:
            query = query.where(WorkflowInstance.plugin == self.plugin)
        if self.definition:
            query = query.where(WorkflowInstance.definition_id == self.definition)
        if self.state:
            query = query.where(WorkflowInstance.state == self.state)
        if self.q:
            named = select(User.id).where(User.name.icontains(self.q, autoescape=True))
            query = query.where(WorkflowInstance.title.icontains(self.q, autoescape=True)
                                | WorkflowInstance.applicant_id.in_(named))
        return query


@dataclass
class Row:
    instance: WorkflowInstance
    definition_label: str
    step_label: str
    url: str
    since: object
    due_at: object
    overdue: bool
    bulk: bool


def _rows(page, user: User | None = None) -> list[Row]:
    now = utcnow()
    rows = []
    for instance in page.items:
        definition = engine.definition_of(instance)
        step = instance.open_step if instance.state == PENDING else None
        dstep = engine.step_definition(instance, step) if step is not None else None
        url = url_for("workflow.show", instance_id=instance.id)
        if definition is not None and definition.subject_url is not None:
            url = definition.subject_url(instance.subject_id)
        label = ""
        if step is not None:
            label = str(dstep.label) if dstep is not None else step.label
        rows.append(Row(
            instance=instance,
            definition_label=str(definition.label) if definition else instance.definition_id,
            step_label=label, url=url,
            since=step.opened_at if step is not None else instance.updated_at,
            due_at=step.due_at if step is not None else None,
            overdue=bool(step is not None and step.due_at and step.due_at < now),
            bulk=bool(user is not None and definition is not None and definition.bulk_approve
                      and dstep is not None and dstep.form is None),
        ))
    return rows


def _page(query, order):
    query = query.options(
        selectinload(WorkflowInstance.steps).selectinload(WorkflowStep.assignments),
        selectinload(WorkflowInstance.applicant), selectinload(WorkflowInstance.unit),
    ).order_by(*order)
    return db.paginate(query, page=arg_int("page", 1),
                       per_page=get_setting("core", "page_size"), error_out=False)


def _counts(user: User) -> dict[str, int]:
    def count(query):
        return db.session.scalar(select(func.count()).select_from(query.subquery()))

    return {
        "waiting": waiting_count(user),
        "submitted": count(submitted_by(user).where(WorkflowInstance.state.in_(
            (PENDING, RETURNED)))),
        "copied": count(copied_to(user)),
        "manager": can_anywhere(engine.MANAGE, user),
    }


@inbox.route("/")
@login_required_only
def index():
    """Everything waiting for my decision, across all plugins."""
    user = _user()
    filters = Filters(request.args)
    page = _page(filters.apply(waiting_for(user)),
                 (WorkflowInstance.updated_at, WorkflowInstance.id))
    return render_template("inbox/index.html", page=page, rows=_rows(page, user),
                           filters=filters, counts=_counts(user), **HELPERS, tab="waiting",
                           bulk_form=BulkApproveForm(formdata=None, prefix="bulk"))


@inbox.route("/approve", methods=["POST"])
@login_required_only
def bulk_approve():
    """Approve the selected requests whose workflow allows approving in bulk."""
    user = _user()
    form = BulkApproveForm(prefix="bulk")
    back = url_for("inbox.index", **{k: v for k, v in request.args.items() if k != "page"})
    if not form.validate_on_submit():
        flash(_("The form expired; nothing was approved. Try again."), "danger")
        return redirect(back)
    ids = arg_ints("ids", args=request.form)
    if not ids:
        flash(_("Select at least one request."), "warning")
        return redirect(back)
    approved, failed = 0, []
    for instance_id in ids:
        instance = db.session.get(WorkflowInstance, instance_id)
        if instance is None or not engine.can_view(instance, user):
            failed.append((f"#{instance_id}", _("not found")))
            continue
        title = instance.title
        definition = engine.definition_of(instance)
        step = instance.open_step
        dstep = engine.step_definition(instance, step) if step is not None else None
        if definition is None or not definition.bulk_approve:
            failed.append((title, _("this kind of request must be approved one by one")))
            continue
        if dstep is not None and dstep.form is not None:
            failed.append((title, _("its step has a form to fill in")))
            continue
        try:
            engine.approve(instance, user, (form.comment.data or "").strip(),
                           step_id=step.id if step is not None else None)
            db.session.commit()
            approved += 1
        except engine.WorkflowError as exc:
            db.session.rollback()
            failed.append((title, str(exc)))
    if approved:
        flash(ngettext("Approved %(num)d request.", "Approved %(num)d requests.", approved),
              "success")
    for title, why in failed:
        flash(_("Not approved: %(title)s — %(why)s", title=title, why=why), "warning")
    return redirect(back)


def _own_list(query_of, tab: str):
    """A filtered, paginated list of the current user's requests (*query_of(user)*)."""
    user = _user()
    filters = Filters(request.args, states=True)
    page = _page(filters.apply(query_of(user)),
                 (WorkflowInstance.updated_at.desc(), WorkflowInstance.id.desc()))
    return render_template("inbox/list.html", page=page, rows=_rows(page), filters=filters,
                           counts=_counts(user), **HELPERS, tab=tab)


@inbox.route("/submitted")
@login_required_only
def submitted():
    """What I submitted, and where each request stands."""
    return _own_list(submitted_by, "submitted")


@inbox.route("/copied")
@login_required_only
def copied():
    """Requests I was copied in on."""
    return _own_list(copied_to, "copied")


@inbox.route("/attention")
@permission_required(engine.MANAGE)
def attention():
    """For workflow administrators: requests that went to a fallback or are overdue."""
    user = _user()
    filters = Filters(request.args)
    page = _page(filters.apply(needing_attention(user)),
                 (WorkflowInstance.updated_at, WorkflowInstance.id))
    return render_template("inbox/list.html", page=page, rows=_rows(page), filters=filters,
                           counts=_counts(user), **HELPERS, tab="attention")
