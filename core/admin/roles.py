"""Roles: who holds which role in a unit (assign, revoke), and what each role allows.

Assignments are scoped by ``core.assign_roles``; a role's permissions are changed by a
superuser only, since a role applies everywhere it is held.
"""

from __future__ import annotations

from collections import defaultdict

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from .. import roles as role_service
from ..access import permission_required
from ..args import arg_int
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Role, RoleAssignment, User
from ..plugins import plugin_host
from . import bp
from .forms import AssignRoleForm, RolePermissionsForm
from .scope import is_superuser, unit_choices, unit_or_404, units_in_scope, user_scope

PERMISSION = "core.assign_roles"


def role_label(role: Role) -> str:
    """The declared (translated) label of *role*, else the one stored when it was declared."""
    for _, spec in plugin_host().role_specs:
        if spec.name == role.name:
            return str(spec.label)
    return role.label


@bp.route("/assignments", methods=["GET", "POST"])
@permission_required(PERMISSION)
def assignments():
    """Who holds which role in one unit; give a role to someone in scope."""
    unit_id = arg_int("unit")
    if unit_id is None:
        first = db.session.scalars(units_in_scope(PERMISSION).limit(1)).first()
        return redirect(url_for("admin.assignments", unit=first.id)) if first else abort(404)
    unit = unit_or_404(unit_id, PERMISSION)
    roles = role_service.assignable_roles(unit)
    form = AssignRoleForm()
    form.role.choices = [(0, _l("Choose a role"))] + [
        (r.id, f"{role_label(r)} ({r.name})") for r in roles
    ]
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(
            func.lower(User.username) == form.username.data.strip().lower(),
            user_scope(PERMISSION),
        ))
        if user is None:
            form.username.errors.append(_l("No user with this user name among your units."))
        elif not user.active:
            form.username.errors.append(_l("This user is deactivated."))
        else:
            role = next(r for r in roles if r.id == form.role.data)
            role_service.assign(user, role, unit)
            db.session.commit()
            flash(_l("%(user)s now holds %(role)s in %(unit)s.", user=user.name,
                     role=role_label(role), unit=unit.name), "success")
            return redirect(url_for("admin.assignments", unit=unit.id))
    rows = db.session.scalars(
        select(RoleAssignment).join(User).join(Role)
        .where(RoleAssignment.unit_id == unit.id)
        .order_by(Role.plugin != "core", Role.name, User.username)
    ).all()
    return render_template(
        "admin/assignments.html", unit=unit, form=form, rows=rows, role_label=role_label,
        units=unit_choices(PERMISSION),
    ), 422 if form.is_submitted() else 200


@bp.route("/assignments/<int:assignment_id>/revoke", methods=["POST"])
@permission_required(PERMISSION)
def assignments_revoke(assignment_id: int):
    """Take a role away from someone in a unit."""
    assignment = db.session.get(RoleAssignment, assignment_id)
    if assignment is None:
        abort(404)
    unit = unit_or_404(assignment.unit_id, PERMISSION)
    who, role = assignment.user.name, role_label(assignment.role)
    role_service.revoke(assignment)
    db.session.commit()
    flash(_l("%(user)s no longer holds %(role)s in %(unit)s.", user=who, role=role,
             unit=unit.name), "success")
    return redirect(url_for("admin.assignments", unit=unit.id))


def permission_catalogue() -> dict[str, list[tuple[str, str]]]:
    """``{plugin: [(permission, label), ...]}`` of every declared permission."""
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, (plugin, declared) in sorted(plugin_host().permissions.items()):
        grouped[plugin].append((name, str(declared.label)))
    return dict(grouped)


@bp.route("/roles")
@permission_required(PERMISSION)
def roles_list():
    """Every role with the permissions it grants."""
    roles = db.session.scalars(select(Role).order_by(Role.plugin != "core", Role.name)).all()
    labels = {
        name: str(declared.label)
        for name, (_, declared) in plugin_host().permissions.items()
    }
    return render_template("admin/roles.html", roles=roles, labels=labels, role_label=role_label)


@bp.route("/roles/<int:role_id>", methods=["GET", "POST"])
@permission_required(PERMISSION)
def roles_edit(role_id: int):
    """Change the permissions a role grants (superusers only)."""
    if not is_superuser():
        abort(403)
    role = db.session.get(Role, role_id)
    if role is None:
        abort(404)
    catalogue = permission_catalogue()
    form = RolePermissionsForm()
    declared = {name for perms in catalogue.values() for name, _ in perms}
    if request.method == "GET":
        form.permissions.data = sorted(role.permission_names)
    if form.validate_on_submit():
        wanted = set(form.permissions.data or [])
        unknown = wanted - declared - role.permission_names
        if unknown:  # only declared permissions (or ones the role already has) may be granted
            abort(400)
        role_service.set_role_permissions(role, wanted)
        db.session.commit()
        flash(_l("Permissions of %(role)s saved.", role=role_label(role)), "success")
        return redirect(url_for("admin.roles_list"))
    return render_template(
        "admin/role_edit.html", role=role, form=form, catalogue=catalogue,
        role_label=role_label, undeclared=sorted(role.permission_names - declared),
        checked=set(form.permissions.data or []),
    )
