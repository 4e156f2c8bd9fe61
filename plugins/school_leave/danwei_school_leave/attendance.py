"""Attendance from the class log, and discipline under the student handbook (line 27).

The duty cadre's log (line 15) says who was late, left early or was absent; the leave says who
was excused. Here they become the figures a school submits: per student, the entries of each
kind and the absences no approved leave covers (counted as truancy, 旷课, like a leave not
returned from); per class and month, the attendance table (班级考勤月报表). Both are core
reports, so they print and export to XLSX like every report.

An absence is excused when an approved leave of the student overlaps that school day. The
log keeps one entry per student, day and kind, so an absence counts a day and a late arrival
or an early leave one occurrence.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select

from core.api import (
    DataColumn,
    DataTable,
    Note,
    Unit,
    User,
    db,
    is_working_day,
    permission_holders,
    to_utc,
)

from .classlog import covers
from .i18n import lazy_gettext as _l
from .models import ABSENT, APPROVED, EARLY_LEAVE, LATE, Leave, LogEntry
from .rules import PERSONAL, SICK


def _period_days(ctx) -> tuple[date, date]:
    """First day and the day after the last of the report's period."""
    start, end = ctx.period.start, ctx.period.end
    return (getattr(start, "date", lambda: start)(), getattr(end, "date", lambda: end)())


def _entries(ctx, first: date, after: date):
    return db.session.execute(
        select(LogEntry.student_id, LogEntry.unit_id, LogEntry.day, LogEntry.kind)
        .where(ctx.in_scope(LogEntry.unit_id), LogEntry.day >= first, LogEntry.day < after))


def _approved_leave(student_ids: set[int], first: date, after: date) -> dict[int, list[Leave]]:
    if not student_ids:
        return {}
    found = defaultdict(list)
    for leave in db.session.scalars(select(Leave).where(
            Leave.student_id.in_(student_ids), Leave.status == APPROVED,
            Leave.start_at < to_utc_day(after), Leave.end_at > to_utc_day(first))):
        found[leave.student_id].append(leave)
    return found


def to_utc_day(day: date):
    from datetime import datetime, time

    return to_utc(datetime.combine(day, time()))


def counts(ctx) -> dict[int, dict[str, int]]:
    """Per student id: ``late``, ``early_leave``, ``absent``, ``unexcused`` in the period."""
    first, after = _period_days(ctx)
    rows = list(_entries(ctx, first, after))
    absences = {(s, d) for s, _, d, k in rows if k == ABSENT}
    leave = _approved_leave({s for s, _ in absences}, first, after)
    result: dict[int, dict[str, int]] = defaultdict(
        lambda: {LATE: 0, EARLY_LEAVE: 0, ABSENT: 0, "unexcused": 0})
    for student, _, day, kind in rows:
        result[student][kind] += 1
        if kind == ABSENT and not any(covers(item, day) for item in leave.get(student, ())):
            result[student]["unexcused"] += 1
    return result


def by_student(ctx):
    """Per student: late, left early, absent, of which not covered by leave; leave truancy."""
    first, after = _period_days(ctx)
    found = counts(ctx)
    truant = dict(db.session.execute(
        select(Leave.student_id, func.count()).where(
            ctx.in_scope(Leave.unit_id), Leave.truancy.is_(True), Leave.extends_id.is_(None),
            Leave.start_at >= to_utc_day(first), Leave.start_at < to_utc_day(after))
        .group_by(Leave.student_id)).all())
    ids = set(found) | set(truant)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} \
        if ids else {}
    units = {u.id: u.name for u in db.session.scalars(
        select(Unit).where(Unit.id.in_({p.unit_id for p in people.values()})))} if ids else {}
    rows = []
    for sid in sorted(ids, key=lambda i: (units.get(people[i].unit_id, ""), people[i].name)):
        c = found.get(sid, {LATE: 0, EARLY_LEAVE: 0, ABSENT: 0, "unexcused": 0})
        rows.append((units.get(people[sid].unit_id, ""), people[sid].name, c[LATE],
                     c[EARLY_LEAVE], c[ABSENT], c["unexcused"], truant.get(sid, 0)))
    columns = (DataColumn("class", str(_l("Class"))),
               DataColumn("student", str(_l("Student"))),
               DataColumn("late", str(_l("Late")), "int"),
               DataColumn("early_leave", str(_l("Left early")), "int"),
               DataColumn("absent", str(_l("Absent")), "int"),
               DataColumn("unexcused", str(_l("Absent without leave (truancy)")), "int"),
               DataColumn("overdue", str(_l("Not back from leave (truancy)")), "int"))
    return [Note(str(_l("From the class log: an absence is excused when an approved leave "
                        "covers that day; otherwise it counts as truancy (line 19)."))),
            DataTable(columns, rows, title=str(_l("Attendance by student")),
                      id="attendance_by_student")]


def _school_days(first: date, after: date) -> int:
    days, day = 0, first
    while day < after:
        days += is_working_day(day)
        day += timedelta(days=1)
    return days


def monthly(ctx):
    """The monthly class attendance table: per class, students, school days, leave days by
    type, late, left early, absent (and without leave), and the attendance rate."""
    first, after = _period_days(ctx)
    days = _school_days(first, after)
    classes = list(db.session.scalars(select(Unit).where(
        ctx.in_scope(Unit.id), Unit.kind == "class").order_by(Unit.path)))
    found = counts(ctx)
    leave_days = defaultdict(float)
    for unit_id, kind, total in db.session.execute(
            select(Leave.unit_id, Leave.leave_type, func.coalesce(func.sum(Leave.days), 0))
            .where(ctx.in_scope(Leave.unit_id), Leave.status == APPROVED,
                   Leave.start_at >= to_utc_day(first), Leave.start_at < to_utc_day(after))
            .group_by(Leave.unit_id, Leave.leave_type)):
        leave_days[(unit_id, SICK if kind == SICK else PERSONAL)] += float(total)
    rows = []
    for unit in classes:
        students = [u.id for u in db.session.scalars(
            permission_holders("school_leave.apply", unit).where(User.unit_id == unit.id))]
        c = {LATE: 0, EARLY_LEAVE: 0, ABSENT: 0, "unexcused": 0}
        for sid in students:
            for key, value in found.get(sid, {}).items():
                c[key] += value
        sick, personal = leave_days[(unit.id, SICK)], leave_days[(unit.id, PERSONAL)]
        due = len(students) * days
        missed = sick + personal + c["unexcused"]
        rate = round(1 - missed / due, 4) if due else None
        rows.append((unit.name, len(students), days, round(sick, 1), round(personal, 1),
                     c[LATE], c[EARLY_LEAVE], c[ABSENT], c["unexcused"], rate))
    columns = (DataColumn("class", str(_l("Class"))),
               DataColumn("students", str(_l("Students")), "int"),
               DataColumn("days", str(_l("School days")), "int"),
               DataColumn("sick", str(_l("Sick leave (days)")), "decimal", places=1),
               DataColumn("personal", str(_l("Other leave (days)")), "decimal", places=1),
               DataColumn("late", str(_l("Late")), "int"),
               DataColumn("early_leave", str(_l("Left early")), "int"),
               DataColumn("absent", str(_l("Absent")), "int"),
               DataColumn("unexcused", str(_l("Absent without leave (truancy)")), "int"),
               DataColumn("rate", str(_l("Attendance rate")), "percent"))
    return [Note(str(_l("Attendance rate = 1 − (leave days + absences without leave) ÷ "
                        "(students × school days)."))),
            DataTable(columns, rows, title=str(_l("Monthly class attendance")),
                      id="attendance_monthly")]
