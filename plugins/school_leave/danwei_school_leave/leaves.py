"""Filing a leave, and what happens to it afterwards: the gate, the return, overdue, truancy.

Views, the overdue job and the demo data all go through these functions, so a leave made by
the demo is made exactly as one made through the form.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (
    Unit,
    User,
    audit,
    db,
    local_today,
    notify,
    to_local,
    to_utc,
    unit_ids_where,
    utcnow,
)

# What the rules say before a leave is filed lives in .assessment, shared with the approval
# chain (which reads it again on a resubmission); the views still ask ``leaves.preview``.
from . import approval, parents, rules, school
from .assessment import (  # noqa: F401
    ALIVE,
    Preview,
    advance_calls,
    overlap_refusal,
    overlapping,
    preview,
)
from .i18n import lazy_gettext as _l
from .models import APPROVED, INCOMING, PENDING, REJECTED, WITHDRAWN, Leave, ParentCall

#: Extensions in these states no longer protect a late student from truancy.
DEAD = (REJECTED, WITHDRAWN)


class Overlap(ValueError):
    """Another pending or approved leave of the student shares some of this leave's time."""

    def __init__(self, refusal: rules.Refusal):
        super().__init__(str(refusal.message))
        self.refusal = refusal


def lock_student(student: User) -> None:
    """Serialise the filings of one student until the transaction ends.

    The overlap check and the insert must not interleave between two requests (a double
    click): on PostgreSQL the student's row is locked (``SELECT ... FOR UPDATE``), so the
    second request waits, then sees the first one's leave. SQLite has one writer at a time.
    """
    db.session.execute(select(User.id).where(User.id == student.id).with_for_update())


def file(*, applicant: User, student: User, unit: Unit, leave_type: str, start: datetime,
         end: datetime, reason: str, leaving_campus: bool, proxy_reason: str = "",
         extends: Leave | None = None, found: Preview | None = None,
         emergency_reason: str = "", filed_as: str = "") -> Leave:
    """Record the leave and start its approval chain; the caller commits.

    Refuses (ValueError) what the rules refuse, so no path around the form can file it; an
    overlap is checked again under the student's lock (:class:`Overlap`). An
    *emergency_reason* records the student-affairs office's override of the advance-notice
    rules; the caller has checked that *applicant* may grant it.
    """
    found = found or preview(student, unit, leave_type, start, end, leaving_campus,
                             extension=extends is not None, emergency=bool(emergency_reason))
    if not found.allowed:
        raise ValueError("; ".join(str(r.message) for r in found.refusals))
    lock_student(student)
    other = overlapping(student, start, end)
    if other is not None:
        raise Overlap(overlap_refusal(other))
    d, chain = found.duration, found.chain
    leave = Leave(
        unit_id=unit.id, student_id=student.id, applicant_id=applicant.id,
        proxy_reason=proxy_reason, extends=extends, leave_type=leave_type,
        start_at=start, end_at=end, reason=reason, leaving_campus=leaving_campus,
        periods=d.periods, days=d.days, in_exam=chain.row == "exam",
        touches_evening_study=d.touches_evening_study, chain_row=chain.row,
        chain_reasons="\n".join(str(r) for r in chain.reasons),
        parent_call_required=chain.parent_call_required, status=PENDING,
        emergency_reason=emergency_reason,
        filed_as=filed_as or ("classmate" if applicant.id != student.id and not extends else ""),
        emergency_by_id=applicant.id if emergency_reason else None,
    )
    db.session.add(leave)
    db.session.flush()
    for call in found.calls:
        call.leave_id = leave.id
    if emergency_reason:
        audit("school_leave.emergency_override", subject=leave, unit=unit,
              summary=f"{student.username}: {emergency_reason[:150]}",
              data={"by": applicant.id, "reason": emergency_reason})
    audit("school_leave.extension_filed" if extends else "school_leave.applied",
          subject=leave, unit=unit,
          summary=f"{student.username}: {leave_type} {chain.row} {d.periods}p/{d.days:g}d",
          data={"chain": chain.row, "proxy": applicant.id != student.id,
                "filed_as": leave.filed_as,
                "extends": extends.id if extends else None})
    approval.start(leave, chain, d, school.leave_rules(unit), actor=applicant)
    return leave


