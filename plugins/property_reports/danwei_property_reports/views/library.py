"""Work specifications (工作规范) and the routine-work catalogues (例行工作)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from core.api import (
    RequestState,
    Unit,
    WorkflowError,
    arg_int,
    audit,
    db,
    paginate,
    permission_required,
    unit_ids_where,
    workflow_for,
    workflow_panel,
)

from .. import approvals, planning, versions
from ..catalogue import DEPARTMENT_KINDS
from ..forms import (
    CatalogueSubmitForm,
    RoutineItemForm,
    SpecForm,
    SpecRevisionForm,
    SubmitPlanForm,
    choices,
)
from ..i18n import gettext
from ..models import (
    APPROVED,
    CADENCES,
    EDITABLE,
    Catalogue,
    RoutineItem,
    Spec,
    SpecRevision,
    Summary,
    SummaryItem,
)
from . import (
    PLUGIN,
    bp,
    default_unit_id,
    get_or_404,
    may_in,
    scoped_units,
    unit_choices,
)

# -- specifications --------------------------------------------------------------------------


def spec_choices(unit: Unit):
    """``(id, label)`` of the specifications a plan of *unit* may cite: its department's."""
    from ..tracking import department_of

    dept = department_of(unit) or unit
    specs = db.session.scalars(select(Spec).where(Spec.unit_id == dept.id).order_by(Spec.code))
    return choices([(0, "—")] + [(s.id, f"{s.code} {s.title} " + gettext("(rev. %(n)s)", n=s.current_number))
                                 for s in specs])


def needed_specs():
    """Summary lines whose shortfall traced back to an unclear specification, not yet answered
    by a new specification or revision (line 212)."""
    answered = select(SpecRevision.source_item_id).where(SpecRevision.source_item_id.isnot(None))
    return (
        select(SummaryItem)
        .join(Summary, Summary.id == SummaryItem.summary_id)
        .where(SummaryItem.unclear_spec.is_(True), SummaryItem.id.not_in(answered),
               Summary.unit_id.in_(unit_ids_where(f"{PLUGIN}.view")))
        .order_by(Summary.period.desc(), SummaryItem.id)
    )


@bp.route("/specs")
@permission_required(f"{PLUGIN}.view")
def specs():
    """The library of specifications, filtered by department and words."""
    units = scoped_units("view")
    query = select(Spec).where(Spec.unit_id.in_(unit_ids_where(f"{PLUGIN}.view")))
    unit_id = arg_int("unit")
    if unit_id:
        query = query.where(Spec.unit_id == unit_id)
    words = (request.args.get("q") or "").strip()[:100]  # SQLite refuses huge LIKE patterns
    if words:
        like = f"%{words}%"
        query = query.where(or_(Spec.code.ilike(like), Spec.title.ilike(like)))
    page = paginate(query.order_by(Spec.unit_id, Spec.code))
    needed = db.session.scalars(needed_specs().limit(20)).all()
    return render_template("property_reports/specs.html", page=page, units=units,
                           unit_id=unit_id, words=words, needed=needed,
                           can_write=bool(scoped_units("prepare")))


@bp.route("/specs/new", methods=["GET", "POST"])
@permission_required(f"{PLUGIN}.prepare")
def new_spec():
    """Write a new specification; from a flagged summary line when one asks for it."""
    units = scoped_units("prepare")
    form = SpecForm()
    form.unit.choices = unit_choices(units)
    source = None
    source_id = arg_int("source")
    if source_id:
        source = db.session.get(SummaryItem, source_id)
        if source is None or not may_in("prepare", source.summary.unit):
            abort(404)
    if request.method == "GET":
        form.unit.data = source.summary.unit_id if source else default_unit_id(units)
        if source is not None:
            form.trigger.data = "nonconformity"
            form.title.data = source.content[:200]
            form.reason.data = source.explanation
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data)
        if unit is None or not may_in("prepare", unit):
            abort(404)
        if db.session.scalar(select(Spec.id).where(Spec.unit_id == unit.id,
                                                   Spec.code == form.code.data.strip())):
            form.code.errors.append(gettext("This department already has a specification "
                                            "with this code."))
        else:
            spec = Spec(unit=unit, code=form.code.data.strip(), title=form.title.data.strip())
            spec.revisions.append(SpecRevision(
                number=1, work_standard=form.work_standard.data, delivery=form.delivery.data,
                inspection=form.inspection.data, trigger=form.trigger.data,
                reason=form.reason.data or "", author_id=current_user.id,
                source_item_id=source.id if source else None,
            ))
            db.session.add(spec)
            audit(f"{PLUGIN}.spec_written", subject=spec, unit=unit, summary=spec.label())
            db.session.commit()
            flash(gettext("Specification %(code)s saved.", code=spec.code), "success")
            return redirect(url_for(f"{PLUGIN}.spec", spec_id=spec.id))
    return render_template("property_reports/spec_form.html", form=form, spec=None,
                           source=source)


