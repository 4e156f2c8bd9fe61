"""Each row of the chain table (篇一 lines 13, 17, 35) end to end: filed through the form, signed
through core's workflow panel by the people the engine asks, in the order of the table."""

import pytest
from danwei_school_leave.testing import at, monday

from core.api import set_setting

DAY = monday()


def walk(school, leave, signers):
    """Sign the leave in order, checking at each step that it waits for exactly that person."""
    for who in signers:
        assert school.waiting_for(leave) == {who}, f"expected {who}"
        school.sign(who, leave)
    assert school.leave(leave.id).status == "approved"


@pytest.mark.parametrize(
    ("start", "end", "row", "periods", "signers"),
    [
        (at(DAY, 8), at(DAY, 8, 45), "monitor", 1, ["monitor"]),
        # Exactly two periods: still the monitor alone.
        (at(DAY, 8), at(DAY, 9, 40), "monitor", 2, ["monitor"]),
        # Three periods: the class teacher too.
        (at(DAY, 8), at(DAY, 10, 45), "class_teacher", 3, ["monitor", "teacher"]),
        # Exactly one day: still monitor → class teacher.
        (at(DAY, 7, 30), at(DAY, 18), "class_teacher", 8, ["monitor", "teacher"]),
        # A day and a half: grade office and student affairs.
        (at(DAY, 7, 30), at(DAY, 12, plus_days=1), "grade", 12,
         ["monitor", "teacher", "grade", "affairs"]),
        # Exactly two days: still no principal.
        (at(DAY, 7, 30), at(DAY, 18, plus_days=1), "grade", 16,
         ["monitor", "teacher", "grade", "affairs"]),
        # More than two days: the principal signs last.
        (at(DAY, 7, 30), at(DAY, 9, plus_days=2), "principal", 18,
         ["monitor", "teacher", "grade", "affairs", "principal"]),
    ],
)
def test_chain_rows_and_boundaries(school, start, end, row, periods, signers):
    if end.date() > start.date():
        # Longer leave covers an evening self-study: the parent phones the class teacher first.
        school.record_call()
    leave = school.file(start=start, end=end)
    assert (leave.chain_row, leave.periods) == (row, periods)
    page = school.client("student").get(f"/school_leave/leave/{leave.id}").text
    assert f'data-row="{row}"' in page
    walk(school, leave, signers)


def test_the_form_shows_the_chain_and_why_before_submitting(school):
    school.record_call()
    response = school.apply(start=at(DAY, 7, 30), end=at(DAY, 12, plus_days=1), check=True)
    assert response.status_code == 200
    assert 'data-row="grade"' in response.text
    assert "12 class periods (1.5 days)" in response.text
    assert "grade office and the student affairs office sign too" in response.text
    assert "Grade office" in response.text and "Student affairs office" in response.text
    from danwei_school_leave.models import Leave

    from core.api import db

    assert db.session.query(Leave).count() == 0  # checking files nothing


def test_exam_period_uses_the_exam_chain_whatever_the_length(school):
    set_setting("school_leave", "exam_windows", f"{DAY.isoformat()},{DAY.isoformat()}",
                school.units["s"])
    from core.api import db

    db.session.commit()
    leave = school.file(start=at(DAY, 8), end=at(DAY, 8, 45))
    assert leave.chain_row == "exam"
    page = school.client("student").get(f"/school_leave/leave/{leave.id}").text
    assert "Exam period: yes" in page
    walk(school, leave, ["teacher", "grade", "affairs", "academic", "vice"])