def revise(leave: Leave, actor: User, *, leave_type: str, start: datetime, end: datetime,
           reason: str, leaving_campus: bool, found: Preview) -> None:
    """The applicant changed a leave that was returned to them; it is submitted again."""
    if not found.allowed:
        raise ValueError("; ".join(str(r.message) for r in found.refusals))
    lock_student(leave.student)
    other = overlapping(leave.student, start, end, exclude=leave)
    if other is not None:
        raise Overlap(overlap_refusal(other))
    d, chain = found.duration, found.chain
    before = {"start": leave.start_at, "end": leave.end_at, "type": leave.leave_type}
    leave.leave_type, leave.start_at, leave.end_at = leave_type, start, end
    leave.reason, leave.leaving_campus = reason, leaving_campus
    leave.periods, leave.days, leave.in_exam = d.periods, d.days, chain.row == "exam"
    leave.touches_evening_study, leave.chain_row = d.touches_evening_study, chain.row
    leave.chain_reasons = "\n".join(str(r) for r in chain.reasons)
    leave.parent_call_required = chain.parent_call_required
    for call in found.calls:
        call.leave_id = leave.id
    audit("school_leave.revised", subject=leave, unit=leave.unit,
          summary=f"{leave.student.username}: {chain.row} {d.periods}p/{d.days:g}d",
          data={k: str(v) for k, v in before.items()})
    approval.resubmit(leave, actor, chain, d)


# -- after approval: the review, the gate, the return, overdue ------------------------------------


def ask_for_review(leave: Leave) -> None:
    """The cadres' joint signature made a morning-exercise leave valid (line 35): the class
    teacher is told, to review the slip at morning self-study."""
    notify(class_teachers(leave.unit, leave.student),
           str(_l("Morning-exercise leave of %(name)s to review", name=leave.student.name)),
           body=str(_l("Signed by the monitor, the PE member and the dorm head; valid. Review "
                       "it at morning self-study.")),
           link=path_of(leave), plugin="school_leave", kind="action")


def may_review(leave: Leave, user: User) -> bool:
    return (leave.chain_row == "morning_exercise" and leave.status == APPROVED
            and leave.reviewed_at is None
            and any(t.id == user.id for t in class_teachers(leave.unit, leave.student)))


def record_review(leave: Leave, by: User) -> None:
    """The class teacher reviewed the morning-exercise slip (line 35): recorded, audited."""
    if not may_review(leave, by):
        raise ValueError("not a morning-exercise leave waiting for this class teacher's review")
    leave.reviewed_at, leave.reviewed_by_id = utcnow(), by.id
    audit("school_leave.reviewed", subject=leave, unit=leave.unit,
          summary=f"{leave.student.username}: morning exercise reviewed by {by.username}")


def effective_end(leave: Leave) -> datetime:
    """When the student must be back: the end of the leave or of its latest approved extension."""
    end = leave.end_at
    for ext in leave.extensions:
        if ext.status == APPROVED:
            end = max(end, effective_end(ext))
    return end


def pending_extension(leave: Leave, before: datetime) -> Leave | None:
    """An extension filed before *before* that is still waiting for its signatures."""
    for ext in leave.extensions:
        if ext.status not in DEAD and ext.created_at <= before and ext.status != APPROVED:
            return ext
        if ext.status == APPROVED:
            found = pending_extension(ext, before=effective_end(ext))
            if found:
                return found
    return None


def exit_refusal(leave: Leave) -> rules.Refusal | None:
    """Why the student may not go out through the gate on *leave*; None when they may.

    The exit is recorded on the original leave, so it is the original leave's facts that
    count: its chain, the class teacher's signature, the parent's call in advance.
    """
    root = leave.root
    hours = float(school.setting("parent_call_advance_hours", root.unit))
    advance = db.session.scalar(select(ParentCall.id).where(
        ParentCall.leave_id == root.id, ParentCall.direction == INCOMING,
        ParentCall.called_at <= root.start_at - timedelta(hours=hours)).limit(1))
    signed = any(step.key == approval.TEACHER_STEP and step.signatures
                 for step in approval.signatures(root))
    return rules.exit_refusal(approved=root.status == APPROVED,
                              leaving_campus=root.leaving_campus, row=root.chain_row,
                              teacher_signed=signed,
                              advance_call=advance is not None or root.is_emergency)


def record_exit(leave: Leave, by: User, at: datetime | None = None) -> None:
    """The guard lets the student out; refused (ValueError) unless the rules allow it."""
    refused = exit_refusal(leave)
    if refused is not None:
        raise ValueError(str(refused.message))
    leave.exited_at = at or utcnow()
    leave.exit_recorded_by_id = by.id
    audit("school_leave.exit", subject=leave, unit=leave.unit,
          summary=f"{leave.student.username} left at {to_local(leave.exited_at):%H:%M}")
    parents.tell(leave, parents.EXIT, leave.exited_at, effective_end(leave))


