"""The plugin's pages: hazards, disease-report clocks, the drug ledger, patrol points and the
dashboard. Every list is filtered in SQL by the permission it needs; every object is checked
against its unit (404 when it is not the user's to see)."""

from __future__ import annotations

from datetime import timedelta

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    Unit,
    arg_int,
    attachments_of,
    audit,
    can,
    can_anywhere,
    current_unit,
    db,
    get_setting,
    local_now,
    local_today,
    paginate,
    permission_required,
    require,
    save_attachment,
    to_local,
    to_utc,
    unit_ids_where,
    utcnow,
)

from .. import drugs, rules, stats
from ..forms import (
    CATEGORIES,
    COLOURS,
    DISEASE_CLASSES,
    FORMS,
    GRADES,
    CaseForm,
    CaseReportForm,
    DispenseForm,
    EntryForm,
    ExplainForm,
    HazardForm,
    IssueForm,
    NoteForm,
    ReceiptForm,
    ScanForm,
)
from ..hazards import TRANSITIONS, HazardAction, HazardState, Refused, act, allowed, state_label
from ..i18n import gettext as _
from ..models import (
    CountState,
    DiseaseCase,
    Drug,
    DrugCount,
    DrugEntry,
    DrugLot,
    Hazard,
    PatrolPoint,
    PatrolScan,
)

bp = Blueprint("hospital_safety", __name__, template_folder="../templates")
PLUGIN = "hospital_safety"


def me():
    return current_user._get_current_object()


@bp.context_processor
def labels():
    return {"can_anywhere": can_anywhere, "hs_state_label": state_label, "hs_grades": GRADES, "hs_colours": COLOURS,
            "hs_classes": DISEASE_CLASSES, "hs_categories": CATEGORIES, "hs_forms": FORMS}


# --- dashboard -----------------------------------------------------------------------------

@bp.route("/")
@permission_required("hospital_safety.view")
def index():
    """The safety dashboard of what the user may see."""
    scope = unit_ids_where("hospital_safety.view")
    return render_template("hospital_safety/dashboard.html", **stats.dashboard(scope))


# --- hazards -------------------------------------------------------------------------------

@bp.route("/hazards/")
@permission_required("hospital_safety.view")
def hazards():
    """Hazards of the departments the user may see, with filters."""
    query = (select(Hazard).options(joinedload(Hazard.unit))
             .where(Hazard.unit_id.in_(unit_ids_where("hospital_safety.view"))))
    state = request.args.get("state", "")
    if state in {s.value for s in HazardState}:
        query = query.where(Hazard.state == state)
    if request.args.get("overdue"):
        query = query.where(Hazard.state == HazardState.NOTIFIED.value,
                            Hazard.deadline_at < utcnow())
    q = request.args.get("q", "").strip()[:100]
    if q:
        query = query.where(Hazard.place.contains(q) | Hazard.description.contains(q))
    unit_id = arg_int("unit")
    if unit_id:
        query = query.where(Hazard.unit_id == unit_id)
    query = query.order_by(Hazard.reported_at.desc(), Hazard.id.desc())
    return render_template("hospital_safety/hazards.html", hazards=paginate(query),
                           state=state, q=q, now=utcnow(), states=list(HazardState))


@bp.route("/hazards/new", methods=["GET", "POST"])
@permission_required("hospital_safety.report")
def report_hazard():
    """Anyone reports a hazard from a phone: place, what is wrong, a photo."""
    unit = current_unit()
    require("hospital_safety.report", unit)
    form = HazardForm()
    if form.validate_on_submit():
        hazard = Hazard(unit_id=unit.id, place=form.place.data.strip(),
                        description=form.description.data.strip(), state="reported",
                        reporter_id=None if form.anonymous.data else current_user.id,
                        reported_at=utcnow())
        db.session.add(hazard)
        db.session.flush()
        if form.photo.data:
            save_attachment(form.photo.data, "hospital_safety.photo", hazard, unit,
                            user=None if form.anonymous.data else me())
        audit("hospital_safety.hazard_reported", subject=hazard, unit=unit, summary=hazard.place,
              data={"anonymous": bool(form.anonymous.data)})
        db.session.commit()
        flash(_("Thank you: the hazard was reported to the safety officer."), "success")
        if can("hospital_safety.view", unit):
            return redirect(url_for(".hazard", hazard_id=hazard.id))
        return redirect(url_for(".report_hazard"))
    return render_template("hospital_safety/form.html", form=form, title=_("Report a hazard"))


