"""Who is who in a class: its students, their parents' numbers, the leave a person may see."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import or_, select

from core.api import (
    Unit,
    User,
    can,
    db,
    local_today,
    permission_holders,
    to_utc,
    unit_ids_where,
)

from .i18n import lazy_gettext
from .models import INCOMING, Contact, Leave, ParentCall


def students_of(unit: Unit) -> list[User]:
    """The students of a class: its members who may apply for leave there."""
    return list(db.session.scalars(
        permission_holders("school_leave.apply", unit).where(User.unit_id == unit.id)
        .order_by(User.name)
    ))


def contacts_of(student: User) -> list[Contact]:
    return list(db.session.scalars(
        select(Contact).where(Contact.student_id == student.id).order_by(Contact.id)
    ))


def advance_call_of(leave: Leave) -> ParentCall | None:
    """The parent's latest call in advance that *leave* relied on (linked when it was filed)."""
    return db.session.scalars(
        select(ParentCall).where(ParentCall.leave_id == leave.id,
                                 ParentCall.direction == INCOMING)
        .order_by(ParentCall.called_at.desc()).limit(1)).first()


def visible_leave(user: User):
    """SQL condition: the leave *user* may see — their own, and their units' (scoped)."""
    return or_(
        Leave.student_id == user.id,
        Leave.applicant_id == user.id,
        Leave.unit_id.in_(unit_ids_where("school_leave.view", user)),
    )


def may_see(leave: Leave, user: User) -> bool:
    return (leave.student_id == user.id or leave.applicant_id == user.id
            or can("school_leave.view", leave.unit, user))


def leave_today(student: User) -> list[Leave]:
    """The student's pending or approved leave that touches today (the school's day)."""
    start = to_utc(datetime.combine(local_today(), time()))
    return list(db.session.scalars(
        select(Leave).where(Leave.student_id == student.id,
                            Leave.status.in_(("pending", "approved")),
                            Leave.start_at < start + timedelta(days=1), Leave.end_at > start)
        .order_by(Leave.start_at)))


def may_see_private(student: User, user: User) -> bool:
    """The student's parents, the calls with them and their leave history: the student and
    the staff of the class (``school_leave.view``), never the class cadres."""
    return student.id == user.id or (student.unit is not None
                                     and can("school_leave.view", student.unit, user))


def may_see_note(user: User, attachment) -> bool:
    """An attachment of a leave is seen by whoever may see the leave (or sign it)."""
    from . import approval

    if attachment.subject_type != "Leave":
        return False
    leave = db.session.get(Leave, int(attachment.subject_id))
    return leave is not None and (may_see(leave, user) or approval.is_signer(leave, user))


#: In which capacity someone else filed a leave, as the slip says it.
FILED_AS = {
    "classmate": lazy_gettext("classmate"),
    "class_teacher": lazy_gettext("class teacher"),
    "student_affairs": lazy_gettext("student affairs office"),
}


def filed_by(leave) -> str:
    """"Wang Fang (class teacher) — note" for a leave someone else filed."""
    who = leave.applicant.name
    if leave.filed_as in FILED_AS:
        who = f"{who} ({FILED_AS[leave.filed_as]})"
    return f"{who} — {leave.proxy_reason}" if leave.proxy_reason else who
