"""Parents' numbers, and the class teacher's record of phone calls with parents.

Parents are not users (篇一 has them phone the class teacher): a parent is a contact of a
student, and a call is noted by the class teacher — in advance, for leaving campus (line 33)
or evening self-study (line 31); when signing, for every leave of more than two periods
(line 13).
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from core.api import (
    Unit,
    User,
    arg_int,
    audit,
    can,
    db,
    local_now,
    paginate,
    permission_required,
    require,
    to_utc,
    unit_ids_where,
)

from .. import forms, people, school
from ..forms import ContactForm, ParentCallForm
from ..i18n import lazy_gettext as _l
from ..models import INCOMING, Contact, Leave, ParentCall
from . import bp
from .discipline import records_of


def _student_or_404(student_id: int, permission: str) -> User:
    student = db.session.get(User, student_id)
    if student is None or student.unit is None:
        abort(404)
    require(permission, student.unit)
    return student


@bp.route("/students")
@permission_required("school_leave.view_class")
def students():
    """The students of the classes one may see; with how many parents' numbers and leaves
    they have for the staff of the class (``school_leave.view``), not for the cadres."""
    classes = select(Unit.id).where(Unit.id.in_(unit_ids_where("school_leave.view_class")),
                                    Unit.kind == "class")
    query = select(User).where(User.unit_id.in_(classes), User.active.is_(True))
    if arg_int("unit"):
        query = query.where(User.unit_id == arg_int("unit"))
    q = (request.args.get("q") or "").strip()[:100]  # SQLite refuses huge LIKE patterns
    if q:
        query = query.where(User.name.contains(q) | User.username.contains(q))
    page = paginate(query.order_by(User.unit_id, User.name))
    private = set(db.session.scalars(select(Unit.id).where(
        Unit.id.in_(unit_ids_where("school_leave.view")),
        Unit.id.in_({u.unit_id for u in page.items}))))
    ids = [u.id for u in page.items if u.unit_id in private]
    contacts = {sid: n for sid, n in db.session.execute(
        select(Contact.student_id, func.count()).where(Contact.student_id.in_(ids))
        .group_by(Contact.student_id))} if ids else {}
    leave_counts = {sid: n for sid, n in db.session.execute(
        select(Leave.student_id, func.count()).where(Leave.student_id.in_(ids),
                                                     Leave.extends_id.is_(None))
        .group_by(Leave.student_id))} if ids else {}
    units = db.session.scalars(select(Unit).where(Unit.id.in_(classes)).order_by(Unit.path))
    return render_template("school_leave/students.html", page=page, contacts=contacts,
                           leave_counts=leave_counts, classes=units.all(), private=private,
                           endpoint="school_leave.students")


@bp.route("/students/<int:student_id>", methods=["GET", "POST"])
@permission_required("school_leave.view_class")
def student(student_id: int):
    """One student: who they are and their leave today; for the staff of the class, their
    parents' numbers, the calls with them and their leave history too."""
    student = _student_or_404(student_id, "school_leave.view_class")
    private = people.may_see_private(student, current_user)
    form = ContactForm(prefix="contact")
    if form.submit.data and form.validate_on_submit():
        require("school_leave.manage_contacts", student.unit)
        contact = Contact(student_id=student.id, unit_id=student.unit_id,
                          name=form.name.data.strip(), relation=form.relation.data.strip(),
                          phone=form.phone.data.strip())
        db.session.add(contact)
        audit("school_leave.contact_added", subject=contact, unit=student.unit,
              summary=f"{student.username}: {contact.relation} {contact.name}")
        db.session.commit()
        flash(_l("The contact was added."), "success")
        return redirect(url_for("school_leave.student", student_id=student.id))
    calls = db.session.scalars(select(ParentCall).where(ParentCall.student_id == student.id)
                               .order_by(ParentCall.called_at.desc()).limit(50)).all() \
        if private else []
    history = db.session.scalars(select(Leave).where(Leave.student_id == student.id)
                                 .order_by(Leave.start_at.desc()).limit(50)).all() \
        if private else []
    return render_template(
        "school_leave/student.html", student=student, form=form, private=private,
        contacts=people.contacts_of(student) if private else [], calls=calls, history=history,
        today=people.leave_today(student),
        may_edit=can("school_leave.manage_contacts", student.unit),
        may_call=can("school_leave.record_call", student.unit),
        may_file_for=can("school_leave.file_for_student", student.unit),
        may_emergency=can("school_leave.emergency", student.unit),
        may_discipline=can("school_leave.discipline", student.unit),
        discipline=records_of(student) if private else [],
    ), 200 if not form.errors else 422


