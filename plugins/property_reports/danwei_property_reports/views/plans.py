"""Monthly plans: starting one, its items, submitting it, revising it, comparing versions."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.api import (
    Unit,
    WorkflowError,
    arg_int,
    attachments_of,
    audit,
    db,
    local_today,
    paginate,
    permission_required,
    unit_ids_where,
    workflow_for,
    workflow_panel,
)

from .. import approvals, planning, tracking, versions
from ..catalogue import DEPARTMENT_KINDS, TEAM_KIND
from ..forms import NewPlanForm, PlanHeaderForm, PlanItemForm, ReviseForm, SubmitPlanForm
from ..i18n import gettext
from ..models import (
    APPROVED,
    REJECTED,
    SUBMITTED,
    VERSION_STATES,
    Plan,
    PlanItem,
    PlanVersion,
    Spec,
    period_key,
)
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
from .library import spec_choices

KINDS = (*DEPARTMENT_KINDS, TEAM_KIND)


@bp.route("/plans")
@permission_required(f"{PLUGIN}.view")
def plans():
    """Plans of the departments and teams the user sees, newest month first."""
    latest = (select(PlanVersion.plan_id, func.max(PlanVersion.number).label("number"))
              .group_by(PlanVersion.plan_id).subquery())
    query = (select(Plan)
             .options(selectinload(Plan.versions).selectinload(PlanVersion.items),
                      selectinload(Plan.unit), selectinload(Plan.author))
             .join(latest, latest.c.plan_id == Plan.id)
             .join(PlanVersion, (PlanVersion.plan_id == Plan.id)
                   & (PlanVersion.number == latest.c.number))
             .where(Plan.unit_id.in_(unit_ids_where(f"{PLUGIN}.view"))))
    unit_id = arg_int("unit")
    if unit_id:
        query = query.where(Plan.unit_id == unit_id)
    month = parse_month(request.args.get("month"))
    if month:
        query = query.where(Plan.period == period_key(*month))
    status = request.args.get("status")
    if status in VERSION_STATES:
        query = query.where(PlanVersion.status == status)
    page = paginate(query.order_by(Plan.period.desc(), Plan.unit_id))
    return render_template("property_reports/plans.html", page=page,
                           rows=[(p, p.latest) for p in page.items],
                           units=scoped_units("view", KINDS), unit_id=unit_id,
                           month=request.args.get("month", ""), status=status,
                           can_write=bool(scoped_units("prepare", KINDS)))


@bp.route("/plans/new", methods=["GET", "POST"])
@permission_required(f"{PLUGIN}.prepare")
def new_plan():
    """Start the plan of a department or team for a month (next month by default)."""
    from .. import deadlines as dl

    units = scoped_units("prepare", KINDS)
    form = NewPlanForm()
    form.unit.choices = unit_choices(units)
    if request.method == "GET":
        today = local_today()
        year, month = dl.add_months(today.year, today.month, 1)
        form.month.data = date(year, month, 1)
        form.unit.data = arg_int("unit") or default_unit_id(units)
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data)
        if unit is None or not may_in("prepare", unit):
            abort(404)
        try:
            plan = planning.start(unit, form.month.data.year, form.month.data.month,
                                  current_user, copy_last=bool(form.copy_last.data))
        except planning.PlanError as exc:
            form.month.errors.append(str(exc))
            existing = planning.find(unit, form.month.data.year, form.month.data.month)
            if existing is not None:
                return render_template("property_reports/plan_new.html", form=form,
                                       existing=url_for(f"{PLUGIN}.plan", plan_id=existing.id))
        else:
            db.session.commit()
            flash(gettext("The plan is started from last month's: adjust its work.")
                  if form.copy_last.data else
                  gettext("The plan is started: add the work it plans."), "success")
            return redirect(url_for(f"{PLUGIN}.plan_version", version_id=plan.latest.id))
    return render_template("property_reports/plan_new.html", form=form, existing=None)


def _visible_plan(plan_id: int) -> Plan:
    plan = get_or_404(Plan, plan_id)
    if not may_in("view", plan.unit):
        abort(404)
    return plan


def _visible_version(version_id: int) -> PlanVersion:
    version = get_or_404(PlanVersion, version_id)
    if not may_in("view", version.plan.unit):
        abort(404)
    return version


def _editable(version_id: int) -> PlanVersion:
    """The version, when the current user may edit it; otherwise say why and go back."""
    version = _visible_version(version_id)
    try:
        if planning.editable_version(version.plan, current_user) is not version:
            raise planning.PlanError(gettext("Only the latest version can be edited."))
    except planning.PlanError as exc:
        flash(str(exc), "warning")
        abort(redirect(url_for(f"{PLUGIN}.plan_version", version_id=version.id)))
    return version


@bp.route("/plans/<int:plan_id>")
@permission_required(f"{PLUGIN}.view")
def plan(plan_id: int):
    """A plan: its latest version."""
    return redirect(url_for(f"{PLUGIN}.plan_version", version_id=_visible_plan(plan_id).latest.id))


@bp.route("/plans/v/<int:version_id>")
@permission_required(f"{PLUGIN}.view")
def plan_version(version_id: int):
    """One version of a plan: header, items, approval, history and the background."""
    version = _visible_version(version_id)
    plan = version.plan
    in_force = plan.in_force
    base = None
    if version.number > 1:
        base = in_force if in_force is not None and in_force.number < version.number else next(
            (v for v in reversed(plan.versions) if v.number < version.number), None)
    changes = versions.compare_plan_versions(base, version) if base is not None else []
    is_author = plan.author_id == current_user.id
    can_edit = is_author and version is plan.latest and version.editable
    substitute = (version.status == SUBMITTED
                  and planning.is_substitute(plan, version, current_user)
                  and not is_author)
    deadline = tracking.deadline_for(plan.unit, "plan", plan.year, plan.month)
    return render_template(
        "property_reports/plan.html", plan=plan, version=version, in_force=in_force,
        base=base, changes=changes, can_edit=can_edit, substitute=substitute,
        can_revise=is_author and version is plan.latest and version.status in (APPROVED,
                                                                                 REJECTED),
        submit_form=SubmitPlanForm() if can_edit else None,
        revise_form=ReviseForm() if is_author else None,
        panel=workflow_panel(workflow_for(version, approvals.PLAN_FLOW)),
        attachments=attachments_of(plan, records.KIND),
        record_form=records.RecordForm() if may_in("prepare", plan.unit) else None,
        deadline=deadline, explain=tracking.explain,
        labels=versions.PLAN_ITEM_LABELS, spec_text=versions.spec_text,
    )


@bp.route("/plans/v/<int:version_id>/header", methods=["GET", "POST"])
@permission_required(f"{PLUGIN}.prepare")
def plan_header(version_id: int):
    """Change the execution period of a draft version."""
    version = _editable(version_id)
    form = PlanHeaderForm(obj=version)
    if form.validate_on_submit():
        version.starts_on, version.ends_on = form.starts_on.data, form.ends_on.data
        audit(f"{PLUGIN}.plan_edited", subject=version.plan, unit=version.plan.unit,
              summary=f"v{version.number}: {version.starts_on} – {version.ends_on}")
        db.session.commit()
        flash(gettext("Saved."), "success")
        return redirect(url_for(f"{PLUGIN}.plan_version", version_id=version.id))
    return render_template("property_reports/plan_header.html", form=form, version=version)


@bp.route("/plans/v/<int:version_id>/items/new", methods=["GET", "POST"])
@bp.route("/plans/v/<int:version_id>/items/<int:item_id>", methods=["GET", "POST"])
@permission_required(f"{PLUGIN}.prepare")
def plan_item(version_id: int, item_id: int | None = None):
    """Add or change a piece of planned work, with every field line 59 asks for."""
    version = _editable(version_id)
    item = None
    if item_id is not None:
        item = next((i for i in version.items if i.id == item_id), None)
        if item is None:
            abort(404)
    form = PlanItemForm(obj=item) if item is not None else PlanItemForm()
    form.spec.choices = spec_choices(version.plan.unit)
    if request.method == "GET" and item is not None:
        form.spec.data = item.spec_id or 0
    if form.validate_on_submit():
        spec = db.session.get(Spec, form.spec.data) if form.spec.data else None
        if form.spec.data and spec is None:
            abort(404)
        if item is None:
            item = PlanItem(item_key=versions.new_key(), position=len(version.items) + 1)
            version.items.append(item)
        for name in ("content", "standard", "place", "schedule", "people", "staff", "machines",
                     "materials", "records", "inspection_method", "inspector", "inputs",
                     "outputs", "spec_note"):
            setattr(item, name, (getattr(form, name).data or "").strip())
        if spec is None or item.spec_id != spec.id:
            item.spec_number = spec.current_number if spec else None
        item.spec_id = spec.id if spec else None
        audit(f"{PLUGIN}.plan_edited", subject=version.plan, unit=version.plan.unit,
              summary=f"v{version.number}: {item.content[:180]}")
        db.session.commit()
        flash(gettext("Saved."), "success")
        return redirect(url_for(f"{PLUGIN}.plan_version", version_id=version.id))
    return render_template("property_reports/plan_item.html", form=form, version=version,
                           item=item)


@bp.route("/plans/v/<int:version_id>/items/<int:item_id>/delete", methods=["POST"])
@permission_required(f"{PLUGIN}.prepare")
def delete_plan_item(version_id: int, item_id: int):
    """Remove a piece of work from a draft version."""
    version = _editable(version_id)
    item = next((i for i in version.items if i.id == item_id), None)
    if item is None:
        abort(404)
    version.items.remove(item)
    for position, other in enumerate(version.items, start=1):
        other.position = position
    audit(f"{PLUGIN}.plan_edited", subject=version.plan, unit=version.plan.unit,
          summary=f"v{version.number} removed: {item.content[:170]}")
    db.session.commit()
    flash(gettext("Removed."), "success")
    return redirect(url_for(f"{PLUGIN}.plan_version", version_id=version.id))


@bp.route("/plans/v/<int:version_id>/submit", methods=["POST"])
@permission_required(f"{PLUGIN}.prepare")
def submit_plan(version_id: int):
    """Send the version to its approver (again, after it was returned)."""
    version = _editable(version_id)
    form = SubmitPlanForm()
    if not form.validate_on_submit():
        flash(gettext("The plan was not submitted: the form expired. Try again."), "danger")
        return redirect(url_for(f"{PLUGIN}.plan_version", version_id=version.id))
    try:
        approvals.submit_plan(version, current_user, (form.comment.data or "").strip())
    except (WorkflowError, planning.PlanError) as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for(f"{PLUGIN}.plan_version", version_id=version_id))
    audit(f"{PLUGIN}.plan_submitted", subject=version.plan, unit=version.plan.unit,
          summary=f"{version.plan.unit.name} v{version.number}")
    db.session.commit()
    flash(gettext("Submitted for approval."), "success")
    return redirect(url_for(f"{PLUGIN}.plan_version", version_id=version.id))


@bp.route("/plans/<int:plan_id>/revise", methods=["POST"])
@permission_required(f"{PLUGIN}.prepare")
def revise_plan(plan_id: int):
    """Propose a revision: a new version copied from the approved one (line 79)."""
    plan = _visible_plan(plan_id)
    form = ReviseForm()
    if not form.validate_on_submit():
        flash(gettext("Say why the plan must change; the approver reads it as the background."),
              "danger")
        return redirect(url_for(f"{PLUGIN}.plan_version", version_id=plan.latest.id))
    try:
        version = planning.propose_revision(plan, current_user, form.reason.data)
    except planning.PlanError as exc:
        flash(str(exc), "danger")
        return redirect(url_for(f"{PLUGIN}.plan_version", version_id=plan.latest.id))
    db.session.commit()
    flash(gettext("Version %(n)d is a draft: change what must change, then submit it.",
                  n=version.number), "success")
    return redirect(url_for(f"{PLUGIN}.plan_version", version_id=version.id))


@bp.route("/plans/<int:plan_id>/diff")
@permission_required(f"{PLUGIN}.view")
def plan_diff(plan_id: int):
    """What changed between two versions of a plan."""
    plan = _visible_plan(plan_id)
    numbers = {v.number: v for v in plan.versions}
    old = numbers.get(arg_int("a"))
    new = numbers.get(arg_int("b"))
    if old is None or new is None:
        abort(404)
    if old.number > new.number:
        old, new = new, old
    return render_template(
        "property_reports/diff.html", old_label=f"v{old.number}", new_label=f"v{new.number}",
        changes=versions.compare_plan_versions(old, new),
        title=gettext("Plan of %(unit)s for %(month)s", unit=plan.unit.name,
                      month=f"{plan.year}-{plan.month:02d}"),
        back=url_for(f"{PLUGIN}.plan_version", version_id=new.id), reason=new.revision_reason,
    )