def test_morning_exercise_is_valid_on_the_joint_signature_then_reviewed(school, notifications_of):
    """Line 35 (issue 18, point 6): the monitor, the PE member and the dorm head sign
    together and the leave is valid; the class teacher's review at morning self-study comes
    after the exercise, is recorded, and never holds the leave pending."""
    leave = school.file(start=at(DAY, 6, 30), end=at(DAY, 7), leave_type="morning_exercise")
    assert leave.chain_row == "morning_exercise"
    assert school.waiting_for(leave) == {"monitor", "pe", "dorm"}
    school.sign("monitor", leave)
    # All of them must sign: the step stays open for the other two.
    assert school.waiting_for(leave) == {"pe", "dorm"}
    school.sign("pe", leave)
    assert school.leave(leave.id).status == "pending"
    school.sign("dorm", leave)
    leave = school.leave(leave.id)
    assert leave.status == "approved" and school.waiting_for(leave) == set()
    assert leave.reviewed_at is None
    # The class teacher is asked to review it, and nobody else can record the review.
    assert any("to review" in n.subject for n in notifications_of(school["teacher"]))
    page = school.client("teacher").get(f"/school_leave/leave/{leave.id}").text
    assert 'data-testid="review"' in page and "Not yet (the leave is valid already)" in page
    for who in ("teacher_b", "monitor"):
        assert school.client(who).post(
            f"/school_leave/leave/{leave.id}/review").status_code == 404, who
    assert school.leave(leave.id).reviewed_at is None
    response = school.client("teacher").post(f"/school_leave/leave/{leave.id}/review")
    assert response.status_code == 302
    leave = school.leave(leave.id)
    assert leave.reviewed_by_id == school["teacher"].id and leave.status == "approved"
    slip = school.client("student").get(f"/school_leave/leave/{leave.id}/slip").text
    assert 'data-testid="slip-review"' in slip and "Teacher" in slip
    # Reviewed once.
    assert school.client("teacher").post(
        f"/school_leave/leave/{leave.id}/review").status_code == 404


def test_short_leave_leaving_campus_goes_to_the_class_teacher(school):
    school.record_call()  # the parent phoned the class teacher (now, days before)
    leave = school.file(start=at(DAY, 8), end=at(DAY, 8, 45), leaving=True)
    assert leave.chain_row == "class_teacher"
    walk(school, leave, ["monitor", "teacher"])


def test_thresholds_are_settings_of_the_school(school):
    from core.api import db

    set_setting("school_leave", "monitor_max_periods", 3, school.units["s"])
    db.session.commit()
    leave = school.file(start=at(DAY, 8), end=at(DAY, 10, 45))
    assert leave.chain_row == "monitor"


def test_returned_for_revision_the_student_revises_and_a_new_chain_is_chosen(school):
    leave = school.file(start=at(DAY, 8), end=at(DAY, 8, 45))
    response = school.decide("monitor", leave, "send_back", "Say which period", call=False)
    assert response.status_code == 302
    assert school.leave(leave.id).status == "returned"
    student = school.client("student")
    assert 'data-testid="edit"' in student.get(f"/school_leave/leave/{leave.id}").text
    assert school.client("student2").get(f"/school_leave/leave/{leave.id}/edit"
                                         ).status_code == 404
    response = student.post(f"/school_leave/leave/{leave.id}/edit", data={
        "leave_type": "personal", "start": f"{DAY.isoformat()}T08:00",
        "end": f"{DAY.isoformat()}T11:40", "reason": "Periods 1-4: passport office",
        "submit": "x"})
    assert response.status_code == 302
    leave = school.leave(leave.id)
    # Four periods now: the monitor, then the class teacher.
    assert (leave.status, leave.chain_row, leave.periods) == ("pending", "class_teacher", 4)
    assert school.steps(leave) == ["monitor", "class_teacher"]
    walk(school, leave, ["monitor", "teacher"])


def test_the_student_withdraws_before_the_decision(school):
    leave = school.file(start=at(DAY, 8), end=at(DAY, 11, 40))
    response = school.client("student").post(f"/workflow/{leave.workflow_id}/withdraw",
                                             data={"withdraw-comment": "Not needed"})
    assert response.status_code == 302
    assert school.leave(leave.id).status == "withdrawn"
    assert school.waiting_for(leave) == set()
