"""The pages of a request: ``/workflow/<id>`` (its panel) and the actions posted from it.

Who may act is decided by the engine, not by permissions: the views are ``login_required_only``
and each one loads the request through :func:`_visible` (404 for anyone who may not see it),
then hands the action to :mod:`.actions`, which refuses with a sentence in the user's language.
The inbox has its own blueprint (:mod:`.inbox`); :func:`init_app` registers both.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_login import current_user

from ..access import login_required_only, permission_required
from ..args import MAX_ID
from ..auth import safe_next
from ..extensions import db
from ..i18n import gettext as _
from ..models import User
from ..users import find_by_username
from . import actions
from . import inbox as inbox_views
from .forms import form_items
from .messages import HELPERS, WorkflowConflict, WorkflowError, state_message
from .models import WorkflowInstance
from .panel import Panel, workflow_panel
from .queries import MANAGE, can_view

bp = Blueprint("workflow", __name__, url_prefix="/workflow")


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(inbox_views.bp)
    app.jinja_env.globals["workflow_panel"] = workflow_panel


# -- a request's page and its actions -------------------------------------------------------------


def _visible(instance_id: int) -> WorkflowInstance:
    instance = db.session.get(WorkflowInstance, instance_id)
    if instance is None or not can_view(instance, current_user):
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
    except WorkflowConflict as exc:
        db.session.rollback()
        flash(str(exc), "warning")
    except WorkflowError as exc:
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
            actions.check_turn(instance, _user(), _step_id(request.form.get("decide-step_id")))
        except WorkflowError as exc:
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
        return _run(panel, lambda: actions.approve(instance, _user(), comment, data, step_id),
                    _("Approved."))
    if form.reject.data:
        return _run(panel, lambda: actions.reject(instance, _user(), comment, step_id),
                    _("Rejected. The applicant is told why."))
    return _run(panel, lambda: actions.send_back(instance, _user(), comment, step_id),
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
    return _run(panel, lambda: actions.transfer(instance, _user(), target, form.comment.data or "",
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
    return _run(panel, lambda: actions.add_cc(instance, _user(), users, form.comment.data or ""),
                _("Copied in: %(names)s.", names=", ".join(u.name for u in users)))


@bp.route("/<int:instance_id>/reassign", methods=["POST"])
@permission_required(MANAGE)
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
    return _run(panel, lambda: actions.reassign(instance, _user(), target,
                                               form.comment.data or ""),
                _("Reassigned to %(name)s.", name=target.name))


def _simple(instance_id: int, name: str, action, success: str):
    instance = _visible(instance_id)
    panel = Panel(instance, _user(), bound=name)
    form = getattr(panel, name)
    if form is None:
        flash(state_message(instance), "warning")
        return redirect(safe_next(request.form.get("next") or panel.next))
    if not form.validate_on_submit():
        return _again(panel, form)
    return _run(panel, lambda: action(instance, _user(), form.comment.data or ""), success)


@bp.route("/<int:instance_id>/urge", methods=["POST"])
@login_required_only
def urge(instance_id: int):
    """Remind the people the open step waits for."""
    return _simple(instance_id, "urge", actions.urge, _("The approvers were reminded."))


@bp.route("/<int:instance_id>/withdraw", methods=["POST"])
@login_required_only
def withdraw(instance_id: int):
    """Take the request back before it is decided."""
    return _simple(instance_id, "withdraw", actions.withdraw, _("The request was withdrawn."))


@bp.route("/<int:instance_id>/resubmit", methods=["POST"])
@login_required_only
def resubmit(instance_id: int):
    """Submit a returned request again."""
    return _simple(instance_id, "resubmit",
                   lambda instance, user, comment: actions.resubmit(instance, user, comment),
                   _("The request was submitted again."))


@bp.route("/<int:instance_id>/acknowledge", methods=["POST"])
@permission_required(MANAGE)
def acknowledge(instance_id: int):
    """A workflow administrator has seen the fallback; clear the flag."""
    return _simple(instance_id, "acknowledge", actions.acknowledge, _("The flag was cleared."))