def visible_hazard(hazard_id: int) -> Hazard:
    hazard = db.session.get(Hazard, hazard_id) or abort(404)
    require("hospital_safety.view", hazard.unit)
    return hazard


@bp.route("/hazards/<int:hazard_id>")
@permission_required("hospital_safety.view")
def hazard(hazard_id):
    """One hazard, its history and what the user may do next."""
    hazard = visible_hazard(hazard_id)
    forms = {}
    user = me()
    for action in (HazardAction.SAFEGUARD, HazardAction.FIX, HazardAction.CLOSE,
                   HazardAction.SEND_BACK):
        states, permission = TRANSITIONS[action]
        if HazardState(hazard.state) in states and can(permission, hazard.unit):
            forms[action.value] = (NoteForm(prefix=action.value), allowed(hazard, action, user))
    return render_template("hospital_safety/hazard.html", hazard=hazard, forms=forms,
                           photos=attachments_of(hazard), now=utcnow(),
                           may_issue=(hazard.state == "reported"
                                      and can("hospital_safety.grade", hazard.unit)))


def departments(permission: str) -> list[Unit]:
    return db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids_where(permission)))
                              .order_by(Unit.path)).all()


@bp.route("/hazards/<int:hazard_id>/issue", methods=["GET", "POST"])
@permission_required("hospital_safety.grade")
def issue(hazard_id):
    """The safety officer grades the hazard and issues the rectification notice."""
    hazard = visible_hazard(hazard_id)
    require("hospital_safety.grade", hazard.unit)
    form = IssueForm()
    units = departments("hospital_safety.grade")
    form.department.choices = [(u.id, u.name) for u in units]
    if request.method == "GET":
        form.department.data = hazard.unit_id
    if form.validate_on_submit():
        department = db.session.get(Unit, form.department.data)
        try:
            act(hazard.id, HazardAction.ISSUE, me(), department=department,
                grade=form.grade.data, colour=form.colour.data,
                requirement=form.requirement.data, days=form.days.data)
        except Refused as refused:
            db.session.rollback()
            flash(str(refused), "danger")
            return render_template("hospital_safety/form.html", form=form,
                                   title=_("Rectification notice")), 409
        db.session.commit()
        flash(_("The rectification notice was issued."), "success")
        return redirect(url_for(".hazard", hazard_id=hazard_id))
    return render_template("hospital_safety/form.html", form=form, hazard=hazard,
                           title=_("Rectification notice"))


@bp.route("/hazards/<int:hazard_id>/notice")
@permission_required("hospital_safety.view")
def notice(hazard_id):
    """The printable rectification notice (整改通知书), A4."""
    hazard = visible_hazard(hazard_id)
    if not hazard.notice_no:
        abort(404)
    return render_template("hospital_safety/notice.html", hazard=hazard)


def hazard_step(hazard_id, action):
    """Safeguards, the fix, the re-check: each a transition of the state machine."""
    hazard = visible_hazard(hazard_id)
    action = HazardAction(action)
    form = NoteForm(prefix=action.value)
    if not form.validate_on_submit():
        flash(_("Write a note."), "danger")
        return redirect(url_for(".hazard", hazard_id=hazard_id))
    try:
        act(hazard.id, action, me(), text=form.text.data.strip())
        if form.evidence.data:
            save_attachment(form.evidence.data, "hospital_safety.photo", hazard, hazard.unit)
    except Refused as refused:
        db.session.rollback()
        flash(str(refused), "danger")
        return redirect(url_for(".hazard", hazard_id=hazard_id)), 303
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".hazard", hazard_id=hazard_id))


@bp.route("/hazards/<int:hazard_id>/safeguard", methods=["POST"])
@permission_required("hospital_safety.rectify")
def safeguard(hazard_id):
    """Record the interim safeguards of a hazard that cannot be fixed in time."""
    return hazard_step(hazard_id, "safeguard")


@bp.route("/hazards/<int:hazard_id>/fix", methods=["POST"])
@permission_required("hospital_safety.rectify")
def fix(hazard_id):
    """The department reports the fix, with evidence."""
    return hazard_step(hazard_id, "fix")


@bp.route("/hazards/<int:hazard_id>/close", methods=["POST"])
@permission_required("hospital_safety.recheck")
def close(hazard_id):
    """Someone other than the fixer re-checks and closes."""
    return hazard_step(hazard_id, "close")


@bp.route("/hazards/<int:hazard_id>/send_back", methods=["POST"])
@permission_required("hospital_safety.recheck")
def send_back(hazard_id):
    """Someone other than the fixer re-checks and sends it back to the department."""
    return hazard_step(hazard_id, "send_back")


