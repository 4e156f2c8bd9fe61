"""The inspection pages: start an inspection, go through its checklist on a phone, turn a
fail into a hazard, edit the checklists. The rules (frequencies, done vs required) are in
:mod:`danwei_hospital_safety.inspections`."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from core.api import (
    AttachmentRejected,
    Unit,
    audit,
    can,
    db,
    local_today,
    paginate,
    permission_required,
    require,
    save_attachment,
    unit_ids_where,
    utcnow,
)

from ..forms import choices
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..inspections import KINDS, RESULTS, plan_rows
from ..models import ChecklistTemplate, Hazard, Inspection, InspectionResult, InspectionState
from . import bp

P = "hospital_safety"


class InspectionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(KINDS))
    unit = SelectField(_l("Where"), coerce=int, validators=[InputRequired()])
    checklist = SelectField(_l("Checklist"), coerce=int, validators=[InputRequired()])
    led_by_leaders = BooleanField(_l("Led by the main leaders"))
    submit = SubmitField(_l("Start the inspection"))


class ChecklistForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(KINDS))
    unit = SelectField(_l("For"), coerce=int, validators=[InputRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    items = TextAreaField(_l("Items, one per line"),
                          validators=[DataRequired(), Length(max=10000)])
    submit = SubmitField(_l("Save"))


def units_where(permission):
    return db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids_where(permission)))
                              .order_by(Unit.path)).all()


def checklists_in_scope(units):
    """Checklists of the units the user inspects and of the units above them (a centre's
    checklists serve its departments)."""
    ids = {i for unit in units for i in unit.ancestor_ids}
    return db.session.scalars(
        select(ChecklistTemplate).where(ChecklistTemplate.unit_id.in_(ids))
        .order_by(ChecklistTemplate.kind, ChecklistTemplate.name)).all()


@bp.route("/inspections/")
@permission_required(f"{P}.view")
def inspections():
    """Done versus required per centre, overdue ones flagged, and the inspections done."""
    scope = unit_ids_where(f"{P}.view")
    query = (select(Inspection).options(joinedload(Inspection.unit), joinedload(Inspection.by))
             .where(Inspection.unit_id.in_(scope))
             .order_by(Inspection.started_at.desc(), Inspection.id.desc()))
    kind = request.args.get("kind", "")
    if kind in KINDS:
        query = query.where(Inspection.kind == kind)
    return render_template("hospital_safety/inspections.html", rows=plan_rows(scope,
                           local_today()), inspections=paginate(query), kinds=KINDS,
                           kind=kind, may_inspect=bool(units_where(f"{P}.inspect")))


@bp.route("/inspections/new", methods=["GET", "POST"])
@permission_required(f"{P}.inspect")
def new_inspection():
    """Start an inspection of a unit with a checklist."""
    form = InspectionForm()
    units = units_where(f"{P}.inspect")
    form.unit.choices = [(u.id, u.name) for u in units]
    lists = checklists_in_scope(units)
    form.checklist.choices = [(c.id, f"{KINDS.get(c.kind, c.kind)} · {c.name}") for c in lists]
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data)
        checklist = db.session.get(ChecklistTemplate, form.checklist.data)
        require(f"{P}.inspect", unit)
        if checklist is None or checklist not in lists:
            abort(404)
        inspection = Inspection(unit_id=unit.id, unit=unit, kind=form.kind.data,
                                checklist_id=checklist.id, by_id=current_user.id,
                                led_by_leaders=form.led_by_leaders.data, started_at=utcnow())
        db.session.add(inspection)
        db.session.flush()
        for n, line in enumerate(checklist.lines):
            db.session.add(InspectionResult(inspection_id=inspection.id, position=n,
                                            item=line[:2000]))
        audit(f"{P}.inspection_started", subject=inspection, unit=unit,
              summary=str(KINDS[inspection.kind]))
        db.session.commit()
        return redirect(url_for(".inspection", inspection_id=inspection.id))
    return render_template("hospital_safety/form.html", form=form, title=_("New inspection"))


def visible_inspection(inspection_id):
    inspection = db.session.scalar(
        select(Inspection).options(selectinload(Inspection.results))
        .where(Inspection.id == inspection_id)) or abort(404)
    require(f"{P}.view", inspection.unit)
    return inspection


@bp.route("/inspections/<int:inspection_id>", methods=["GET", "POST"])
@permission_required(f"{P}.view")
def inspection(inspection_id):
    """Go through the checklist: pass / fail / n.a.; a fail needs a note, a photo may follow."""
    inspection = visible_inspection(inspection_id)
    errors, values = {}, request.form
    may_edit = inspection.state == InspectionState.OPEN and can(f"{P}.inspect", inspection.unit)
    if request.method == "POST":
        if not may_edit:  # CSRF: core's CSRFProtect checks every POST

            abort(404)
        for result in inspection.results:
            answer = request.form.get(f"r-{result.id}", "")
            note = request.form.get(f"n-{result.id}", "").strip()[:2000]
            if answer not in RESULTS:
                errors[result.id] = _("Choose pass, fail or n.a.")
            elif answer == "fail" and not note:
                errors[result.id] = _("Say what is wrong.")
        if not errors:
            try:
                for result in inspection.results:
                    result.result = request.form[f"r-{result.id}"]
                    result.note = request.form.get(f"n-{result.id}", "").strip()[:2000]
                    photo = request.files.get(f"p-{result.id}")
                    if photo and photo.filename:
                        save_attachment(photo, f"{P}.photo", result, inspection.unit)
            except AttachmentRejected as rejected:
                db.session.rollback()
                flash(str(rejected), "danger")
                return render_template("hospital_safety/inspection.html", inspection=inspection,
                                       errors=errors, values=values, may_edit=may_edit,
                                       kinds=KINDS, results=RESULTS), 400
            inspection.state, inspection.done_at = InspectionState.DONE, utcnow()
            audit(f"{P}.inspection_done", subject=inspection, unit=inspection.unit,
                  summary=str(KINDS[inspection.kind]))
            db.session.commit()
            flash(_("The inspection was recorded."), "success")
            return redirect(url_for(".inspection", inspection_id=inspection.id))
    return render_template("hospital_safety/inspection.html", inspection=inspection,
                           errors=errors, values=values, may_edit=may_edit, kinds=KINDS,
                           results=RESULTS), (400 if errors else 200)


@bp.route("/inspections/results/<int:result_id>/hazard", methods=["POST"])
@permission_required(f"{P}.inspect")
def result_hazard(result_id):
    """A failed item becomes a hazard in one click (once)."""
    result = db.session.get(InspectionResult, result_id) or abort(404)
    inspection = result.inspection
    require(f"{P}.inspect", inspection.unit)
    if result.result != "fail" or result.hazard_id:
        flash(_("Only a failed item without a hazard yet can become one."), "danger")
        return redirect(url_for(".inspection", inspection_id=inspection.id)), 303
    hazard = Hazard(unit_id=inspection.unit_id, place=f"{inspection.unit.name}",
                    description=f"{result.item}：{result.note}"[:2000], state="reported",
                    reporter_id=current_user.id, reported_at=utcnow())
    db.session.add(hazard)
    db.session.flush()
    result.hazard_id = hazard.id
    audit(f"{P}.hazard_reported", subject=hazard, unit=inspection.unit, summary=hazard.place,
          data={"inspection": inspection.id})
    db.session.commit()
    flash(_("The hazard was registered."), "success")
    if can(f"{P}.view", hazard.unit):
        return redirect(url_for(".hazard", hazard_id=hazard.id))
    return redirect(url_for(".inspection", inspection_id=inspection.id))


@bp.route("/checklists/")
@permission_required(f"{P}.manage_checklists")
def checklists():
    """The checklist templates, per kind and per key department."""
    rows = db.session.scalars(
        select(ChecklistTemplate).options(joinedload(ChecklistTemplate.unit))
        .where(ChecklistTemplate.unit_id.in_(unit_ids_where(f"{P}.manage_checklists")))
        .order_by(ChecklistTemplate.kind, ChecklistTemplate.name)).all()
    return render_template("hospital_safety/checklists.html", checklists=rows, kinds=KINDS)


@bp.route("/checklists/new", methods=["GET", "POST"])
@permission_required(f"{P}.manage_checklists")
def new_checklist():
    """Add a checklist template."""
    return checklist_form(None)


@bp.route("/checklists/<int:checklist_id>", methods=["GET", "POST"])
@permission_required(f"{P}.manage_checklists")
def checklist(checklist_id):
    """Edit a checklist template."""
    return checklist_form(checklist_id)


def checklist_form(checklist_id):
    row = None
    if checklist_id is not None:
        row = db.session.get(ChecklistTemplate, checklist_id) or abort(404)
        require(f"{P}.manage_checklists", row.unit)
    form = ChecklistForm(obj=row)
    form.unit.choices = [(u.id, u.name) for u in units_where(f"{P}.manage_checklists")]
    if request.method == "GET" and row is not None:
        form.unit.data = row.unit_id
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data)
        require(f"{P}.manage_checklists", unit)
        row = row or ChecklistTemplate()
        row.unit_id, row.kind, row.name = unit.id, form.kind.data, form.name.data.strip()
        row.items = form.items.data.strip()
        db.session.add(row)
        db.session.flush()
        audit(f"{P}.checklist_saved", subject=row, unit=unit, summary=row.name)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for(".checklists"))
    return render_template("hospital_safety/form.html", form=form, title=_("Checklist"))
