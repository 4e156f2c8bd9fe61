"""The leave rules of the school's regulation (篇一), as pure functions.

Nothing here touches the database or a request: the rules are computed from a timetable, the
school's settings and the facts of one leave, so each row of the chain table can be tested on
its own. Reasons and refusals are lazy translatable strings, rendered in the reader's language. Line numbers refer to ``seeds/000_*.txt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .i18n import lazy_gettext as _l

#: Leave types offered on the form.
PERSONAL, SICK, MORNING_EXERCISE, OTHER = "personal", "sick", "morning_exercise", "other"
LEAVE_TYPES = (PERSONAL, SICK, MORNING_EXERCISE, OTHER)

#: Roles that sign, named as the plugin declares them (``school_leave.<role>``).
MONITOR = "school_leave.monitor"
PE_MEMBER = "school_leave.pe_member"
DORM_HEAD = "school_leave.dorm_head"
CLASS_TEACHER = "school_leave.class_teacher"
GRADE_OFFICE = "school_leave.grade_office"
STUDENT_AFFAIRS = "school_leave.student_affairs"
ACADEMIC_AFFAIRS = "school_leave.academic_affairs"
VICE_PRINCIPAL = "school_leave.vice_principal"
PRINCIPAL = "school_leave.principal"


@dataclass(frozen=True)
class Period:
    """One slot of the timetable: a class period, or a fixed activity."""

    name: str
    start: time
    end: time
    #: ``class`` periods count towards the leave's length; the others are marked when touched.
    kind: str = "class"  # class | morning_exercise | morning_reading | evening_study


@dataclass(frozen=True)
class Timetable:
    periods: tuple[Period, ...]
    #: Dates of exam windows, inclusive ``(first, last)`` pairs.
    exam_windows: tuple[tuple[date, date], ...] = ()

    @property
    def class_periods(self) -> tuple[Period, ...]:
        return tuple(p for p in self.periods if p.kind == "class")

    @property
    def periods_per_day(self) -> int:
        return len(self.class_periods)

    def in_exam(self, start: datetime, end: datetime) -> bool:
        return any(first <= end.date() and start.date() <= last for first, last in
                   self.exam_windows)


@dataclass(frozen=True)
class Rules:
    """The numbers of the regulation; each is a per-school setting with these defaults."""

    #: Line 13: "两节课以内" — up to this many periods the monitor alone signs.
    monitor_max_periods: int = 2
    #: Line 13: "一天以内" / "一天以上两天以下" / "两天以上" — thresholds in school days.
    class_teacher_max_days: float = 1
    grade_max_days: float = 2
    #: Line 33: the parent phones the class teacher at least half a day before leaving campus.
    parent_call_advance_hours: float = 12


@dataclass(frozen=True)
class Duration:
    periods: int
    days: float
    school_days: tuple[date, ...]
    touches_evening_study: bool
    touches: tuple[str, ...] = ()
    #: Line 13 excludes "evening self-study and the time after it" from the monitor's row.
    evening_or_later: bool = False



def leave_duration(start: datetime, end: datetime, timetable: Timetable,
                   is_school_day) -> Duration:
    """Class periods and school days between *start* and *end*.

    A period counts when the leave overlaps it. Days are periods divided by the periods of a
    full day, so a leave of one whole day is exactly ``1`` and a day and a half ``1.5``.
    *is_school_day(date)* comes from the working-day calendar.
    """
    if end <= start:
        raise ValueError("the leave must end after it starts")
    periods = 0
    evening = later = False
    evening_starts = [p.start for p in timetable.periods if p.kind == "evening_study"]
    touched: list[str] = []
    days: list[date] = []
    day = start.date()
    while day <= end.date():
        if is_school_day(day):
            used = False
            for p in timetable.periods:
                p_start, p_end = datetime.combine(day, p.start), datetime.combine(day, p.end)
                if p_start < end and start < p_end:
                    if p.kind == "class":
                        periods += 1
                        used = True
                    else:
                        touched.append(p.kind)
                    if p.kind == "evening_study":
                        evening = True
            if used:
                days.append(day)
            if evening_starts:
                night = datetime.combine(day, min(evening_starts))
                if night < end and start < datetime.combine(day + timedelta(days=1), time()):
                    later = True
        day += timedelta(days=1)
    per_day = timetable.periods_per_day or 1
    return Duration(periods, round(periods / per_day, 2), tuple(days), evening,
                    tuple(dict.fromkeys(touched)), evening or later)


@dataclass(frozen=True)
class Chain:
    """Which row of the table applies, who signs in which order, and why."""

    row: str
    steps: tuple[tuple[str, ...], ...]
    reasons: tuple
    parent_call_required: bool
    #: For the joint signature of morning-exercise leave: every role in a step must sign.
    all_of_steps: tuple[int, ...] = ()


@dataclass(frozen=True)
class Facts:
    leave_type: str
    duration: Duration
    leaving_campus: bool
    in_exam: bool


@dataclass(frozen=True)
class Refusal:
    code: str
    message: object
    #: The documented way around it, shown with the refusal.
    special_case: object = ""


def choose_chain(facts: Facts, rules: Rules = Rules()) -> Chain:
    """Pick the row of the chain table (lines 13, 17, 35) with the reasons shown to users."""
    d = facts.duration
    if facts.leave_type == MORNING_EXERCISE:
        return Chain(
            "morning_exercise",
            ((MONITOR, PE_MEMBER, DORM_HEAD), (CLASS_TEACHER,)),
            (_l("Morning-exercise leave: the monitor, the PE member and the dorm head sign "
                "together, then the class teacher reviews it at morning self-study."),),
            parent_call_required=False,
            all_of_steps=(0,),
        )
    if facts.in_exam:
        return Chain(
            "exam",
            ((CLASS_TEACHER,), (GRADE_OFFICE,), (STUDENT_AFFAIRS,), (ACADEMIC_AFFAIRS,),
             (VICE_PRINCIPAL,)),
            (_l("Exam period: yes — the exam chain applies whatever the length."),),
            parent_call_required=True,
        )
    reasons = [_l("Length: %(periods)d class periods (%(days)s days).", periods=d.periods,
                  days=f"{d.days:g}"), _l("Exam period: no.")]
    short = d.periods <= rules.monitor_max_periods
    if short and not facts.leaving_campus and not d.evening_or_later:
        reasons.append(_l("At most %(n)d periods, not leaving campus, not in evening study: "
                          "the monitor signs alone.", n=rules.monitor_max_periods))
        return Chain("monitor", ((MONITOR,),), tuple(reasons), parent_call_required=False)
    if short:
        reasons.append(_l("Short, but it leaves campus: the class teacher must sign.")
                       if facts.leaving_campus else
                       _l("Short, but it falls in evening self-study or later: the class "
                          "teacher must sign."))
    if d.days <= rules.class_teacher_max_days:
        reasons.append(_l("At most %(days)s day: the monitor, then the class teacher, who phones "
                          "the parent.", days=f"{rules.class_teacher_max_days:g}"))
        return Chain("class_teacher", ((MONITOR,), (CLASS_TEACHER,)), tuple(reasons), True)
    base = ((MONITOR,), (CLASS_TEACHER,), (GRADE_OFFICE,), (STUDENT_AFFAIRS,))
    if d.days <= rules.grade_max_days:
        reasons.append(_l("More than %(low)s day and at most %(high)s days: the grade office "
                          "and the student affairs office sign too.",
                          low=f"{rules.class_teacher_max_days:g}",
                          high=f"{rules.grade_max_days:g}"))
        return Chain("grade", base, tuple(reasons), True)
    reasons.append(_l("More than %(high)s days: the principal signs too.",
                      high=f"{rules.grade_max_days:g}"))
    return Chain("principal", (*base, (PRINCIPAL,)), tuple(reasons), True)


def refusals(facts: Facts, start: datetime, parent_calls: list[datetime],
             rules: Rules = Rules()) -> list[Refusal]:
    """Why the leave cannot be filed (lines 31, 33); empty when it can.

    *parent_calls* are the times the class teacher recorded a call from the student's parent
    about this leave (before it was filed).
    """
    found = []
    if facts.duration.touches_evening_study and not parent_calls:
        found.append(Refusal(
            "evening_study",
            _l("Leave during evening self-study is not allowed."),
            _l("Special case: the parent contacts the class teacher first; once the class "
               "teacher has recorded that call, the leave can be filed."),
        ))
    if facts.leaving_campus:
        limit = start - timedelta(hours=rules.parent_call_advance_hours)
        if not any(call <= limit for call in parent_calls):
            found.append(Refusal(
                "parent_call_advance",
                _l("Leaving campus needs the parent to phone the class teacher at least "
                   "%(hours)s hours before the leave starts.",
                   hours=f"{rules.parent_call_advance_hours:g}"),
                _l("Ask your parent to phone the class teacher; the class teacher records the "
                   "call, then you can apply."),
            ))
    return found