@bp.route("/students/<int:student_id>/contacts/<int:contact_id>/delete", methods=["POST"])
@permission_required("school_leave.manage_contacts")
def delete_contact(student_id: int, contact_id: int):
    """Remove a parent's number that is no longer right."""
    student = _student_or_404(student_id, "school_leave.manage_contacts")
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.student_id != student.id:
        abort(404)
    audit("school_leave.contact_removed", subject=contact, unit=student.unit,
          summary=f"{student.username}: {contact.relation} {contact.name}",
          data={"phone": contact.phone})
    db.session.delete(contact)
    db.session.commit()
    flash(_l("The contact was removed."), "info")
    return redirect(url_for("school_leave.student", student_id=student.id))


@bp.route("/calls/new", methods=["GET", "POST"])
@permission_required("school_leave.record_call")
def new_call():
    """The class teacher notes a parent's call, made before the student applies.

    That call is what lets a student leave campus (at least half a day in advance, line 33) or
    ask for leave in evening self-study (line 31).
    """
    classes = select(Unit.id).where(Unit.id.in_(unit_ids_where("school_leave.record_call")))
    options = [(u.id, f"{u.name} · {u.unit.name if u.unit else ''}") for u in db.session.scalars(
        select(User).where(User.unit_id.in_(classes), User.active.is_(True))
        .order_by(User.unit_id, User.name))
        if can("school_leave.apply", u.unit, u)]
    form = ParentCallForm()
    form.student.choices = forms.choices(options)
    if request.method == "GET":
        form.student.data = arg_int("student")
        form.called_at.data = local_now().replace(second=0, microsecond=0)
        student = db.session.get(User, form.student.data) if form.student.data else None
        if student is not None:
            contacts = people.contacts_of(student)
            if contacts:
                form.phone.data = contacts[0].phone
                form.answered_by.data = f"{contacts[0].relation} {contacts[0].name}"
    if form.validate_on_submit():
        student = _student_or_404(form.student.data or 0, "school_leave.record_call")
        called_at = to_utc(form.called_at.data)
        grace = int(school.setting("call_record_grace_minutes", student.unit))
        if called_at > to_utc(local_now()):
            form.called_at.errors.append(_l("A call is recorded after it happened."))
        elif called_at < to_utc(local_now()) - timedelta(minutes=grace + 1):
            form.called_at.errors.append(_l(
                "A call is recorded when it happens: at most %(n)d minutes later. An earlier "
                "time cannot be typed; in an emergency the student affairs office may file "
                "the leave past the rule.", n=grace))
        else:
            call = ParentCall(student_id=student.id, unit_id=student.unit_id,
                              direction=INCOMING, called_at=called_at,
                              phone=form.phone.data.strip(),
                              answered_by=form.answered_by.data.strip(),
                              note=(form.note.data or "").strip(),
                              recorded_by_id=current_user.id)
            db.session.add(call)
            audit("school_leave.call_recorded", subject=call, unit=student.unit,
                  summary=f"{student.username}: {call.answered_by} {call.phone}",
                  data={"direction": INCOMING})
            db.session.commit()
            flash(_l("The call was recorded; %(name)s can now apply.", name=student.name),
                  "success")
            return redirect(url_for("school_leave.student", student_id=student.id))
    return render_template("school_leave/call.html", form=form), 200 if not form.errors else 422
