"""Inspections (安全检查): plans by kind with their frequencies, editable checklists, an
inspection done on a phone item by item, a fail turned into a hazard in one click, and done
versus required per period.

Frequencies (section 5, seed lines 483, 517, 627): committee inspections at least 6 a year, at
least 2 led by the main leaders; a hospital-wide inspection and a fire inspection every month;
a self-check by every department every month. Each number is a setting.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from core.api import (AttachmentRejected, Unit, audit, can, db, get_setting, local_today,
                      paginate, permission_required, require, save_attachment, to_utc,
                      unit_ids_where, utcnow)

from .forms import choices
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .models import ChecklistTemplate, Hazard, Inspection, InspectionResult
from .views import bp

P = "hospital_safety"
KINDS = {"committee": _l("Safety committee inspection"),
         "hospital": _l("Monthly hospital-wide inspection"),
         "department": _l("Monthly department self-check"),
         "fire": _l("Monthly fire inspection")}
RESULTS = {"pass": _l("Pass"), "fail": _l("Fail"), "na": _l("N/A")}
DEFAULT_ITEMS = {
    "committee": "安全生产责任制落实\n隐患整改台账完整\n重点部门（药房、锅炉房、手术室、放射科、检验科）检查\n消防设施完好",
    "hospital": "安全出口、疏散通道畅通\n灭火器、消防栓完好\n用电安全，无私拉乱接\n氧气瓶固定、远离火源",
    "department": "本科室设备运行正常\n危险品存放规范\n人员安全培训到位\n交接班记录完整",
    "fire": "灭火器压力正常、在有效期内\n消防栓水带水枪齐全\n应急照明、疏散指示完好\n消防控制室值班记录",
}


def start_utc(day: date) -> datetime:
    return to_utc(datetime.combine(day, time()))


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def done_counts(unit_ids, kinds, since: date, until: date, leaders=False) -> dict:
    """{unit_id: n} of inspections of *kinds* done in ``[since, until)``."""
    query = (select(Inspection.unit_id, func.count(Inspection.id))
             .where(Inspection.unit_id.in_(unit_ids), Inspection.kind.in_(kinds),
                    Inspection.state == "done", Inspection.done_at >= start_utc(since),
                    Inspection.done_at < start_utc(until))
             .group_by(Inspection.unit_id))
    if leaders:
        query = query.where(Inspection.led_by_leaders.is_(True))
    return dict(db.session.execute(query).all())


def plan_rows(scope, today: date) -> list[dict]:
    """Per centre: done vs required this month (hospital-wide, fire, department self-checks),
    this year (committee, with leaders), and whether last month's fell short (overdue)."""
    centres = db.session.scalars(select(Unit).where(Unit.id.in_(scope),
                                                    Unit.kind == "health_centre")
                                 .order_by(Unit.path)).all()
    if not centres:
        return []
    ids = [c.id for c in centres]
    departments = db.session.execute(select(Unit.id, Unit.parent_id).where(
        Unit.parent_id.in_(ids), Unit.kind == "department")).all()
    dept_ids = [d for d, _ in departments]
    this, last, after = month_start(today), previous_month(today), next_month(today)
    year, next_year = date(today.year, 1, 1), date(today.year + 1, 1, 1)
    monthly = {k: done_counts(ids, [k], this, after) for k in ("hospital", "fire")}
    monthly_last = {k: done_counts(ids, [k], last, this) for k in ("hospital", "fire")}
    depts_now = done_counts(dept_ids, ["department"], this, after)
    depts_last = done_counts(dept_ids, ["department"], last, this)
    committee = done_counts(ids, ["committee"], year, next_year)
    leaders = done_counts(ids, ["committee"], year, next_year, leaders=True)
    rows = []
    for centre in centres:
        mine = [d for d, parent in departments if parent == centre.id]
        need = {k: get_setting(P, f"{k}_per_month", centre) for k in ("hospital", "fire")}
        row = {"centre": centre,
               "hospital": (monthly["hospital"].get(centre.id, 0), need["hospital"]),
               "fire": (monthly["fire"].get(centre.id, 0), need["fire"]),
               "departments": (sum(1 for d in mine if depts_now.get(d)), len(mine)),
               "committee": (committee.get(centre.id, 0),
                             get_setting(P, "committee_per_year", centre)),
               "leaders": (leaders.get(centre.id, 0),
                           get_setting(P, "committee_leaders_per_year", centre))}
        row["overdue"] = [
            label for label, short in (
                (KINDS["hospital"], monthly_last["hospital"].get(centre.id, 0) < need["hospital"]),
                (KINDS["fire"], monthly_last["fire"].get(centre.id, 0) < need["fire"]),
                (KINDS["department"], any(not depts_last.get(d) for d in mine)))
            if short]
        rows.append(row)
    return rows


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
    may_edit = inspection.state == "open" and can(f"{P}.inspect", inspection.unit)
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
            inspection.state, inspection.done_at = "done", utcnow()
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


@bp.route("/checklists/new", methods=["GET", "POST"], defaults={"checklist_id": None},
          endpoint="new_checklist")
@bp.route("/checklists/<int:checklist_id>", methods=["GET", "POST"])
@permission_required(f"{P}.manage_checklists")
def checklist(checklist_id):
    """Add or edit a checklist template."""
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


def default_checklists(centre: Unit) -> None:
    """One checklist per kind for a centre that has none (enabling the plugin, the demo)."""
    have = db.session.scalar(select(func.count(ChecklistTemplate.id)).where(
        ChecklistTemplate.unit_id == centre.id))
    if not have:
        for kind, items in DEFAULT_ITEMS.items():
            db.session.add(ChecklistTemplate(unit_id=centre.id, kind=kind,
                                             name=str(KINDS[kind]), items=items))
