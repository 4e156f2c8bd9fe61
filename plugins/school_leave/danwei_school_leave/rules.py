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
    #: Not in the regulation: the longest leave one application may ask for (calendar days),
    #: so that no request makes the server compute over centuries.
    max_leave_days: float = 30


@dataclass(frozen=True)
class Duration:
    periods: int
    days: float
    school_days: tuple[date, ...]
    touches_evening_study: bool
    touches: tuple[str, ...] = ()
    #: Line 13 excludes "evening self-study and the time after it" from the monitor's row.
    evening_or_later: bool = False



class TooLong(ValueError):
    """A leave longer than the school allows, refused before any day of it is looked at."""

    def __init__(self, max_days: float):
        super().__init__(f"a leave may last at most {max_days:g} days")
        self.max_days = max_days

    @property
    def message(self):
        return _l("A leave may last at most %(days)s days; this one is longer than %(days)s "
                  "days. Ask for what you need now and file an extension later.",
                  days=f"{self.max_days:g}")


def leave_duration(start: datetime, end: datetime, timetable: Timetable,
                   is_school_day, max_days: float | None = None) -> Duration:
    """Class periods and school days between *start* and *end*.

    A period counts when the leave overlaps it. Days are periods divided by the periods of a
    full day, so a leave of one whole day is exactly ``1`` and a day and a half ``1.5``.
    *is_school_day(date)* comes from the working-day calendar.

    The range is the user's: it is bounded (*max_days*, :class:`TooLong`) before anything is
    computed on it. Only the first and the last day are compared period by period; a day in
    between is whole, so it adds a full day's periods after one look at the calendar.
    """
    if end <= start:
        raise ValueError("the leave must end after it starts")
    if max_days is not None and end - start > timedelta(days=max_days):
        raise TooLong(max_days)
    evening_starts = [p.start for p in timetable.periods if p.kind == "evening_study"]
    full_day = _Day(sum(p.kind == "class" for p in timetable.periods),
                    tuple(p.kind for p in timetable.periods if p.kind != "class"),
                    bool(evening_starts), bool(evening_starts))
    periods = 0
    evening = later = False
    touched: list[str] = []
    days: list[date] = []
    first, last = start.date(), end.date()
    day = first
    while day <= last:
        if is_school_day(day):
            seen = (full_day if first < day < last
                    else _partial_day(day, start, end, timetable, evening_starts))
            periods += seen.periods
            touched.extend(seen.touched)
            evening = evening or seen.evening
            later = later or seen.later
            if seen.periods:
                days.append(day)
        day += timedelta(days=1)
    per_day = timetable.periods_per_day or 1
    return Duration(periods, round(periods / per_day, 2), tuple(days), evening,
                    tuple(dict.fromkeys(touched)), evening or later)


@dataclass(frozen=True)
class _Day:
    """What one school day contributes to a leave."""

    periods: int
    touched: tuple[str, ...]
    evening: bool
    later: bool


def _partial_day(day: date, start: datetime, end: datetime, timetable: Timetable,
                 evening_starts: list[time]) -> _Day:
    """The first or the last day of a leave, slot by slot."""
    periods, touched, evening = 0, [], False
    for p in timetable.periods:
        if datetime.combine(day, p.start) < end and start < datetime.combine(day, p.end):
            if p.kind == "class":
                periods += 1
            else:
                touched.append(p.kind)
            evening = evening or p.kind == "evening_study"
    later = False
    if evening_starts:
        night = datetime.combine(day, min(evening_starts))
        later = night < end and start < datetime.combine(day + timedelta(days=1), time())
    return _Day(periods, tuple(touched), evening, later)


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
    # Morning exercise is on campus (line 35); leaving campus always takes the class teacher's
    # chain with the parent's call, so such a leave is read by the table like any other.
    if facts.leave_type == MORNING_EXERCISE and not facts.leaving_campus:
        # Line 35: the three cadres' joint signature makes it valid; the class teacher's
        # review at morning self-study comes after the exercise, so it is recorded on the
        # leave (:func:`leaves.record_review`) and never holds it pending.
        return Chain(
            "morning_exercise",
            ((MONITOR, PE_MEMBER, DORM_HEAD),),
            (_l("Morning-exercise leave: the monitor, the PE member and the dorm head sign "
                "together, and it is valid; the class teacher reviews it at morning "
                "self-study afterwards."),),
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


def call_time_refusal(called_at: datetime, *, now: datetime, filed: datetime,
                      end: datetime, valid_days: int) -> object | None:
    """Why the class teacher's noted call cannot be the one about this leave (line 13);
    None when it can. All times are the school's wall-clock time.

    A call is noted after it happened; it is about this leave only if made at most
    *valid_days* before the leave was filed (as for the parent's advance call) and before the
    leave ended. (The advance-call rule of line 33 is about the parent's own call, at least
    half a day before the leave: it is checked when the leave is filed and at the gate.)
    """
    if called_at > now:
        return _l("A call is recorded after it happened.")
    if called_at < filed - timedelta(days=valid_days):
        return _l("This call was made more than %(days)d days before the leave was filed: "
                  "it cannot be about this leave.", days=valid_days)
    if called_at > end:
        return _l("The call must have been made before the leave ended.")
    return None


#: The rows whose chain has the class teacher phone the parent: the only ones that may leave
#: campus (lines 13, 17, 33).
LEAVES_CAMPUS_ROWS = ("class_teacher", "grade", "principal", "exam")


def exit_refusal(*, approved: bool, leaving_campus: bool, row: str, teacher_signed: bool,
                 advance_call: bool) -> Refusal | None:
    """Why the gate must not let the student out on this leave; None when it may (line 17).

    The gate, the slip and the lists ask this, not the leave's state: "approved" says the
    signatures of its chain are complete, not that its chain was one that lets a student
    leave school. Leaving campus needs a leave approved as leaving campus, on a chain the
    class teacher signed, and the parent's call at least half a day before it (line 33).
    """
    if not leaving_campus:
        return Refusal("on_campus", _l("Not a pass to leave school: this leave was not "
                                       "approved as leaving campus."))
    if not approved:
        return Refusal("not_approved", _l("Not fully signed: the leave is not approved yet."))
    if row not in LEAVES_CAMPUS_ROWS or not teacher_signed:
        return Refusal("no_class_teacher", _l("Not a pass to leave school: the class teacher "
                                              "has not signed it."))
    if not advance_call:
        return Refusal("no_advance_call", _l("Not a pass to leave school: no call of the "
                                             "parent in advance is recorded for it."))
    return None
