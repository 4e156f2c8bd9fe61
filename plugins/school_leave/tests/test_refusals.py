"""What the regulation refuses (lines 27, 31, 33), explained on the form, with its way round."""

from datetime import timedelta

from danwei_school_leave.models import Leave
from danwei_school_leave.testing import at, local_now, monday

from core.api import db

DAY = monday()


def leave_count():
    return db.session.query(Leave).count()


def test_evening_self_study_is_refused_until_the_parent_has_called(school):
    response = school.apply(start=at(DAY, 19), end=at(DAY, 20))
    assert response.status_code == 200
    assert 'data-code="evening_study"' in response.text
    assert "Leave during evening self-study is not allowed." in response.text
    assert "the parent contacts the class teacher first" in response.text
    assert leave_count() == 0

    # The special case: the parent phones the class teacher, who records it; now it can be filed.
    assert school.record_call().status_code == 302
    leave = school.file(start=at(DAY, 19), end=at(DAY, 20))
    # Evening self-study is never the monitor's alone, even when short.
    assert leave.chain_row == "class_teacher"
    assert leave.periods == 0
    assert "falls in evening self-study or later" in school.client("student").get(
        f"/school_leave/leave/{leave.id}").text


def test_leaving_campus_without_the_parents_call_is_refused(school):
    response = school.apply(start=at(DAY, 14), end=at(DAY, 15, 40), leaving=True)
    assert 'data-code="parent_call_advance"' in response.text
    assert "at least 12 hours before the leave starts" in response.text
    assert "Ask your parent to phone the class teacher" in response.text
    assert leave_count() == 0


def test_leaving_campus_needs_the_call_at_least_half_a_day_before(school):
    # A call now, and a leave starting in 11 hours: too late.
    now = local_now()
    school.record_call(called_at=now)
    soon = now + timedelta(hours=11)
    response = school.apply(start=soon, end=soon + timedelta(hours=1), leaving=True)
    assert 'data-code="parent_call_advance"' in response.text
    assert leave_count() == 0
    # Exactly twelve hours after the call: allowed (half a day "in advance", line 33).
    later = now + timedelta(hours=12)
    leave = school.file(start=later, end=later + timedelta(hours=1), leaving=True)
    assert leave.leaving_campus
    page = school.client("teacher").get(f"/school_leave/leave/{leave.id}").text
    assert "Asked in advance" in page  # the call the leave relied on is linked to it


def test_a_call_is_used_by_one_leave_only(school):
    school.record_call()
    school.file(start=at(DAY, 14), end=at(DAY, 15, 40), leaving=True)
    response = school.apply(start=at(DAY, 14, plus_days=1), end=at(DAY, 15, plus_days=1),
                            leaving=True)
    assert 'data-code="parent_call_advance"' in response.text


def test_a_call_cannot_be_recorded_in_the_future(school):
    response = school.record_call(called_at=local_now() + timedelta(hours=3))
    assert response.status_code == 422
    assert "A call is recorded after it happened." in response.text


def test_the_check_button_explains_without_filing(school):
    # Checking needs only the times (no reason yet); submitting needs the reason.
    response = school.apply(start=at(DAY, 14), end=at(DAY, 15, 40), leaving=True, check=True,
                            reason="")
    assert "Say why you ask for leave." not in response.text
    assert 'data-code="parent_call_advance"' in response.text
    assert 'data-row="class_teacher"' in response.text
    assert leave_count() == 0
    response = school.apply(start=at(DAY, 8), end=at(DAY, 8, 45), reason="")
    assert response.status_code == 200 and "Say why you ask for leave." in response.text
    assert leave_count() == 0


def test_students_apply_for_themselves_only(school):
    # A student's form has no "student" field: a posted one is ignored.
    leave = school.file(start=at(DAY, 8), end=at(DAY, 8, 45), student="student2",
                        proxy_reason="x")
    assert leave.student_id == school["student"].id
    assert leave.applicant_id == school["student"].id


def test_the_monitor_files_for_a_classmate_only_with_a_reason(school):
    response = school.apply("monitor", start=at(DAY, 8), end=at(DAY, 8, 45), student="student")
    assert response.status_code == 200
    assert "only special cases may be filed by someone else" in response.text
    assert leave_count() == 0
    leave = school.file("monitor", start=at(DAY, 8), end=at(DAY, 8, 45), student="student",
                        proxy_reason="Fever, resting in the dorm")
    assert leave.student_id == school["student"].id
    assert leave.applicant_id == school["monitor"].id
    page = school.client("teacher").get(f"/school_leave/leave/{leave.id}").text
    assert "Fever, resting in the dorm" in page
    # A student of another class cannot be chosen.
    response = school.apply("monitor", start=at(DAY, 8), end=at(DAY, 8, 45),
                            student="student_b", proxy_reason="x")
    assert "Not a valid choice" in response.text


def test_the_end_must_follow_the_start(school):
    response = school.apply(start=at(DAY, 10), end=at(DAY, 9))
    assert response.status_code == 200
    assert "The leave must end after it starts." in response.text
    assert leave_count() == 0