# --- infectious-disease reports ------------------------------------------------------------

@bp.route("/cases/", methods=["GET", "POST"])
@permission_required("hospital_safety.view_cases")
def cases():
    """Cases and their report clocks; the public-health officer records a new one here."""
    form = CaseForm()
    unit = current_unit()
    if form.validate_on_submit():
        require("hospital_safety.report_cases", unit)
        rural = get_setting(PLUGIN, "rural", unit)
        limit = rules.report_limit(form.disease_class.data, rural, unit)
        case = DiseaseCase(unit_id=unit.id, patient=form.patient.data.strip(),
                           disease=form.disease.data.strip(),
                           disease_class=form.disease_class.data, rural=rural,
                           diagnosed_at=to_utc(form.diagnosed_at.data),
                           limit_minutes=limit.minutes, legal_minutes=limit.legal_minutes,
                           recorded_by_id=current_user.id)
        db.session.add(case)
        db.session.flush()
        audit("hospital_safety.case_recorded", subject=case, unit=unit, summary=case.disease)
        db.session.commit()
        flash(_("The case was recorded; its clock is running."), "success")
        return redirect(url_for(".cases"))
    query = (select(DiseaseCase).options(joinedload(DiseaseCase.unit))
             .where(DiseaseCase.unit_id.in_(unit_ids_where("hospital_safety.view_cases")))
             .order_by(DiseaseCase.diagnosed_at.desc(), DiseaseCase.id.desc()))
    page = paginate(query)
    now = utcnow()
    clocks = {c.id: rules.clock(c.diagnosed_at, c.limit_minutes, now, c.reported_at, c.unit)
              for c in page}
    return render_template("hospital_safety/cases.html", cases=page, clocks=clocks, form=form,
                           may_record=can("hospital_safety.report_cases", unit),
                           superseded=rules.SUPERSEDED["class_a_rural_hours"])


@bp.route("/cases/<int:case_id>/report", methods=["GET", "POST"])
@permission_required("hospital_safety.report_cases")
def case_report(case_id):
    """Record when the case went into the direct network report, and its number."""
    case = db.session.get(DiseaseCase, case_id) or abort(404)
    require("hospital_safety.report_cases", case.unit)
    form = CaseReportForm()
    if request.method == "GET":
        form.reported_at.data = local_now().replace(second=0, microsecond=0)
    if form.validate_on_submit():
        reported = to_utc(form.reported_at.data)
        if reported < case.diagnosed_at or reported > utcnow() + timedelta(minutes=5):
            form.reported_at.errors = [_("The report time must lie between the diagnosis and "
                                         "now.")]
        else:
            case.reported_at, case.report_no = reported, form.report_no.data.strip()
            audit("hospital_safety.case_reported", subject=case, unit=case.unit,
                  summary=case.report_no)
            db.session.commit()
            flash(_("The report was recorded."), "success")
            return redirect(url_for(".cases"))
    return render_template("hospital_safety/form.html", form=form, title=_("Network report"))


# --- controlled drugs ----------------------------------------------------------------------

def drug_forms(unit):
    lots = db.session.scalars(
        select(DrugLot).join(Drug).options(joinedload(DrugLot.drug))
        .where(Drug.unit_id.in_(unit_ids_where("hospital_safety.keep_drugs")))
        .order_by(Drug.name, DrugLot.lot)).all()
    lot_choices = [(lot.id, f"{lot.drug.name} {lot.drug.strength} · {lot.lot} "
                            f"({lot.balance})") for lot in lots]
    receipt, dispense, entry = (ReceiptForm(prefix="r"), DispenseForm(prefix="d"),
                                EntryForm(prefix="e"))
    receipt.drug.choices = [(d.id, d.name) for d in db.session.scalars(
        select(Drug).where(Drug.unit_id.in_(unit_ids_where("hospital_safety.keep_drugs")))
        .order_by(Drug.name))]
    dispense.lot.choices = entry.lot.choices = lot_choices
    return receipt, dispense, entry, lots


