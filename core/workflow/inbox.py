"""The unified inbox (``/inbox``): what waits for my decision across all plugins, what I
submitted, what I was copied in on, and — for workflow administrators — requests that went to a
fallback or are overdue. The lists themselves are SQL in :mod:`.queries`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..access import can_anywhere, login_required_only, permission_required
from ..args import arg_int, arg_ints
from ..cache import remember, user_topics
from ..extensions import db
from ..i18n import gettext as _
from ..i18n import ngettext
from ..models import User, utcnow
from ..plugins import plugin_host
from ..settings import get_setting
from . import actions
from .forms import BulkApproveForm
from .messages import HELPERS, WorkflowError, state_label
from .models import (
    APPROVED,
    PENDING,
    REJECTED,
    RETURNED,
    WITHDRAWN,
    WorkflowInstance,
    WorkflowStep,
)
from .queries import (
    MANAGE,
    can_view,
    copied_to,
    needing_attention,
    submitted_by,
    waiting_count,
    waiting_for,
)
from .registry import definition_of, definitions, step_definition

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def _user():
    return current_user._get_current_object()


class Filters:
    """The filters of an inbox list, read from the query string."""

    def __init__(self, args, states: bool = False):
        self.plugin = args.get("plugin", "")
        self.definition = args.get("definition", "")
        self.q = args.get("q", "").strip()[:100]
        self.state = args.get("state", "") if states else ""
        self.definitions = sorted(definitions().values(), key=lambda d: d.id)
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
        definition = definition_of(instance)
        step = instance.open_step if instance.state == PENDING else None
        dstep = step_definition(instance, step) if step is not None else None
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
    """The numbers on the inbox's tabs, kept across requests until the workflow changes."""
    return remember(("inbox tabs", user.id), (*user_topics(user.id), "workflow"),
                    lambda: _count_tabs(user))


def _count_tabs(user: User) -> dict[str, int]:
    def count(query):
        return db.session.scalar(select(func.count()).select_from(query.subquery()))

    return {
        "waiting": waiting_count(user),
        "submitted": count(submitted_by(user).where(WorkflowInstance.state.in_(
            (PENDING, RETURNED)))),
        "copied": count(copied_to(user)),
        "manager": can_anywhere(MANAGE, user),
    }


@bp.route("/")
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


@bp.route("/approve", methods=["POST"])
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
        if instance is None or not can_view(instance, user):
            failed.append((f"#{instance_id}", _("not found")))
            continue
        title = instance.title
        definition = definition_of(instance)
        step = instance.open_step
        dstep = step_definition(instance, step) if step is not None else None
        if definition is None or not definition.bulk_approve:
            failed.append((title, _("this kind of request must be approved one by one")))
            continue
        if dstep is not None and dstep.form is not None:
            failed.append((title, _("its step has a form to fill in")))
            continue
        try:
            actions.approve(instance, user, (form.comment.data or "").strip(),
                           step_id=step.id if step is not None else None)
            db.session.commit()
            approved += 1
        except WorkflowError as exc:
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


@bp.route("/submitted")
@login_required_only
def submitted():
    """What I submitted, and where each request stands."""
    return _own_list(submitted_by, "submitted")


@bp.route("/copied")
@login_required_only
def copied():
    """Requests I was copied in on."""
    return _own_list(copied_to, "copied")


@bp.route("/attention")
@permission_required(MANAGE)
def attention():
    """For workflow administrators: requests that went to a fallback or are overdue."""
    user = _user()
    filters = Filters(request.args)
    page = _page(filters.apply(needing_attention(user)),
                 (WorkflowInstance.updated_at, WorkflowInstance.id))
    return render_template("inbox/list.html", page=page, rows=_rows(page), filters=filters,
                           counts=_counts(user), **HELPERS, tab="attention")
