"""Monthly summaries: starting one, filling in the checklist and the metrics, submitting it."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.api import (
    Unit,
    arg_int,
    attachments_of,
    audit,
    db,
    local_date,
    local_today,
    paginate,
    permission_required,
    unit_ids_where,
    workflow_for,
    workflow_panel,
)

from .. import approvals, metrics, summarising, tracking
from .. import deadlines as dl
from ..forms import NewSummaryForm, ReopenSummaryForm, summary_form
from ..i18n import gettext
from ..models import SUMMARY_STATES, Summary, period_key
from . import (
    PLUGIN,
    bp,
    default_unit_id,
    get_or_404,
    may_in,
    parse_month,
    records,
    scoped_units,
    unit_choices,
)


@bp.route("/summaries")
@permission_required(f"{PLUGIN}.view")
def summaries():
    """Summaries of the departments the user sees, newest month first."""
    query = select(Summary).where(Summary.unit_id.in_(unit_ids_where(f"{PLUGIN}.view")))
    unit_id = arg_int("unit")
    if unit_id:
        query = query.where(Summary.unit_id == unit_id)
    month = parse_month(request.args.get("month"))
    if month:
        query = query.where(Summary.period == period_key(*month))
    status = request.args.get("status")
    if status in SUMMARY_STATES:
        query = query.where(Summary.status == status)
    page = paginate(query.order_by(Summary.period.desc(), Summary.unit_id))
    return render_template("property_reports/summaries.html", page=page,
                           units=scoped_units("view"), unit_id=unit_id,
                           month=request.args.get("month", ""), status=status,
                           can_write=bool(scoped_units("prepare")))


@bp.route("/summaries/new", methods=["GET", "POST"])
@permission_required(f"{PLUGIN}.prepare")
def new_summary():
    """Start the summary of a month (last month by default)."""
    units = scoped_units("prepare")
    form = NewSummaryForm()
    form.unit.choices = unit_choices(units)
    if request.method == "GET":
        today = local_today()
        form.month.data = date(*dl.add_months(today.year, today.month, -1), 1)
        form.unit.data = arg_int("unit") or default_unit_id(units)
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data)
        if unit is None or not may_in("prepare", unit):
            abort(404)
        try:
            summary = summarising.start(unit, form.month.data.year, form.month.data.month,
                                        current_user)
        except summarising.SummaryError as exc:
            form.month.errors.append(str(exc))
            existing = summarising.find(unit, form.month.data.year, form.month.data.month)
            if existing is not None:
                return render_template(
                    "property_reports/summary_new.html", form=form,
                    existing=url_for(f"{PLUGIN}.summary", summary_id=existing.id))
        else:
            db.session.commit()
            if summary.plan_version is None:
                flash(gettext("There is no approved plan for this month, so the summary has no "
                              "checklist."), "warning")
            return redirect(url_for(f"{PLUGIN}.edit_summary", summary_id=summary.id))
    return render_template("property_reports/summary_new.html", form=form, existing=None)


def _visible(summary_id: int) -> Summary:
    summary = get_or_404(Summary, summary_id)
    if not may_in("view", summary.unit):
        abort(404)
    return summary


@bp.route("/summaries/<int:summary_id>")
@permission_required(f"{PLUGIN}.view")
def summary(summary_id: int):
    """A summary: checklist, routine work, duties and the department's metrics."""
    summary = _visible(summary_id)
    dept = summarising.department(summary.unit)
    deadline = tracking.deadline_for(summary.unit, dl.SUMMARY, summary.year, summary.month)
    handed = local_date(summary.submitted_at)
    return render_template(
        "property_reports/summary.html", summary=summary, dept=dept,
        rows=metrics.rows(dept, metrics.values_of(summary)), deadline=deadline,
        state=dl.state(deadline, handed, local_today()), explain=tracking.explain,
        can_edit=summary.editable and may_in("prepare", summary.unit),
        panel=workflow_panel(workflow_for(summary, approvals.SUMMARY_FLOW)),
        attachments=attachments_of(summary, records.KIND),
        record_form=records.RecordForm() if may_in("prepare", summary.unit) else None,
        versions=summarising.changes(summary),
        reopen_form=ReopenSummaryForm() if may_in("prepare", summary.unit) else None,
    )