def _visible_spec(spec_id: int) -> Spec:
    spec = get_or_404(Spec, spec_id)
    if not may_in("view", spec.unit):
        abort(404)
    return spec


@bp.route("/specs/<int:spec_id>")
@permission_required(f"{PLUGIN}.view")
def spec(spec_id: int):
    """A specification in force, and every earlier revision."""
    spec = _visible_spec(spec_id)
    number = arg_int("rev", spec.current_number)
    shown = next((r for r in spec.revisions if r.number == number), None)
    if shown is None:
        abort(404)
    instance = workflow_for(shown, approvals.SPEC_FLOW)
    can_file = (may_in("prepare", spec.unit) and shown.number == spec.current_number
                and shown.filed_at is None
                and (instance is None or instance.state in (
                    RequestState.RETURNED, RequestState.REJECTED, RequestState.WITHDRAWN)))
    return render_template("property_reports/spec.html", spec=spec, shown=shown,
                           can_revise=may_in("prepare", spec.unit),
                           file_form=SubmitPlanForm() if can_file else None,
                           panel=workflow_panel(instance))


@bp.route("/specs/<int:spec_id>/file", methods=["POST"])
@permission_required(f"{PLUGIN}.prepare")
def file_spec(spec_id: int):
    """Submit the revision in force to the company for approval and filing (line 49)."""
    spec = _visible_spec(spec_id)
    if not may_in("prepare", spec.unit):
        abort(404)
    form = SubmitPlanForm()
    revision = spec.current
    if form.validate_on_submit() and revision.filed_at is None:
        try:
            approvals.submit_spec(revision, current_user, (form.comment.data or "").strip())
        except WorkflowError as exc:
            flash(str(exc), "warning")
        else:
            db.session.commit()
            flash(gettext("The specification is submitted to the company for filing."),
                  "success")
    return redirect(url_for(f"{PLUGIN}.spec", spec_id=spec.id))


@bp.route("/specs/<int:spec_id>/revise", methods=["GET", "POST"])
@permission_required(f"{PLUGIN}.prepare")
def revise_spec(spec_id: int):
    """Write a new revision; the earlier ones stay as they were."""
    spec = _visible_spec(spec_id)
    if not may_in("prepare", spec.unit):
        abort(404)
    form = SpecRevisionForm()
    source_id = arg_int("source", args=request.values)
    source = db.session.get(SummaryItem, source_id) if source_id else None
    if source is not None and source.summary.unit_id != spec.unit_id \
            and not may_in("prepare", source.summary.unit):
        abort(404)
    if request.method == "GET":
        current = spec.current
        form.work_standard.data = current.work_standard
        form.delivery.data = current.delivery
        form.inspection.data = current.inspection
        if source is not None:
            form.trigger.data = "nonconformity"
            form.reason.data = source.explanation
    if form.validate_on_submit():
        number = spec.current_number + 1
        spec.revisions.append(SpecRevision(
            number=number, work_standard=form.work_standard.data, delivery=form.delivery.data,
            inspection=form.inspection.data, trigger=form.trigger.data, reason=form.reason.data,
            author_id=current_user.id, source_item_id=source.id if source else None,
        ))
        spec.current_number = number
        audit(f"{PLUGIN}.spec_revised", subject=spec, unit=spec.unit,
              summary=f"{spec.label()} rev. {number}", data={"reason": form.reason.data})
        db.session.commit()
        flash(gettext("Revision %(n)d of %(code)s saved.", n=number, code=spec.code), "success")
        return redirect(url_for(f"{PLUGIN}.spec", spec_id=spec.id))
    return render_template("property_reports/spec_form.html", form=form, spec=spec,
                           source=source)


# -- routine-work catalogues ---------------------------------------------------------------


