"""When plans and summaries are due, and whether they were handed in on time (篇二 line 41).

"每月15日上报下月非例行工作计划,每月25日上报上月的工作总结": the plan for a month is due on
the 15th of the month before; the summary of a month is due on the 25th of the month after.
Both days are settings. When the day is not a working day, the ``deadline_shift`` setting
decides: keep it (``none``), move it to the next working day (``next``, the default, 顺延) or to
the working day before (``previous``). The functions here are pure: the working-day test is
passed in, so they are tested against any calendar.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

PLAN, SUMMARY = "plan", "summary"
SHIFT_NONE, SHIFT_NEXT, SHIFT_PREVIOUS = "none", "next", "previous"
SHIFTS = (SHIFT_NONE, SHIFT_NEXT, SHIFT_PREVIOUS)

# States of a deadline, as shown to people.
UPCOMING = "upcoming"  #: not yet in the reminder window
DUE_SOON = "due_soon"  #: in the reminder window, not handed in
OVERDUE = "overdue"  #: past the due day, not handed in
ON_TIME = "on_time"  #: handed in on or before the due day
LATE = "late"  #: handed in after the due day

IsWorkingDay = Callable[[date], bool]


@dataclass(frozen=True)
class Deadline:
    """The due day of a plan or a summary for a month, and how it was arrived at."""

    subject: str
    #: The month the plan is for, or the month the summary covers.
    year: int
    month: int
    #: The day the rule names (the 15th, the 25th) ...
    nominal: date
    #: ... and the day it falls due after the holiday shift.
    due: date
    #: The first day of the reminder window.
    remind_from: date

    @property
    def shifted(self) -> bool:
        return self.due != self.nominal


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def day_in_month(year: int, month: int, day: int) -> date:
    """*day* of the month, or its last day when the month is shorter (a 31st in April)."""
    return date(year, month, min(day, monthrange(year, month)[1]))


def shift(day: date, how: str, is_working_day: IsWorkingDay) -> date:
    """Move *day* off a non-working day as *how* says (``none``, ``next``, ``previous``)."""
    if how == SHIFT_NONE or is_working_day(day):
        return day
    step = timedelta(days=1 if how == SHIFT_NEXT else -1)
    for _ in range(366):
        day += step
        if is_working_day(day):
            return day
    raise ValueError("no working day within a year")


def working_days_before(day: date, count: int, is_working_day: IsWorkingDay) -> date:
    """The working day *count* working days before *day* (*day* itself for 0)."""
    found = day
    while count > 0:
        found -= timedelta(days=1)
        if is_working_day(found):
            count -= 1
    return found


def deadline(subject: str, year: int, month: int, *, day: int, how: str, remind_days: int,
             is_working_day: IsWorkingDay) -> Deadline:
    """The deadline of the *subject* (``plan`` or ``summary``) for ``year-month``."""
    due_year, due_month = add_months(year, month, -1 if subject == PLAN else 1)
    nominal = day_in_month(due_year, due_month, day)
    due = shift(nominal, how, is_working_day)
    return Deadline(subject, year, month, nominal, due,
                    working_days_before(due, remind_days, is_working_day))


def state(dl: Deadline, handed_in_on: date | None, today: date) -> str:
    """Where *dl* stands on *today*, given the local day it was handed in (or None)."""
    if handed_in_on is not None:
        return ON_TIME if handed_in_on <= dl.due else LATE
    if today > dl.due:
        return OVERDUE
    if today >= dl.remind_from:
        return DUE_SOON
    return UPCOMING


def days_late(dl: Deadline, handed_in_on: date | None, today: date) -> int:
    """Calendar days past the due day (0 when on time or not yet due)."""
    end = handed_in_on or today
    return max(0, (end - dl.due).days)


def on_time_rate(states: list[str]) -> float | None:
    """Share of the deadlines already due that were met: on time / (on time + late + overdue)."""
    due = [s for s in states if s in (ON_TIME, LATE, OVERDUE)]
    if not due:
        return None
    return sum(1 for s in due if s == ON_TIME) / len(due)