def record_return(leave: Leave, by: User, at: datetime | None = None) -> None:
    """The student is back (recorded on the root leave of a chain of extensions)."""
    leave = leave.root
    leave.returned_at = at or utcnow()
    leave.return_recorded_by_id = by.id
    late = leave.returned_at > effective_end(leave)
    audit("school_leave.returned", subject=leave, unit=leave.unit,
          summary=f"{leave.student.username} back at {to_local(leave.returned_at):%H:%M}"
                  + (" (late)" if late else ""),
          data={"late": late})
    if leave.exited_at is not None:  # the parents were told the child went out
        parents.tell(leave, parents.RETURN, leave.returned_at, effective_end(leave))


def gate_lists(limit: int = 100) -> dict:
    """Who is out now (due back first, overdue marked), and the approved exits of today not
    yet used: what the guard's page, its widget and the printed list show."""
    scope = Leave.unit_id.in_(unit_ids_where("school_leave.verify_slip"))
    out = db.session.scalars(
        select(Leave).where(scope, Leave.exited_at.is_not(None), Leave.returned_at.is_(None))
        .options(joinedload(Leave.student), joinedload(Leave.unit))
        .order_by(Leave.end_at).limit(limit)).all()
    start = to_utc(datetime.combine(local_today(), time()))
    today = db.session.scalars(
        select(Leave).where(scope, Leave.status == APPROVED, Leave.leaving_campus.is_(True),
                            Leave.extends_id.is_(None), Leave.exited_at.is_(None),
                            Leave.start_at < start + timedelta(days=1), Leave.end_at > start)
        .options(joinedload(Leave.student), joinedload(Leave.unit))
        .order_by(Leave.start_at).limit(limit)).all()
    due = {leave.id: effective_end(leave) for leave in out}
    return {"out": sorted(out, key=lambda leave: due[leave.id]), "due": due, "now": utcnow(),
            "today": [leave for leave in today if exit_refusal(leave) is None]}


def path_of(leave: Leave | int) -> str:
    """The leave's page, as a path (jobs run outside any request, so no ``url_for``)."""
    return f"/school_leave/leave/{leave if isinstance(leave, int) else leave.id}"


def class_teachers(unit: Unit, student: User) -> list[User]:
    return approval.holders(rules.CLASS_TEACHER, unit, student)


def mark_overdue(now: datetime | None = None) -> list[Leave]:
    """The overdue job (line 21): approved leave off campus whose student is not back by its end.

    "返校" is coming back to school, so it is leave that left campus; a student who stays away
    from class after an on-campus leave shows in the class log and the Friday reconciliation
    instead. It is overdue; it counts as truancy unless an extension was filed before the deadline and
    is still waiting for its signatures. The class teacher is notified once. Run again after a
    pending extension is rejected, it turns the overdue leave into truancy.
    """
    now = now or utcnow()
    marked = []
    rows = db.session.scalars(
        select(Leave).where(
            Leave.extends_id.is_(None), Leave.status == APPROVED, Leave.returned_at.is_(None),
            Leave.leaving_campus.is_(True), Leave.end_at < now,
        )
    )
    for leave in rows:
        deadline = effective_end(leave)
        if deadline >= now:
            continue
        covered = pending_extension(leave, before=deadline) is not None
        first = leave.overdue_at is None
        if not first and leave.truancy == (not covered):
            continue
        leave.overdue_at = leave.overdue_at or now
        leave.truancy = not covered
        marked.append(leave)
        audit("school_leave.truancy" if leave.truancy else "school_leave.overdue",
              subject=leave, unit=leave.unit,
              summary=f"{leave.student.username}: due back {to_local(deadline):%m-%d %H:%M}",
              data={"extension_pending": covered})
        if first or leave.truancy:
            parents.tell(leave, parents.TRUANCY if leave.truancy else parents.OVERDUE, now,
                         deadline)
            subject = (_l("%(name)s is not back from leave: counted as truancy",
                          name=leave.student.name) if leave.truancy else
                       _l("%(name)s is not back from leave; an extension is waiting",
                          name=leave.student.name))
            notify(class_teachers(leave.unit, leave.student), str(subject),
                   body=str(_l("Due back at %(at)s.", at=f"{to_local(deadline):%Y-%m-%d %H:%M}")),
                   link=path_of(leave), plugin="school_leave",
                   kind="warning")
    return marked