@bp.route("/routine")
@permission_required(f"{PLUGIN}.view")
def catalogues():
    """Each department's routine-work catalogue: the version in force and the latest."""
    query = (select(Unit).where(Unit.kind.in_(DEPARTMENT_KINDS),
                                Unit.id.in_(unit_ids_where(f"{PLUGIN}.view")))
             .order_by(Unit.path))
    page = paginate(query)
    ids = [u.id for u in page.items]
    latest_numbers = dict(db.session.execute(
        select(Catalogue.unit_id, func.max(Catalogue.number)).where(Catalogue.unit_id.in_(ids))
        .group_by(Catalogue.unit_id)).all())
    in_force_numbers = dict(db.session.execute(
        select(Catalogue.unit_id, func.max(Catalogue.number))
        .where(Catalogue.unit_id.in_(ids), Catalogue.status == APPROVED)
        .group_by(Catalogue.unit_id)).all())
    wanted = {(u, n) for u, n in latest_numbers.items()} | set(in_force_numbers.items())
    rows = db.session.scalars(select(Catalogue).where(Catalogue.unit_id.in_(ids))).all()
    found = {(c.unit_id, c.number): c for c in rows if (c.unit_id, c.number) in wanted}
    entries = [(u, found.get((u.id, in_force_numbers.get(u.id))),
                found.get((u.id, latest_numbers.get(u.id)))) for u in page.items]
    return render_template("property_reports/catalogues.html", page=page, entries=entries)


def _visible_catalogue(catalogue_id: int) -> Catalogue:
    catalogue = get_or_404(Catalogue, catalogue_id)
    if not may_in("view", catalogue.unit):
        abort(404)
    return catalogue


def _editable_catalogue(catalogue_id: int) -> Catalogue:
    catalogue = _visible_catalogue(catalogue_id)
    if not may_in("prepare", catalogue.unit):
        abort(404)
    if catalogue.status not in EDITABLE:
        flash(gettext("This version is no longer a draft; start a new version to change it."),
              "warning")
        abort(redirect(url_for(f"{PLUGIN}.catalogue", catalogue_id=catalogue.id)))
    return catalogue


@bp.route("/routine/<int:unit_id>/new", methods=["POST"])
@permission_required(f"{PLUGIN}.prepare")
def new_catalogue(unit_id: int):
    """Start the catalogue of a department, or its next version (copied from the latest)."""
    unit = get_or_404(Unit, unit_id)
    if unit.kind not in DEPARTMENT_KINDS or not may_in("prepare", unit):
        abort(404)
    latest = db.session.scalar(select(Catalogue).where(Catalogue.unit_id == unit.id)
                               .order_by(Catalogue.number.desc()).limit(1))
    if latest is not None and latest.status in (*EDITABLE, "submitted"):
        flash(gettext("Version %(n)d is still being worked on.", n=latest.number), "warning")
        return redirect(url_for(f"{PLUGIN}.catalogue", catalogue_id=latest.id))
    if latest is None:
        catalogue = Catalogue(unit=unit, number=1, author_id=current_user.id)
    else:
        catalogue = versions.copy_catalogue(latest, latest.number + 1,
                                            author_id=current_user.id)
    db.session.add(catalogue)
    audit(f"{PLUGIN}.catalogue_started", subject=catalogue, unit=unit,
          summary=f"{unit.name} v{catalogue.number}")
    db.session.commit()
    return redirect(url_for(f"{PLUGIN}.catalogue", catalogue_id=catalogue.id))


@bp.route("/routine/c/<int:catalogue_id>")
@permission_required(f"{PLUGIN}.view")
def catalogue(catalogue_id: int):
    """A version of a catalogue, by cadence, with its approval and its history."""
    catalogue = _visible_catalogue(catalogue_id)
    history = db.session.scalars(select(Catalogue).where(Catalogue.unit_id == catalogue.unit_id)
                                 .order_by(Catalogue.number)).all()
    by_cadence = {c: [i for i in catalogue.items if i.cadence == c] for c in CADENCES}
    can_edit = catalogue.status in EDITABLE and may_in("prepare", catalogue.unit)
    submit_form = CatalogueSubmitForm() if can_edit else None
    previous = next((c for c in reversed(history) if c.number < catalogue.number), None)
    return render_template(
        "property_reports/catalogue.html", catalogue=catalogue, history=history,
        by_cadence=by_cadence, can_edit=can_edit, submit_form=submit_form, previous=previous,
        panel=workflow_panel(workflow_for(catalogue, approvals.CATALOGUE_FLOW)),
        can_start=may_in("prepare", catalogue.unit),
    )


def _item_form(catalogue: Catalogue, item: RoutineItem | None = None) -> RoutineItemForm:
    form = RoutineItemForm(obj=item) if item is not None else RoutineItemForm()
    form.spec.choices = spec_choices(catalogue.unit)
    if request.method == "GET" and item is not None:
        form.spec.data = item.spec_id or 0
    return form


