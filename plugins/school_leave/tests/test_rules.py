"""Each row of the chain table (篇一 lines 13, 17, 35) and its boundaries, on the pure rules."""

from datetime import date, datetime, time

import pytest
from danwei_school_leave import rules as r

DAY = date(2026, 11, 23)  # a Monday

TIMETABLE = r.Timetable(
    periods=(
        r.Period("morning exercise", time(6, 30), time(7, 0), "morning_exercise"),
        r.Period("1", time(8, 0), time(8, 45)),
        r.Period("2", time(8, 55), time(9, 40)),
        r.Period("3", time(10, 0), time(10, 45)),
        r.Period("4", time(10, 55), time(11, 40)),
        r.Period("5", time(14, 0), time(14, 45)),
        r.Period("6", time(14, 55), time(15, 40)),
        r.Period("7", time(16, 0), time(16, 45)),
        r.Period("8", time(16, 55), time(17, 40)),
        r.Period("evening study", time(19, 0), time(21, 0), "evening_study"),
    ),
    exam_windows=((date(2026, 12, 28), date(2026, 12, 31)),),
)


def weekday(d):
    return d.weekday() < 5


def at(day_offset, hh, mm=0):
    return datetime.combine(date.fromordinal(DAY.toordinal() + day_offset), time(hh, mm))


def chain(start, end, leave_type=r.PERSONAL, leaving=False):
    duration = r.leave_duration(start, end, TIMETABLE, weekday)
    facts = r.Facts(leave_type, duration, leaving, TIMETABLE.in_exam(start, end))
    return r.choose_chain(facts), duration


@pytest.mark.parametrize(
    ("start", "end", "row", "periods", "days"),
    [
        (at(0, 8), at(0, 8, 45), "monitor", 1, 0.12),
        (at(0, 8), at(0, 9, 40), "monitor", 2, 0.25),  # exactly 2 periods
        (at(0, 8), at(0, 10, 45), "class_teacher", 3, 0.38),
        (at(0, 7, 30), at(0, 18), "class_teacher", 8, 1.0),  # exactly 1 day
        (at(0, 7, 30), at(1, 12), "grade", 12, 1.5),
        (at(0, 7, 30), at(1, 18), "grade", 16, 2.0),  # exactly 2 days
        (at(0, 7, 30), at(2, 9), "principal", 18, 2.25),
    ],
)
def test_chain_rows_and_boundaries(start, end, row, periods, days):
    found, duration = chain(start, end)
    assert (found.row, duration.periods, duration.days) == (row, periods, days)


def test_steps_of_each_row():
    assert chain(at(0, 8), at(0, 8, 45))[0].steps == ((r.MONITOR,),)
    assert chain(at(0, 8), at(0, 11))[0].steps == ((r.MONITOR,), (r.CLASS_TEACHER,))
    grade = chain(at(0, 7), at(1, 12))[0]
    assert grade.steps == ((r.MONITOR,), (r.CLASS_TEACHER,), (r.GRADE_OFFICE,),
                           (r.STUDENT_AFFAIRS,))
    assert grade.parent_call_required
    assert chain(at(0, 7), at(3, 12))[0].steps[-1] == (r.PRINCIPAL,)


def test_short_leave_off_campus_or_in_evening_study_needs_the_class_teacher():
    assert chain(at(0, 8), at(0, 8, 45), leaving=True)[0].row == "class_teacher"
    found, duration = chain(at(0, 19), at(0, 20))
    assert duration.periods == 0 and duration.touches_evening_study
    assert found.row == "class_teacher"


def test_weekend_days_do_not_count():
    friday, monday = at(4, 7), at(7, 18)
    _, duration = chain(friday, monday)
    assert duration.days == 2.0 and len(duration.school_days) == 2


def test_exam_period_uses_the_exam_chain_whatever_the_length():
    exam_day = (date(2026, 12, 29) - DAY).days
    found, _ = chain(at(exam_day, 8), at(exam_day, 8, 45))
    assert found.row == "exam"
    assert found.steps == ((r.CLASS_TEACHER,), (r.GRADE_OFFICE,), (r.STUDENT_AFFAIRS,),
                           (r.ACADEMIC_AFFAIRS,), (r.VICE_PRINCIPAL,))
    assert found.parent_call_required


def test_morning_exercise_is_a_joint_signature():
    found, _ = chain(at(0, 6, 30), at(0, 7), leave_type=r.MORNING_EXERCISE)
    assert found.steps[0] == (r.MONITOR, r.PE_MEMBER, r.DORM_HEAD)
    assert found.all_of_steps == (0,)
    # The class teacher's review follows the approval; it is no step of the chain (line 35).
    assert len(found.steps) == 1


def test_evening_study_refused_without_the_parent_contacting_first():
    start, end = at(0, 19), at(0, 20)
    _, duration = chain(start, end)
    facts = r.Facts(r.PERSONAL, duration, False, False)
    refused = r.refusals(facts, start, [])
    assert [x.code for x in refused] == ["evening_study"]
    assert "parent contacts the class teacher first" in str(refused[0].special_case)
    assert r.refusals(facts, start, [at(0, 17)]) == []


@pytest.mark.parametrize(
    ("called", "allowed"), [(at(-1, 21), True), (at(0, 0), True), (at(0, 0, 1), False)]
)
def test_leaving_campus_needs_the_call_half_a_day_before(called, allowed):
    start = at(0, 12)
    _, duration = chain(start, at(0, 15), leaving=True)
    facts = r.Facts(r.PERSONAL, duration, True, False)
    assert (r.refusals(facts, start, [called]) == []) is allowed
    assert r.refusals(facts, start, [])  # no call at all


def test_rules_are_settings():
    _, duration = chain(at(0, 8), at(0, 10, 45))
    facts = r.Facts(r.PERSONAL, duration, False, False)
    assert r.choose_chain(facts, r.Rules(monitor_max_periods=3)).row == "monitor"


def test_the_time_after_evening_study_is_not_the_monitors_alone():
    # Line 13: "晚自习及晚自习以后时间除外" — after evening study too.
    found, duration = chain(at(0, 21, 30), at(0, 22, 30))
    assert duration.periods == 0 and not duration.touches_evening_study
    assert duration.evening_or_later and found.row == "class_teacher"
    # But only evening study itself is refused without the parent's call (line 31).
    facts = r.Facts(r.PERSONAL, duration, False, False)
    assert r.refusals(facts, at(0, 21, 30), []) == []
