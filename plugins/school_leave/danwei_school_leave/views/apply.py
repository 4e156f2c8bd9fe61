"""Applying for leave, the lists of leave, a leave's page, its signatures and its extensions."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from core.api import (
    Unit,
    User,
    arg_int,
    attachments_of,
    can,
    db,
    local_now,
    login_required_only,
    paginate,
    permission_required,
    save_attachment,
    to_local,
    to_utc,
    unit_ids_where,
)

from .. import approval, leaves, people, rules, school
from ..forms import LEAVE_TYPE_LABELS, STATUS_LABELS, ApplyForm, ExtensionForm, choices
from ..i18n import lazy_gettext as _l
from ..models import APPROVED, PENDING, REJECTED, RETURNED_FOR_REVISION, Leave, ParentCall
from . import bp


def _leave_or_404(leave_id: int, *options) -> Leave:
    leave = db.session.get(Leave, leave_id, options=options)
    if leave is None or not (people.may_see(leave, current_user)
                             or approval.is_signer(leave, current_user)):
        abort(404)
    return leave


def state_of(leave: Leave) -> tuple[str, str]:
    """``(label, colour)`` of what a person would want to know first about a leave."""
    if leave.truancy:
        return str(_l("Truancy")), "danger"
    if leave.overdue_at and not leave.returned_at:
        return str(_l("Overdue, extension waiting")), "warning"
    if leave.returned_at:
        return str(_l("Back")), "secondary"
    if leave.exited_at:
        return str(_l("Out of school")), "info"
    colour = {APPROVED: "success", PENDING: "primary", REJECTED: "danger"}
    if leave.status == APPROVED and not leave.leaving_campus:
        # Asked of the rules' first question, so no list reads it as a pass for the gate.
        return str(_l("Approved, on campus")), "success"
    return str(STATUS_LABELS.get(leave.status, leave.status)), colour.get(leave.status, "light")


# -- applying -------------------------------------------------------------------------------------


def _proxy_choices(unit: Unit) -> list[tuple[int, str]]:
    return [(s.id, s.name) for s in people.students_of(unit)]


@bp.route("/apply", methods=["GET", "POST"])
@permission_required("school_leave.apply")
def apply():
    """Apply for leave; "check" shows the chain and the refusals without filing anything."""
    unit = current_user.unit
    if unit is None or not can("school_leave.apply", unit):
        abort(404)
    may_proxy = can("school_leave.apply_for_others", unit)
    form = ApplyForm()
    if may_proxy:
        form.student.choices = choices(_proxy_choices(unit))
    else:
        del form.student
    if request.method == "GET":
        now = local_now()
        form.start.data = datetime.combine(now.date() + timedelta(days=1), time(8))
        form.end.data = datetime.combine(now.date() + timedelta(days=1), time(9, 40))
        if may_proxy:
            form.student.data = current_user.id
    found = None
    if form.validate_on_submit():
        student = current_user._get_current_object()
        if may_proxy and form.student.data and form.student.data != current_user.id:
            student = db.session.get(User, form.student.data)
            if student is None or student.unit_id != unit.id:
                abort(404)
        proxy = student.id != current_user.id
        start, end = to_utc(form.start.data), to_utc(form.end.data)
        found = _preview(form, student, unit, start, end)
        if found is None:
            pass  # longer than the school allows: the reason is on the form
        elif proxy and not (form.proxy_reason.data or "").strip():
            form.proxy_reason.errors.append(
                _l("Say why the student cannot apply in person: only special cases may be "
                   "filed by someone else."))
        elif form.submit.data and not found.allowed:
            flash(_l("This leave cannot be filed yet; see why below."), "danger")
        elif form.submit.data:
            try:
                leave = leaves.file(
                    applicant=current_user._get_current_object(), student=student, unit=unit,
                    leave_type=form.leave_type.data, start=start, end=end,
                    reason=form.reason.data.strip(), leaving_campus=form.leaving_campus.data,
                    proxy_reason=(form.proxy_reason.data or "").strip() if proxy else "",
                    found=found,
                )
            except leaves.Overlap as refused:  # filed a moment ago by another request
                db.session.rollback()
                return _refused(form, found, refused, may_proxy=may_proxy, unit=unit)
            for upload in form.notes.uploads():
                save_attachment(upload, "school_leave.note", leave, unit)
            db.session.commit()
            flash(_l("Your leave was filed. It now waits for: %(who)s.",
                     who=approval.waiting_label(leave)), "success")
            return redirect(url_for("school_leave.detail", leave_id=leave.id))
    return render_template("school_leave/apply.html", form=form, found=found,
                           may_proxy=may_proxy, unit=unit, timetable=school.timetable(unit))


def _preview(form: ApplyForm, student: User, unit: Unit, start, end,
             **kw) -> leaves.Preview | None:
    """What the rules say about the form's leave; None, with the reason on the form, when it
    is longer than the school allows (nothing is computed on such a range)."""
    try:
        return leaves.preview(student, unit, form.leave_type.data, start, end,
                              form.leaving_campus.data, **kw)
    except rules.TooLong as too_long:
        form.end.errors.append(too_long.message)
        return None


def _refused(form, found, refused: leaves.Overlap, **page):
    """The form again, with the overlap found under the student's lock."""
    found.refusals.append(refused.refusal)
    flash(_l("This leave cannot be filed yet; see why below."), "danger")
    return render_template("school_leave/apply.html", form=form, found=found,
                           timetable=school.timetable(page["unit"]), **page)


