"""Member development files: one per person, every step dated, each step checked against the
clocks of 发展党员工作细则 (2014) before it is kept (:func:`rules.refuse_step`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.api import audit, can, db, local_today, paginate, permission_required

from .. import rules
from ..forms import NewFileForm, StepForm
from ..i18n import gettext as _
from ..models import FULL, PROBATIONARY, PartyDevFile, PartyDevStep, PartyMember
from . import bp, branch_or_404, branch_pages


def file_clocks(unit, files, today):
    """{file id: [Clock]} for files whose steps are loaded."""
    return {f.id: rules.clocks(unit, f.stage, rules.History(f.steps)) for f in files}


@bp.route("/branch/<int:unit_id>/development")
@permission_required("party_building.view")
def development(unit_id):
    """The development pipeline: files by stage, each with its next clocks."""
    unit = branch_or_404(unit_id)
    stage = request.args.get("stage", "")
    query = (select(PartyDevFile).where(PartyDevFile.unit_id == unit.id)
             .options(selectinload(PartyDevFile.steps))
             .order_by(PartyDevFile.created_at.desc(), PartyDevFile.id.desc()))
    if stage in rules.STAGES:
        query = query.where(PartyDevFile.stage == stage)
    page = paginate(query)
    by_stage = dict(db.session.execute(
        select(PartyDevFile.stage, func.count(PartyDevFile.id))
        .where(PartyDevFile.unit_id == unit.id).group_by(PartyDevFile.stage)).all())
    today = local_today()
    return render_template(
        "party_building/development.html", branch=unit, page=page, stage=stage,
        by_stage=by_stage, stages=rules.STAGES, labels=rules.STEP_LABELS,
        clocks=file_clocks(unit, page.items, today), today=today, pages=branch_pages(unit),
        may_develop=can("party_building.develop", unit))


@bp.route("/branch/<int:unit_id>/development/new", methods=["GET", "POST"])
@permission_required("party_building.develop")
def new_file(unit_id):
    """Open a file with its application."""
    unit = branch_or_404(unit_id, "party_building.develop")
    form = NewFileForm()
    if form.validate_on_submit():
        if form.applied_on.data > local_today():
            form.applied_on.errors = [_("A step cannot be dated in the future.")]
        else:
            file = PartyDevFile(unit_id=unit.id, name=form.name.data, stage=rules.APPLIED)
            db.session.add(file)
            db.session.flush()
            db.session.add(PartyDevStep(unit_id=unit.id, file_id=file.id, step=rules.APPLIED,
                                        on=form.applied_on.data, recorded_by=current_user.id))
            audit("party_building.file_opened", subject=file, unit=unit, summary=file.name)
            db.session.commit()
            flash(_("The development file was opened."), "success")
            return redirect(url_for("party_building.dev_file", file_id=file.id))
    return render_template("party_building/form.html", branch=unit, form=form,
                           title=_("New development file"), pages=branch_pages(unit))


@bp.route("/file/<int:file_id>", methods=["GET", "POST"])
@permission_required("party_building.view")
def dev_file(file_id):
    """A file: its dated steps, its clocks, and the form for the next step."""
    file = db.session.get(PartyDevFile, file_id) or abort(404)
    unit = branch_or_404(file.unit_id)
    history = rules.History(file.steps)
    form = StepForm()
    allowed = rules.NEXT.get(file.stage, ())
    form.step.choices = [c for c in form.step.choices if c.value in allowed]
    refusal = None
    if request.method == "POST":
        branch_or_404(file.unit_id, "party_building.develop")
        if not allowed:
            refusal = rules.Refusal(_("The file is closed: no step may follow."))
        elif form.validate_on_submit():
            refusal = record_step(unit, file, history, form)
            if refusal is None:
                db.session.commit()
                flash(_("%(step)s recorded.", step=rules.STEP_LABELS[form.step.data]),
                      "success")
                return redirect(url_for("party_building.dev_file", file_id=file.id))
            db.session.rollback()
    return render_template(
        "party_building/file.html", branch=unit, file=file, form=form, refusal=refusal,
        labels=rules.STEP_LABELS, clocks=rules.clocks(unit, file.stage, history),
        hours=history.hours(), probation_end=history.probation_end(unit),
        may_develop=can("party_building.develop", unit) and bool(allowed),
        pages=branch_pages(unit), today=local_today())


def record_step(unit, file, history, form) -> rules.Refusal | None:
    """Check the step against the rules; keep it (not committed) or say why not."""
    step, on = form.step.data, form.on.data
    if step == rules.ACTIVIST and not (form.contact_person.data or "").strip():
        return rules.Refusal(_("An activist has a named contact person (培养联系人) "
                               "(发展党员工作细则, article 11)."))
    refusal = rules.refuse_step(
        unit, file.stage, history, step, on, local_today(), hours=form.hours.data or 0,
        months=form.months.data or 0, entitled=form.entitled.data or 0,
        present=form.present.data or 0, in_favour=form.in_favour.data or 0)
    if refusal:
        return refusal
    db.session.add(PartyDevStep(
        unit_id=unit.id, file_id=file.id, step=step, on=on, hours=form.hours.data or 0,
        entitled=form.entitled.data or 0, present=form.present.data or 0,
        in_favour=form.in_favour.data or 0, months=form.months.data or 0,
        note=form.note.data or "", recorded_by=current_user.id))
    if step == rules.ACTIVIST:
        file.contact_person = form.contact_person.data.strip()
    if step not in rules.REPEATED:
        file.stage = step
    apply_to_member(unit, file, step, on, history)
    audit("party_building.step", subject=file, unit=unit, summary=file.name,
          data={"step": step, "on": on.isoformat()})
    return None


def apply_to_member(unit, file, step, on, history):
    """The member record follows the file: probationary once the committee approves, full at
    conversion (from the end of probation), gone at cancellation."""
    if step == rules.APPROVED:
        admitted = history.on(rules.ADMITTED)
        person = PartyMember(unit_id=unit.id, name=file.name, status=PROBATIONARY,
                             joined_on=admitted, political_birthday=admitted,
                             contact_person=file.contact_person)
        db.session.add(person)
        db.session.flush()
        file.member_id = person.id
    elif file.member_id and step == rules.CONVERTED:
        person = db.session.get(PartyMember, file.member_id)
        person.status, person.converted_on = FULL, history.probation_end(unit)
    elif file.member_id and step == rules.CANCELLED:
        db.session.get(PartyMember, file.member_id).left_on = on