@bp.route("/routine/c/<int:catalogue_id>/items/new", methods=["GET", "POST"])
@bp.route("/routine/c/<int:catalogue_id>/items/<int:item_id>", methods=["GET", "POST"])
@permission_required(f"{PLUGIN}.prepare")
def routine_item(catalogue_id: int, item_id: int | None = None):
    """Add or change a routine task of a draft catalogue."""
    catalogue = _editable_catalogue(catalogue_id)
    item = None
    if item_id is not None:
        item = next((i for i in catalogue.items if i.id == item_id), None)
        if item is None:
            abort(404)
    form = _item_form(catalogue, item)
    if form.validate_on_submit():
        if item is None:
            item = RoutineItem(item_key=versions.new_key(),
                               position=len(catalogue.items) + 1)
            catalogue.items.append(item)
        item.cadence = form.cadence.data
        item.cadence_order = CADENCES.index(form.cadence.data)
        item.content = form.content.data.strip()
        item.standard = form.standard.data or ""
        item.responsible = form.responsible.data or ""
        item.spec_id = form.spec.data or None
        audit(f"{PLUGIN}.catalogue_edited", subject=catalogue, unit=catalogue.unit,
              summary=item.content[:200])
        db.session.commit()
        flash(gettext("Saved."), "success")
        return redirect(url_for(f"{PLUGIN}.catalogue", catalogue_id=catalogue.id))
    return render_template("property_reports/routine_item.html", form=form, catalogue=catalogue,
                           item=item)


@bp.route("/routine/c/<int:catalogue_id>/items/<int:item_id>/delete", methods=["POST"])
@permission_required(f"{PLUGIN}.prepare")
def delete_routine_item(catalogue_id: int, item_id: int):
    """Remove a routine task from a draft catalogue."""
    catalogue = _editable_catalogue(catalogue_id)
    item = next((i for i in catalogue.items if i.id == item_id), None)
    if item is None:
        abort(404)
    catalogue.items.remove(item)
    audit(f"{PLUGIN}.catalogue_edited", subject=catalogue, unit=catalogue.unit,
          summary=f"removed: {item.content[:180]}")
    db.session.commit()
    flash(gettext("Removed."), "success")
    return redirect(url_for(f"{PLUGIN}.catalogue", catalogue_id=catalogue.id))


@bp.route("/routine/c/<int:catalogue_id>/submit", methods=["POST"])
@permission_required(f"{PLUGIN}.prepare")
def submit_catalogue(catalogue_id: int):
    """Send the catalogue to the company for approval and filing."""
    catalogue = _editable_catalogue(catalogue_id)
    form = CatalogueSubmitForm()
    if catalogue.number > 1 and not (form.change_note.data or "").strip():
        form.validate()
        form.change_note.errors = [*form.change_note.errors,
                                   gettext("Say what changed since the version in force.")]
    elif form.validate_on_submit():
        catalogue.effective_from = form.effective_from.data
        catalogue.change_note = form.change_note.data or ""
        try:
            approvals.submit_catalogue(catalogue, current_user, catalogue.change_note)
        except (WorkflowError, planning.PlanError) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for(f"{PLUGIN}.catalogue", catalogue_id=catalogue.id))
        audit(f"{PLUGIN}.catalogue_submitted", subject=catalogue, unit=catalogue.unit,
              summary=f"{catalogue.unit.name} v{catalogue.number}")
        db.session.commit()
        flash(gettext("Submitted to the company for approval."), "success")
        return redirect(url_for(f"{PLUGIN}.catalogue", catalogue_id=catalogue.id))
    history = db.session.scalars(select(Catalogue).where(Catalogue.unit_id == catalogue.unit_id)
                                 .order_by(Catalogue.number)).all()
    flash(gettext("The catalogue was not submitted: see the messages in the form."), "danger")
    return render_template(
        "property_reports/catalogue.html", catalogue=catalogue, history=history,
        by_cadence={c: [i for i in catalogue.items if i.cadence == c] for c in CADENCES},
        can_edit=True, submit_form=form,
        previous=next((c for c in reversed(history) if c.number < catalogue.number), None),
        panel=workflow_panel(workflow_for(catalogue, approvals.CATALOGUE_FLOW)),
        can_start=True,
    )


@bp.route("/routine/c/<int:catalogue_id>/diff")
@permission_required(f"{PLUGIN}.view")
def catalogue_diff(catalogue_id: int):
    """What changed between two versions of a catalogue."""
    new = _visible_catalogue(catalogue_id)
    other_id = arg_int("against")
    old = db.session.get(Catalogue, other_id) if other_id else None
    if old is None or old.unit_id != new.unit_id:
        abort(404)
    if old.number > new.number:
        old, new = new, old
    return render_template("property_reports/diff.html", old_label=f"v{old.number}",
                           new_label=f"v{new.number}",
                           changes=versions.compare_catalogues(old, new),
                           title=gettext("Routine work of %(unit)s", unit=new.unit.name),
                           back=url_for(f"{PLUGIN}.catalogue", catalogue_id=new.id),
                           reason=new.change_note)
