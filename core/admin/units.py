"""The unit tree: see it, add a child unit, rename a unit, move it elsewhere in the tree.

A unit administrator works inside the subtrees where they hold ``core.manage_units``; only a
superuser creates top-level units or moves a unit to the top.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from .. import audit
from .. import units as tree
from ..access import can_anywhere, login_required_only, permission_required
from ..args import arg_int
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Unit, User
from . import bp
from .forms import UNIT_KINDS, UnitEditForm, UnitForm, UnitMoveForm
from .scope import is_superuser, unit_choices, unit_or_404, units_in_scope

PERMISSION = "core.manage_units"


def _allowed() -> None:
    # Declared login-only so that a superuser of a fresh install (no unit yet, hence no
    # permission "anywhere") can create the first unit; everyone else needs the permission.
    if not (is_superuser() or can_anywhere(PERMISSION)):
        abort(403)


def build_tree(units: list[Unit]) -> list[dict]:
    """Nest *units* (in path order): a unit whose parent is not in the list is a root."""
    nodes = {u.id: {"unit": u, "children": []} for u in units}
    roots = []
    for unit in units:
        parent = nodes.get(unit.parent_id)
        (parent["children"] if parent else roots).append(nodes[unit.id])

    def order(siblings):
        siblings.sort(key=lambda n: (n["unit"].sort_order, n["unit"].name))
        for node in siblings:
            order(node["children"])

    order(roots)
    return roots


@bp.route("/units")
@login_required_only
def units_tree():
    """The units in scope, as a collapsible tree with the number of people in each."""
    _allowed()
    units = list(db.session.scalars(units_in_scope(PERMISSION)))
    people = dict(db.session.execute(
        select(User.unit_id, func.count()).where(
            User.unit_id.in_([u.id for u in units]), User.active.is_(True)
        ).group_by(User.unit_id)
    ).all()) if units else {}
    return render_template("admin/units/tree.html", roots=build_tree(units), people=people)


@bp.route("/units/new", methods=["GET", "POST"])
@login_required_only
def units_new():
    """Create a unit under a unit in scope (or at the top, for a superuser)."""
    _allowed()
    form = UnitForm()
    blank = _l("(none: a top-level unit)") if is_superuser() else _l("Choose a unit")
    form.parent.choices = unit_choices(PERMISSION, blank=blank)
    if request.method == "GET":
        form.parent.data = arg_int("parent", 0)
    if form.validate_on_submit():
        if form.parent.data:
            parent = unit_or_404(form.parent.data, PERMISSION)
        elif is_superuser():
            parent = None
        else:
            form.parent.errors.append(_l("Choose the unit the new unit belongs to."))
            return _unit_form(form, 422)
        unit = tree.create_unit(form.code.data, form.name.data.strip(), form.kind.data.strip(),
                                parent)
        audit.record("core.unit_created", subject=unit, unit=unit,
                     summary=f"{unit.code} {unit.name} under {parent.code if parent else '/'}")
        db.session.commit()
        flash(_l("Unit %(name)s created.", name=unit.name), "success")
        return redirect(url_for("admin.units_tree"))
    return _unit_form(form, 422 if form.is_submitted() else 200)


def _unit_form(form, status):
    return render_template("admin/units/form.html", form=form, unit=None, kinds=UNIT_KINDS), status


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@permission_required(PERMISSION)
def units_edit(unit_id: int):
    """Rename a unit or change its kind."""
    unit = unit_or_404(unit_id, PERMISSION)
    form = UnitEditForm(obj=unit)
    if form.validate_on_submit():
        old = f"{unit.name} ({unit.kind})"
        unit.name = form.name.data.strip()
        unit.kind = form.kind.data.strip()
        audit.record("core.unit_renamed", subject=unit, unit=unit,
                     summary=f"{unit.code}: {old} → {unit.name} ({unit.kind})")
        db.session.commit()
        flash(_l("Unit %(name)s saved.", name=unit.name), "success")
        return redirect(url_for("admin.units_tree"))
    return render_template("admin/units/form.html", form=form, unit=unit,
                           kinds=UNIT_KINDS), 422 if form.is_submitted() else 200


@bp.route("/units/<int:unit_id>/move", methods=["GET", "POST"])
@permission_required(PERMISSION)
def units_move(unit_id: int):
    """Hang a unit, with its whole subtree, under another unit in scope."""
    unit = unit_or_404(unit_id, PERMISSION)
    form = UnitMoveForm()
    blank = _l("(none: a top-level unit)") if is_superuser() else None
    form.parent.choices = unit_choices(PERMISSION, blank=blank, exclude=unit)
    if request.method == "GET":
        form.parent.data = unit.parent_id or 0
    if form.validate_on_submit():
        if form.parent.data:
            parent = unit_or_404(form.parent.data, PERMISSION)
        elif is_superuser():
            parent = None
        else:
            abort(404)
        if parent is not None and parent.is_within(unit):  # the choices exclude it already
            abort(400)
        old = unit.parent.code if unit.parent else "/"
        tree.move_unit(unit, parent)
        audit.record("core.unit_moved", subject=unit, unit=unit,
                     summary=f"{unit.code}: {old} → {parent.code if parent else '/'}")
        db.session.commit()
        flash(_l("Unit %(name)s moved.", name=unit.name), "success")
        return redirect(url_for("admin.units_tree"))
    return render_template("admin/units/move.html", form=form, unit=unit), (
        422 if form.is_submitted() else 200)