# -- lists ----------------------------------------------------------------------------------------


def _filtered(query, args):
    """Apply the list filters of the query string to *query*, loading what a list shows with
    the rows themselves (one query however many students the page holds)."""
    query = query.options(joinedload(Leave.student), joinedload(Leave.unit))
    status = args.get("status", "")
    if status == "overdue":
        query = query.where(Leave.overdue_at.is_not(None), Leave.returned_at.is_(None))
    elif status == "truancy":
        query = query.where(Leave.truancy.is_(True))
    elif status == "out":
        query = query.where(Leave.exited_at.is_not(None), Leave.returned_at.is_(None))
    elif status in STATUS_LABELS:
        query = query.where(Leave.status == status)
    if args.get("type") in LEAVE_TYPE_LABELS:
        query = query.where(Leave.leave_type == args["type"])
    if arg_int("unit", args=args):
        query = query.where(Leave.unit_id == arg_int("unit", args=args))
    q = (args.get("q") or "").strip()[:100]  # SQLite refuses huge LIKE patterns
    if q:
        query = query.where(Leave.student.has(or_(User.name.contains(q),
                                                  User.username.contains(q))))
    for key, op in (("from", "ge"), ("until", "le")):
        raw = args.get(key)
        if raw:
            try:
                day = datetime.fromisoformat(raw)
                edge = to_utc(day if op == "ge" else day + timedelta(days=1))
            except (ValueError, OverflowError):  # 0001-01-01, 9999-12-31: no bound at all
                continue
            query = query.where(Leave.end_at >= edge if op == "ge" else Leave.start_at < edge)
    return query


@bp.route("/")
@permission_required("school_leave.view")
def index():
    """The leave of the units one may see, newest first, filtered."""
    query = select(Leave).where(Leave.unit_id.in_(unit_ids_where("school_leave.view")))
    if request.args.get("waiting") == "me":
        query = query.where(Leave.id.in_(approval.waiting_ids(current_user)))
    page = paginate(_filtered(query, request.args).order_by(Leave.start_at.desc(),
                                                               Leave.id.desc()))
    classes = db.session.scalars(
        select(Unit).where(Unit.id.in_(unit_ids_where("school_leave.view")),
                           Unit.kind == "class").order_by(Unit.path)
    ).all()
    return render_template("school_leave/index.html", page=page, classes=classes,
                           endpoint="school_leave.index")


@bp.route("/mine")
@permission_required("school_leave.apply")
def mine():
    """The leave one applied for, or filed for a classmate."""
    query = select(Leave).where(or_(Leave.student_id == current_user.id,
                                    Leave.applicant_id == current_user.id))
    page = paginate(_filtered(query, request.args).order_by(Leave.start_at.desc(),
                                                               Leave.id.desc()))
    return render_template("school_leave/mine.html", page=page, endpoint="school_leave.mine")


@bp.route("/to-sign")
@permission_required("school_leave.approve")
def to_sign():
    """The leave waiting for one's signature."""
    query = select(Leave).where(Leave.id.in_(approval.waiting_ids(current_user)))
    page = paginate(_filtered(query, request.args).order_by(Leave.start_at, Leave.id))
    return render_template("school_leave/to_sign.html", page=page,
                           endpoint="school_leave.to_sign")


# -- one leave ------------------------------------------------------------------------------------


@bp.route("/leave/<int:leave_id>")
@login_required_only
def detail(leave_id: int):
    """A leave: its facts, why its chain has these steps, the signatures and the calls."""
    leave = _leave_or_404(leave_id, joinedload(Leave.student), selectinload(Leave.extensions))
    private = people.may_see_private(leave.student, current_user)
    calls = db.session.scalars(select(ParentCall).where(ParentCall.leave_id == leave.id)
                               .order_by(ParentCall.called_at)).all() if private else []
    instance = approval.instance_of(leave, with_chain=True)  # once, with its chain
    return render_template(
        "school_leave/detail.html", leave=leave, instance=instance,
        reasons=approval.reasons(leave, instance), calls=calls, due_back=leaves.effective_end(leave.root),
        attachments=attachments_of(leave, "school_leave.note"), private=private,
        contacts=people.contacts_of(leave.student) if private else [],
        can_extend=_may_extend(leave),
        can_return=_may_record_return(leave), can_edit=_may_edit(leave),
        can_review=leaves.may_review(leave, current_user),
    )


def _may_edit(leave: Leave) -> bool:
    return leave.status == RETURNED_FOR_REVISION and current_user.id in (leave.student_id,
                                                                         leave.applicant_id)


