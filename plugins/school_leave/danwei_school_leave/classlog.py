"""The daily class log (教室日志, line 15) and the Friday reconciliation (line 25).

The duty cadre writes down who was late, left early or was absent; approved leave appears in
the log by itself (line 23). On Friday the monitor and the class teacher go through the week:
every absence should be covered by a fully signed slip, every slip should be closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from core.api import Unit, db, to_local, to_utc

from . import leaves
from .i18n import lazy_gettext as _l
from .models import ABSENT, APPROVED, EARLY_LEAVE, Leave, LogEntry, Reconciliation


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The school day as stored (UTC) times: local midnight to midnight."""
    start = to_utc(datetime.combine(day, time()))
    return start, start + timedelta(days=1)


def leave_between(unit: Unit, start: datetime, end: datetime) -> list[Leave]:
    """Every leave (any state, extensions included) of *unit* overlapping [start, end)."""
    return list(db.session.scalars(
        select(Leave).where(Leave.unit_id == unit.id, Leave.start_at < end,
                            Leave.end_at > start)
        .order_by(Leave.start_at)
    ))


def entries_between(unit: Unit, first: date, last: date) -> list[LogEntry]:
    return list(db.session.scalars(
        select(LogEntry).where(LogEntry.unit_id == unit.id, LogEntry.day >= first,
                               LogEntry.day <= last).order_by(LogEntry.day, LogEntry.id)
    ))


def covers(leave: Leave, day: date) -> bool:
    start, end = day_bounds(day)
    return leave.start_at < end and leave.end_at > start


@dataclass
class Day:
    """One day of a class at a glance."""

    day: date
    on_leave: list[Leave]
    entries: list[LogEntry]
    #: Entries of absence with no approved leave that day, by entry id.
    uncovered: set[int] = field(default_factory=set)


def day_view(unit: Unit, day: date) -> Day:
    start, end = day_bounds(day)
    on_leave = [lv for lv in leave_between(unit, start, end) if lv.status == APPROVED]
    entries = entries_between(unit, day, day)
    covered = {lv.student_id for lv in on_leave}
    uncovered = {e.id for e in entries
                 if e.kind in (ABSENT, EARLY_LEAVE) and e.student_id not in covered}
    return Day(day, on_leave, entries, uncovered)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Discrepancy:
    day: date | None
    student_name: str
    message: str
    leave: Leave | None = None
    entry: LogEntry | None = None


@dataclass
class Week:
    unit: Unit
    monday: date
    slips: list[Leave]
    entries: list[LogEntry]
    discrepancies: list[Discrepancy]
    signed: Reconciliation | None

    @property
    def friday(self) -> date:
        return self.monday + timedelta(days=4)


def week_view(unit: Unit, monday: date) -> Week:
    """The week's slips against the log, with what does not match."""
    sunday = monday + timedelta(days=6)
    start, _ = day_bounds(monday)
    _, end = day_bounds(sunday)
    slips = leave_between(unit, start, end)
    entries = entries_between(unit, monday, sunday)
    found: list[Discrepancy] = []
    approved = [lv for lv in slips if lv.status == APPROVED]
    for entry in entries:
        if entry.kind not in (ABSENT, EARLY_LEAVE):
            continue
        if any(lv.student_id == entry.student_id and covers(lv, entry.day) for lv in approved):
            continue
        unsigned = [lv for lv in slips if lv.student_id == entry.student_id
                    and covers(lv, entry.day)]
        message = (_l("Absent on a slip that is not fully signed (%(status)s).",
                      status=unsigned[0].status) if unsigned else
                   _l("Marked absent or left early in the log, with no slip."))
        found.append(Discrepancy(entry.day, entry.student.name, str(message),
                                 unsigned[0] if unsigned else None, entry))
    for lv in approved:
        if lv.extends_id is not None:
            continue
        due = leaves.effective_end(lv)
        if lv.truancy:
            found.append(Discrepancy(to_local(due).date(), lv.student.name,
                                     str(_l("Not back in time, no extension: truancy.")), lv))
        elif lv.overdue_at and lv.returned_at is None:
            found.append(Discrepancy(to_local(due).date(), lv.student.name,
                                     str(_l("Overdue; the extension is still waiting.")), lv))
        elif lv.exited_at and lv.returned_at is None and due < end:
            found.append(Discrepancy(to_local(due).date(), lv.student.name,
                                     str(_l("Left campus; no return recorded.")), lv))
    signed = db.session.scalar(select(Reconciliation).where(
        Reconciliation.unit_id == unit.id, Reconciliation.week_start == monday))
    found.sort(key=lambda d: (d.day or monday, d.student_name))
    return Week(unit, monday, slips, entries, found, signed)