@bp.route("/drugs/")
@permission_required("hospital_safety.view_drugs")
def ledger():
    """The controlled-drug register: lots with their balances, the latest lines, counts."""
    scope = unit_ids_where("hospital_safety.view_drugs")
    lots = db.session.scalars(
        select(DrugLot).join(Drug).options(joinedload(DrugLot.drug).joinedload(Drug.unit))
        .where(Drug.unit_id.in_(scope)).order_by(Drug.name, DrugLot.lot)).all()
    entries = paginate(
        select(DrugEntry).join(DrugLot).join(Drug)
        .options(joinedload(DrugEntry.lot).joinedload(DrugLot.drug), joinedload(DrugEntry.by))
        .where(Drug.unit_id.in_(scope)).order_by(DrugEntry.at.desc(), DrugEntry.id.desc()))
    counts = db.session.scalars(
        select(DrugCount).options(joinedload(DrugCount.counted_by))
        .where(DrugCount.unit_id.in_(scope))
        .order_by(DrugCount.counted_at.desc()).limit(10)).all()
    keeper = can("hospital_safety.keep_drugs", current_unit())
    receipt, dispense, entry, _lots = drug_forms(current_unit()) if keeper else (None,) * 4
    return render_template("hospital_safety/ledger.html", lots=lots, entries=entries,
                           counts=counts, receipt=receipt, dispense=dispense, entry=entry,
                           explain=ExplainForm(prefix="x"),
                           superseded=rules.SUPERSEDED["injection_days"])


def keeper_lot(lot_id):
    lot = db.session.get(DrugLot, lot_id) if lot_id else None
    if lot is None or not can("hospital_safety.keep_drugs", lot.drug.unit):
        abort(404)
    return lot


def drug_move(what):
    """A receipt, a dispensing, empties returned or a destruction."""
    receipt, dispense, entry, _lots = drug_forms(current_unit())
    form = {"receive": receipt, "dispense": dispense, "entry": entry}[what]
    if not form.validate_on_submit():
        errors = "; ".join(f"{form[name].label.text}: {' '.join(map(str, e))}"
                           for name, e in form.errors.items())
        flash(errors or _("Check the form."), "danger")
        return redirect(url_for(".ledger")), 303
    try:
        if what == "receive":
            drug = db.session.get(Drug, form.drug.data)
            if drug is None or not can("hospital_safety.keep_drugs", drug.unit):
                abort(404)
            drugs.receive(drug, form.lot.data.strip(), form.quantity.data, me())
        elif what == "dispense":
            lot = keeper_lot(form.lot.data)
            drugs.dispense(lot.id, me(), quantity=form.quantity.data,
                           prescription_no=form.prescription_no.data.strip(),
                           patient=form.patient.data.strip(), days=form.days.data,
                           doses=form.doses.data, inpatient=form.inpatient.data,
                           cancer_pain=form.cancer_pain.data)
        else:
            lot = keeper_lot(form.lot.data)
            drugs.return_or_destroy(lot.id, me(), kind=form.kind.data,
                                    quantity=form.quantity.data,
                                    witnesses=form.witnesses.data or "",
                                    note=form.note.data or "")
    except drugs.Refused as refused:
        db.session.rollback()
        flash(str(refused), "danger")
        return redirect(url_for(".ledger")), 303
    db.session.commit()
    flash(_("Recorded in the ledger."), "success")
    return redirect(url_for(".ledger"))


@bp.route("/drugs/receive", methods=["POST"])
@permission_required("hospital_safety.keep_drugs")
def receive():
    """A receipt into a lot (a new lot is opened)."""
    return drug_move("receive")


@bp.route("/drugs/dispense", methods=["POST"])
@permission_required("hospital_safety.keep_drugs")
def dispense():
    """Dispensing against a prescription, within its cap."""
    return drug_move("dispense")


@bp.route("/drugs/entry", methods=["POST"])
@permission_required("hospital_safety.keep_drugs")
def entry():
    """Empties returned or a destruction with two witnesses."""
    return drug_move("entry")


@bp.route("/drugs/count", methods=["GET", "POST"])
@permission_required("hospital_safety.keep_drugs")
def count():
    """The shift-handover count: what is in the cabinet, lot by lot."""
    unit = current_unit()
    require("hospital_safety.keep_drugs", unit)
    lots = db.session.scalars(
        select(DrugLot).join(Drug).options(joinedload(DrugLot.drug))
        .where(Drug.unit_id == unit.id).order_by(Drug.name, DrugLot.lot)).all()
    errors = {}
    if request.method == "POST":
        counted = {}
        for lot in lots:
            value = arg_int(f"lot-{lot.id}", low=0, high=10**6, args=request.form)
            if value is None:
                errors[lot.id] = _("Enter the number counted.")
            counted[lot.id] = value
        if not errors:
            result = drugs.handover(unit, counted, me())
            db.session.commit()
            if result.state == CountState.OPEN:
                flash(_("The count differs from the ledger: dispensing is blocked until it is "
                        "reconciled or explained and signed."), "danger")
            else:
                flash(_("The count matches the ledger."), "success")
            return redirect(url_for(".ledger"))
    return render_template("hospital_safety/count.html", lots=lots, errors=errors,
                           values=request.form), (200 if not errors else 400)