@bp.route("/leave/<int:leave_id>/edit", methods=["GET", "POST"])
@permission_required("school_leave.apply")
def edit(leave_id: int):
    """Revise a leave that was returned, then submit it again (a new round of signatures)."""
    leave = _leave_or_404(leave_id)
    if not _may_edit(leave):
        abort(404)
    form = ApplyForm(obj=None)
    del form.student
    if request.method == "GET":
        form.leave_type.data, form.reason.data = leave.leave_type, leave.reason
        form.start.data, form.end.data = to_local(leave.start_at), to_local(leave.end_at)
        form.leaving_campus.data, form.proxy_reason.data = leave.leaving_campus, leave.proxy_reason
    found = None
    if form.validate_on_submit():
        start, end = to_utc(form.start.data), to_utc(form.end.data)
        found = _preview(form, leave.student, leave.unit, start, end,
                         extension=leave.is_extension, revising=leave)
        if found is None:
            pass  # longer than the school allows: the reason is on the form
        elif form.submit.data and not found.allowed:
            flash(_l("This leave cannot be filed yet; see why below."), "danger")
        elif form.submit.data:
            try:
                leaves.revise(leave, current_user._get_current_object(),
                              leave_type=form.leave_type.data, start=start, end=end,
                              reason=form.reason.data.strip(),
                              leaving_campus=form.leaving_campus.data, found=found)
            except leaves.Overlap as refused:
                db.session.rollback()
                return _refused(form, found, refused, may_proxy=False, unit=leave.unit,
                                leave=leave)
            for upload in form.notes.uploads():
                save_attachment(upload, "school_leave.note", leave, leave.unit)
            db.session.commit()
            flash(_l("The leave was submitted again."), "success")
            return redirect(url_for("school_leave.detail", leave_id=leave.id))
    return render_template("school_leave/apply.html", form=form, found=found, may_proxy=False,
                           unit=leave.unit, timetable=school.timetable(leave.unit), leave=leave)


# -- extensions and the return --------------------------------------------------------------------


def _may_extend(leave: Leave) -> bool:
    root = leave.root
    return (root.status == APPROVED and root.returned_at is None and not root.truancy
            and can("school_leave.file_extension", root.unit))


def _may_record_return(leave: Leave) -> bool:
    root = leave.root
    return (root.status == APPROVED and root.returned_at is None
            and can("school_leave.record_return", root.unit)
            and (root.exited_at is not None or not root.leaving_campus))


@bp.route("/leave/<int:leave_id>/extend", methods=["GET", "POST"])
@permission_required("school_leave.file_extension")
def extend(leave_id: int):
    """The monitor files an extension after the parent explained; it follows its own chain."""
    leave = _leave_or_404(leave_id)
    if not _may_extend(leave):
        abort(404)
    root = leave.root
    start = leaves.effective_end(root)
    form = ExtensionForm()
    if request.method == "GET":
        form.end.data = to_local(start) + timedelta(days=1)
    found = None
    if form.validate_on_submit():
        end = to_utc(form.end.data)
        if end <= start:
            form.end.errors.append(_l("The extension must end after %(at)s.",
                                      at=f"{to_local(start):%Y-%m-%d %H:%M}"))
        else:
            last = root
            while any(e.status == APPROVED for e in last.extensions):
                last = [e for e in last.extensions if e.status == APPROVED][-1]
            try:
                found = leaves.preview(root.student, root.unit, root.leave_type, start, end,
                                       root.leaving_campus, extension=True)
                ext = leaves.file(
                    applicant=current_user._get_current_object(), student=root.student,
                    unit=root.unit, leave_type=root.leave_type, start=start, end=end,
                    reason=form.explanation.data.strip(), leaving_campus=root.leaving_campus,
                    proxy_reason=str(_l("Extension filed by the monitor after the parent "
                                        "explained.")),
                    extends=last, found=found,
                )
            except rules.TooLong as too_long:
                form.end.errors.append(too_long.message)
            except ValueError as refused:  # it overlaps another leave of the student
                db.session.rollback()
                form.end.errors.append(str(refused))
            else:
                db.session.commit()
                flash(_l("The extension was filed; it needs its own signatures."), "success")
                return redirect(url_for("school_leave.detail", leave_id=ext.id))
    return render_template("school_leave/extend.html", leave=root, form=form, start=start)


@bp.route("/leave/<int:leave_id>/return", methods=["POST"])
@permission_required("school_leave.record_return")
def record_return(leave_id: int):
    """The class teacher (or the guard) records that the student is back."""
    leave = _leave_or_404(leave_id)
    if not _may_record_return(leave):
        abort(404)
    leaves.record_return(leave, current_user._get_current_object())
    db.session.commit()
    flash(_l("The return was recorded."), "success")
    return redirect(url_for("school_leave.detail", leave_id=leave.id))


@bp.route("/leave/<int:leave_id>/review", methods=["POST"])
@permission_required("school_leave.approve")
def review(leave_id: int):
    """The class teacher records the review of a morning-exercise slip (line 35)."""
    leave = _leave_or_404(leave_id)
    if not leaves.may_review(leave, current_user):
        abort(404)
    leaves.record_review(leave, current_user._get_current_object())
    db.session.commit()
    flash(_l("The review was recorded."), "success")
    return redirect(url_for("school_leave.detail", leave_id=leave.id))
