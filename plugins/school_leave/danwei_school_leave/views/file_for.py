"""Leave filed for a student by the staff: the class teacher for a student of the class
(boarders often have no phone during the week), and the student-affairs office's emergency
override of the rules on asking in advance (lines 29, 31).

The student still applies in person as a rule (line 25); the monitor's proxy stays on the
apply page. Here the slip records who filed it and in which capacity, and an emergency records
why, on the slip, in the reports and in the audit log.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.api import (
    User,
    can,
    db,
    local_now,
    permission_required,
    save_attachment,
    to_utc,
)

from .. import approval, leaves, school
from ..forms import FileForStudentForm
from ..i18n import lazy_gettext as _l
from . import bp
from .apply import _preview, _refused


def _student(student_id: int) -> User:
    student = db.session.get(User, student_id)
    if student is None or student.unit is None or not can("school_leave.apply",
                                                          student.unit, student):
        abort(404)
    return student


@bp.route("/students/<int:student_id>/apply", methods=["GET", "POST"])
@permission_required("school_leave.file_for_student")
def file_for(student_id: int):
    """The class teacher files leave for a student of the class."""
    return _file_for(_student(student_id), emergency_allowed=False)


@bp.route("/students/<int:student_id>/emergency", methods=["GET", "POST"])
@permission_required("school_leave.emergency")
def emergency(student_id: int):
    """The student-affairs office files an emergency leave, past the advance-notice rules."""
    return _file_for(_student(student_id), emergency_allowed=True)


def _file_for(student: User, *, emergency_allowed: bool):
    unit = student.unit
    permission = "school_leave.emergency" if emergency_allowed else "school_leave.file_for_student"
    if not can(permission, unit):
        abort(404)
    form = FileForStudentForm()
    del form.student
    if not emergency_allowed:
        del form.emergency, form.emergency_reason
    if request.method == "GET":
        now = local_now().replace(second=0, microsecond=0)
        if emergency_allowed:
            form.emergency.data = True
            form.start.data, form.end.data = now, now + timedelta(hours=4)
        else:
            form.start.data = datetime.combine(now.date() + timedelta(days=1), time(8))
            form.end.data = datetime.combine(now.date() + timedelta(days=1), time(9, 40))
    found = None
    emergency_reason = ""
    if form.validate_on_submit():
        if emergency_allowed and form.emergency.data:
            emergency_reason = form.emergency_reason.data.strip()
        start, end = to_utc(form.start.data), to_utc(form.end.data)
        found = _preview(form, student, unit, start, end, emergency=bool(emergency_reason))
        if found is None:
            pass  # longer than the school allows: the reason is on the form
        elif form.submit.data and not found.allowed:
            flash(_l("This leave cannot be filed yet; see why below."), "danger")
        elif form.submit.data:
            try:
                leave = leaves.file(
                    applicant=current_user._get_current_object(), student=student, unit=unit,
                    leave_type=form.leave_type.data, start=start, end=end,
                    reason=form.reason.data.strip(), leaving_campus=form.leaving_campus.data,
                    proxy_reason=(form.proxy_reason.data or "").strip(),
                    found=found, emergency_reason=emergency_reason,
                    filed_as="student_affairs" if emergency_allowed else "class_teacher",
                )
            except leaves.Overlap as refused:
                db.session.rollback()
                return _refused(form, found, refused, may_proxy=False, unit=unit,
                                for_student=student, emergency_allowed=emergency_allowed)
            for upload in form.notes.uploads():
                save_attachment(upload, "school_leave.note", leave, unit)
            db.session.commit()
            flash(_l("The leave of %(name)s was filed. It now waits for: %(who)s.",
                     name=student.name, who=approval.waiting_label(leave)), "success")
            return redirect(url_for("school_leave.detail", leave_id=leave.id))
    return render_template("school_leave/apply.html", form=form, found=found, may_proxy=False,
                           unit=unit, timetable=school.timetable(unit), for_student=student,
                           emergency_allowed=emergency_allowed), 200 if not form.errors else 422
