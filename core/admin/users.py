"""People: list with search and filters, create, edit, deactivate and reactivate, reset a
password. Everything within the units where the administrator holds ``core.manage_users``."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .. import audit
from .. import users as people
from ..access import permission_required
from ..args import arg_int
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import RoleAssignment, Unit, User
from . import bp
from .forms import PasswordResetForm, UserCreateForm, UserForm
from .scope import (
    contains,
    page_number,
    page_size,
    unit_choices,
    unit_or_404,
    user_or_404,
    user_scope,
)

PERMISSION = "core.manage_users"


@bp.route("/users")
@permission_required(PERMISSION)
def users_list():
    """People in scope, searchable by name or user name, filtered by unit and state."""
    q = request.args.get("q", "").strip()[:100]  # SQLite refuses LIKE patterns over 50 kB
    unit_id = arg_int("unit", 0)
    state = request.args.get("state", "active")
    query = select(User).where(user_scope(PERMISSION))
    if q:
        query = query.where(or_(contains(User.username, q), contains(User.name, q)))
    unit = None
    if unit_id:
        unit = unit_or_404(unit_id, PERMISSION)
        query = query.where(
            User.unit_id.in_(select(Unit.id).where(Unit.path.like(unit.path + "%")))
        )
    if state == "active":
        query = query.where(User.active.is_(True))
    elif state == "inactive":
        query = query.where(User.active.is_(False))
    page = db.paginate(
        query.options(selectinload(User.unit)).order_by(User.username), page=page_number(), per_page=page_size(), error_out=False
    )
    return render_template(
        "admin/users/list.html", page=page, q=q, state=state, unit=unit,
        units=unit_choices(PERMISSION, blank=_l("All units")),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required(PERMISSION)
def users_new():
    """Create a person; they choose their own password at first login."""
    form = UserCreateForm()
    form.unit.choices = unit_choices(PERMISSION, blank=_l("Choose a unit"))
    if request.method == "GET" and arg_int("unit"):
        form.unit.data = arg_int("unit")
    if form.validate_on_submit():
        unit = unit_or_404(form.unit.data, PERMISSION)
        user = people.create_user(
            form.username.data, form.name.data, form.password.data, unit,
            must_change_password=True, phone=form.phone.data or None,
            email=form.email.data or None,
        )
        audit.record("core.user_created", subject=user, unit=unit,
                     summary=f"{user.username} ({user.name})")
        db.session.commit()
        flash(_l("User %(username)s created. Give them the initial password; they will "
                 "choose their own at first login.", username=user.username), "success")
        return redirect(url_for("admin.users_edit", user_id=user.id))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/users/form.html", form=form, user=None), status


def _edit_page(user: User, form: UserForm | None = None,
               reset_form: PasswordResetForm | None = None, status: int = 200):
    if form is None:
        form = UserForm(obj=user)
        form.unit.choices = unit_choices(PERMISSION, blank=_l("Choose a unit"))
        form.unit.data = user.unit_id or 0
    assignments = db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.user_id == user.id)
        .join(Unit, Unit.id == RoleAssignment.unit_id).order_by(Unit.path)
    ).all()
    return render_template(
        "admin/users/form.html", form=form, user=user, assignments=assignments,
        reset_form=reset_form or PasswordResetForm(formdata=None),
    ), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required(PERMISSION)
def users_edit(user_id: int):
    """Edit a person's user name, name, unit and contact details."""
    user = user_or_404(user_id, PERMISSION)
    if request.method == "GET":
        return _edit_page(user)
    form = UserForm()
    form.editing = user
    form.unit.choices = unit_choices(PERMISSION, blank=_l("Choose a unit"))
    if not form.validate_on_submit():
        return _edit_page(user, form=form, status=422)
    unit = unit_or_404(form.unit.data, PERMISSION)
    before = {"username": user.username, "name": user.name, "unit": user.unit_id,
              "phone": user.phone, "email": user.email}
    user.username = form.username.data
    user.name = form.name.data.strip()
    user.unit = unit
    user.phone = form.phone.data or None
    user.email = form.email.data or None
    after = {"username": user.username, "name": user.name, "unit": unit.id,
             "phone": user.phone, "email": user.email}
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changed:
        audit.record("core.user_updated", subject=user, unit=unit,
                     summary=f"{user.username}: {', '.join(changed)}", data=changed)
    db.session.commit()
    flash(_l("Changes saved."), "success")
    return redirect(url_for("admin.users_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@permission_required(PERMISSION)
def users_set_active(user_id: int):
    """Deactivate (cannot log in any more) or reactivate a person."""
    user = user_or_404(user_id, PERMISSION)
    active = request.form.get("active") == "1"
    if user.id == current_user.id and not active:
        flash(_l("You cannot deactivate your own account."), "danger")
        return redirect(url_for("admin.users_edit", user_id=user.id))
    people.set_active(user, active)
    db.session.commit()
    if active:
        flash(_l("%(username)s can log in again.", username=user.username), "success")
    else:
        flash(_l("%(username)s is deactivated and can no longer log in.",
                 username=user.username), "success")
    return redirect(url_for("admin.users_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@permission_required(PERMISSION)
def users_reset_password(user_id: int):
    """Set a new password that the person must change at next login (also unlocks them)."""
    user = user_or_404(user_id, PERMISSION)
    reset_form = PasswordResetForm()
    reset_form.user = user
    if not reset_form.validate_on_submit():
        return _edit_page(user, reset_form=reset_form, status=422)
    people.reset_password(user, reset_form.password.data)
    db.session.commit()
    flash(_l("Password of %(username)s reset; they must change it at next login.",
             username=user.username), "success")
    return redirect(url_for("admin.users_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/sessions", methods=["POST"])
@permission_required(PERMISSION)
def users_end_sessions(user_id: int):
    """Log a person out on every browser and device (a lost phone, a shared computer)."""
    user = user_or_404(user_id, PERMISSION)
    people.end_sessions(user)
    db.session.commit()
    flash(_l("%(username)s is logged out everywhere.", username=user.username), "success")
    return redirect(url_for("admin.users_edit", user_id=user.id))


@bp.route("/users/search")
@permission_required("core.assign_roles")
def users_search():
    """JSON: up to 20 people in scope whose user name or name contains ``q``."""
    q = request.args.get("q", "").strip()[:64]
    if not q:
        return jsonify([])
    rows = db.session.execute(
        select(User.username, User.name, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(user_scope("core.assign_roles"), User.active.is_(True),
               or_(contains(User.username, q), contains(User.name, q)))
        .order_by(User.username).limit(20)
    )
    return jsonify([{"username": u, "name": n, "unit": unit or ""} for u, n, unit in rows])