@bp.route("/drugs/counts/<int:count_id>/explain", methods=["POST"])
@permission_required("hospital_safety.keep_drugs")
def explain(count_id):
    """Explain and sign a count's difference (not by the person who counted)."""
    count = db.session.get(DrugCount, count_id) or abort(404)
    require("hospital_safety.keep_drugs", count.unit)
    form = ExplainForm(prefix="x")
    if not form.validate_on_submit():
        flash(_("Write the explanation."), "danger")
        return redirect(url_for(".ledger")), 303
    try:
        drugs.explain(count.id, me(), form.explanation.data.strip())
    except drugs.Refused as refused:
        db.session.rollback()
        flash(str(refused), "danger")
        return redirect(url_for(".ledger")), 303
    db.session.commit()
    flash(_("The explanation was signed: dispensing may go on."), "success")
    return redirect(url_for(".ledger"))


# --- patrol points -------------------------------------------------------------------------

@bp.route("/points/")
@permission_required("hospital_safety.patrol")
def points():
    """Patrol points by building and floor; those whose period passed unchecked are flagged."""
    scope = unit_ids_where("hospital_safety.patrol")
    query = (select(PatrolPoint).options(joinedload(PatrolPoint.unit))
             .where(PatrolPoint.unit_id.in_(scope))
             .order_by(PatrolPoint.building, PatrolPoint.floor, PatrolPoint.code))
    if request.args.get("missed"):
        query = query.where(stats.missed_condition(local_today()))
    page = paginate(query)
    today = local_today()
    status = {p.id: stats.point_status(p, today) for p in page}
    return render_template("hospital_safety/points.html", points=page, status=status,
                           today=today, missed=bool(request.args.get("missed")))


def visible_point(point_id: int) -> PatrolPoint:
    point = db.session.get(PatrolPoint, point_id) or abort(404)
    require("hospital_safety.patrol", point.unit)
    return point


@bp.route("/points/<int:point_id>/label")
@permission_required("hospital_safety.patrol")
def label(point_id):
    """The printable QR label of a point."""
    point = visible_point(point_id)
    target = url_for(".scan", point_id=point.id, _external=True)
    svg = segno.make(target, error="m").svg_inline(scale=4, title=point.code)
    return render_template("hospital_safety/label.html", point=point, svg=svg, target=target,
                           life=(rules.extinguisher_life(point.manufactured_on, local_today(),
                                                         point.unit)
                                 if point.manufactured_on else None))


@bp.route("/points/<int:point_id>/scan", methods=["GET", "POST"])
@permission_required("hospital_safety.patrol")
def scan(point_id):
    """What the QR label opens: the point's checklist; the server's clock times the check."""
    point = visible_point(point_id)
    form = ScanForm()
    if form.validate_on_submit():
        ok = form.ok.data == "1"
        if not ok and not (form.note.data or "").strip():
            form.note.errors = [_("Say what is wrong.")]
        else:
            now = utcnow()
            row = PatrolScan(point_id=point.id, user_id=current_user.id, at=now, ok=ok,
                             note=(form.note.data or "").strip())
            db.session.add(row)
            point.last_scan_at = now
            db.session.flush()
            if form.photo.data:
                save_attachment(form.photo.data, "hospital_safety.photo", row, point.unit)
            audit("hospital_safety.point_checked", subject=row, unit=point.unit,
                  summary=f"{point.code} {'ok' if ok else 'fail'}")
            if not ok and can("hospital_safety.report", point.unit):
                hazard = Hazard(unit_id=point.unit_id, place=f"{point.code} {point.place}",
                                description=row.note, reporter_id=current_user.id,
                                reported_at=now, state="reported")
                db.session.add(hazard)
                db.session.flush()
                audit("hospital_safety.hazard_reported", subject=hazard, unit=point.unit,
                      summary=hazard.place, data={"from_scan": row.id})
            db.session.commit()
            shown = to_local(now).strftime("%Y-%m-%d %H:%M")
            flash(_("Check recorded at %(time)s.", time=shown), "success")
            return redirect(url_for(".scan", point_id=point.id))
    recent = db.session.scalars(select(PatrolScan).options(joinedload(PatrolScan.user))
                                .where(PatrolScan.point_id == point.id)
                                .order_by(PatrolScan.at.desc()).limit(5)).all()
    return render_template("hospital_safety/scan.html", point=point, form=form, recent=recent,
                           status=stats.point_status(point, local_today()))


from . import inspections, logs, register  # noqa: E402,F401  (routes)