@bp.route("/summaries/<int:summary_id>/reopen", methods=["POST"])
@permission_required(f"{PLUGIN}.prepare")
def reopen_summary(summary_id: int):
    """Take a handed-in summary back to correct a mistake; the handed-in versions stay."""
    summary = _visible(summary_id)
    if not may_in("prepare", summary.unit):
        abort(404)
    form = ReopenSummaryForm()
    if not form.validate_on_submit():
        flash(gettext("Say what needs correcting."), "danger")
        return redirect(url_for(f"{PLUGIN}.summary", summary_id=summary.id))
    try:
        summarising.reopen(summary, current_user, form.reason.data.strip())
    except summarising.SummaryError as exc:
        flash(str(exc), "warning")
        return redirect(url_for(f"{PLUGIN}.summary", summary_id=summary.id))
    db.session.commit()
    flash(gettext("The summary is open for the correction; hand it in again when done."),
          "success")
    return redirect(url_for(f"{PLUGIN}.edit_summary", summary_id=summary.id))


@bp.route("/summaries/<int:summary_id>/edit", methods=["GET", "POST"])
@permission_required(f"{PLUGIN}.prepare")
def edit_summary(summary_id: int):
    """Fill in the summary; "Submit" checks that everything required is there."""
    summary = _visible(summary_id)
    if not may_in("prepare", summary.unit):
        abort(404)
    try:
        summarising.check_editable(summary, current_user)
    except summarising.SummaryError as exc:
        flash(str(exc), "warning")
        return redirect(url_for(f"{PLUGIN}.summary", summary_id=summary.id))
    dept = summarising.department(summary.unit)
    strict = request.method == "POST" and "hand_in" in request.form
    data = None
    if request.method == "GET":
        data = metrics.form_data(dept, metrics.values_of(summary))
        data.update(routine_work=summary.routine_work, duties=summary.duties)
        for item in summary.items:
            data[f"o_{item.id}"] = item.outcome
            data[f"e_{item.id}"] = item.explanation
            data[f"u_{item.id}"] = item.unclear_spec
    formdata, totals = metrics.running_totals(
        summary, dept, request.form if request.method == "POST" else None)
    form = summary_form(dept, summary.items, strict, data=data,
                        **({"formdata": formdata} if formdata is not None else {}))
    for key, total in totals.items():
        field = form.metric_field(key)
        field.description = gettext(
            "Last month's total was %(total)s: left empty, it is that plus this month's.",
            total=f"{int(total):,}")
        field.render_kw = {**(field.render_kw or {}), "placeholder": f"{int(total):,} + …"}
    if request.method == "POST":
        if form.validate_on_submit():
            summarising.save(summary, form)
            if strict:
                summarising.hand_in(summary, current_user, form.note.data or "")
                audit(f"{PLUGIN}.summary_submitted", subject=summary, unit=summary.unit,
                      summary=f"{summary.unit.name} {summary.year}-{summary.month:02d}",
                      data={"completeness": str(summary.completeness)})
                db.session.commit()
                flash(gettext("The summary is submitted."), "success")
                return redirect(url_for(f"{PLUGIN}.summary", summary_id=summary.id))
            audit(f"{PLUGIN}.summary_saved", subject=summary, unit=summary.unit,
                  summary=f"{summary.unit.name} {summary.year}-{summary.month:02d}")
            db.session.commit()
            flash(gettext("Draft saved."), "success")
            return redirect(url_for(f"{PLUGIN}.edit_summary", summary_id=summary.id))
        flash(gettext("The summary was not saved: see the messages in the form."), "danger")
    deadline = tracking.deadline_for(summary.unit, dl.SUMMARY, summary.year, summary.month)
    return render_template("property_reports/summary_edit.html", form=form, summary=summary,
                           dept=dept, deadline=deadline, explain=tracking.explain,
                           input_name=metrics.input_name)
