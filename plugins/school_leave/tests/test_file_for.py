"""Leave filed by the staff (issue 18, points 2 and 3): the class teacher files for a student,
the student-affairs office overrides the advance-notice rules in an emergency, and a parent's
call cannot be back-dated to get round them."""

from datetime import timedelta

from danwei_school_leave.models import Leave, ParentCall
from danwei_school_leave.testing import at, form_time, local_now, monday
from sqlalchemy import select

from core.api import AuditEvent, db

DAY = monday()


def _post(school, who, path, **fields):
    data = {"leave_type": "sick", "reason": "Fever, 39°C", "submit": "x", **fields}
    return school.client(who).post(path, data=data)


def test_the_class_teacher_files_for_a_student_and_the_slip_says_so(school):
    student = school["student"]
    page = school.client("teacher").get(f"/school_leave/students/{student.id}")
    assert 'data-testid="file-for"' in page.text
    response = _post(school, "teacher", f"/school_leave/students/{student.id}/apply",
                     start=form_time(at(DAY, 8)), end=form_time(at(DAY, 11, 40)),
                     proxy_reason="Boarder, no phone this week")
    assert response.status_code == 302, response.text
    leave = db.session.scalars(select(Leave)).one()
    assert (leave.student_id, leave.applicant_id, leave.filed_as) == (
        student.id, school["teacher"].id, "class_teacher")
    # The chain is the table's as for any leave of four periods: monitor, then class teacher.
    assert school.steps(leave) == ["monitor", "class_teacher"]
    detail = school.client("teacher").get(f"/school_leave/leave/{leave.id}").text
    assert "Teacher (class teacher) — Boarder, no phone this week" in detail
    slip = school.client("student").get(f"/school_leave/leave/{leave.id}/slip").text
    assert 'data-testid="slip-filed-by"' in slip and "Teacher (class teacher)" in slip
    # The student finds it among their own leave.
    assert f'data-leave="{leave.id}"' in school.client("student").get("/school_leave/mine").text


def test_only_the_class_teacher_of_the_class_files_for_its_students(school):
    student = school["student"]
    path = f"/school_leave/students/{student.id}/apply"
    assert school.client("teacher_b").get(path).status_code == 404
    for who in ("student2", "monitor"):  # the monitor's proxy stays on the apply page
        assert school.client(who).get(path).status_code == 404
    assert db.session.query(Leave).count() == 0


def test_the_monitors_proxy_still_needs_a_reason_and_is_recorded_as_a_classmates(school):
    response = school.apply("monitor", start=at(DAY, 8), end=at(DAY, 8, 45),
                            student="student", proxy_reason="")
    assert "only special cases may be filed by someone else" in response.text
    leave = school.file("monitor", start=at(DAY, 8), end=at(DAY, 8, 45), student="student",
                        proxy_reason="In the infirmary")
    assert leave.filed_as == "classmate" and leave.applicant_id == school["monitor"].id


def test_an_emergency_override_needs_a_reason_and_is_audited_on_the_slip_and_report(school):
    student = school["student"]
    path = f"/school_leave/students/{student.id}/emergency"
    start, end = at(DAY, 14), at(DAY, 17, 40)
    # Without the override, leaving campus with no parent's call half a day ahead is refused.
    refused = _post(school, "teacher", f"/school_leave/students/{student.id}/apply",
                    start=form_time(start), end=form_time(end), leaving_campus="y")
    assert 'data-code="parent_call_advance"' in refused.text
    assert db.session.query(Leave).count() == 0
    # The student-affairs office may override, but not without saying why.
    affairs = school.client("affairs")
    assert 'data-testid="emergency-link"' in affairs.get(
        f"/school_leave/students/{student.id}").text
    no_reason = _post(school, "affairs", path, start=form_time(start), end=form_time(end),
                      leaving_campus="y", emergency="y", emergency_reason=" ")
    assert no_reason.status_code == 422
    assert "the override is refused without a reason" in no_reason.text
    assert "Fever, 39°C" in no_reason.text  # what was typed is kept
    assert db.session.query(Leave).count() == 0

    filed = _post(school, "affairs", path, start=form_time(start), end=form_time(end),
                  leaving_campus="y", emergency="y",
                  emergency_reason="High fever; the parent cannot be reached, to hospital")
    assert filed.status_code == 302, filed.text
    leave = db.session.scalars(select(Leave)).one()
    assert leave.emergency_by_id == school["affairs"].id and leave.filed_as == "student_affairs"
    assert leave.emergency_reason.startswith("High fever")
    # Only the advance-notice rules were lifted: the chain is the table's, the class teacher
    # still phones the parent when signing.
    assert school.steps(leave) == ["monitor", "class_teacher"]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "school_leave.emergency_override")).one()
    assert event.actor_id == school["affairs"].id and "High fever" in event.summary
    for page in (f"/school_leave/leave/{leave.id}", f"/school_leave/leave/{leave.id}/slip"):
        text = school.client("teacher").get(page).text
        assert "Override by Affairs: High fever" in text, page
    register = school.client("affairs").get(
        f"/reports/school_leave.register?period={DAY.year}-{DAY.month:02d}").text
    assert "High fever; the parent cannot be reached" in register
    assert "Affairs (student affairs office)" in register


def test_no_one_but_the_student_affairs_office_overrides(school):
    path = f"/school_leave/students/{school['student'].id}/emergency"
    assert school.client("teacher").get(path).status_code == 404
    assert school.client("grade").get(path).status_code == 404
    assert school.client("student").get(path).status_code == 404


def test_an_emergency_leave_lets_the_student_out_at_the_gate_without_an_advance_call(school):
    # A sick student now, whatever the hour (the override lifts the evening-study rule too).
    start = local_now()
    filed = _post(school, "affairs", f"/school_leave/students/{school['student'].id}/emergency",
                  start=form_time(start), end=form_time(start + timedelta(hours=4)),
                  leaving_campus="y", emergency="y", emergency_reason="Fever, to hospital")
    assert filed.status_code == 302, filed.text
    leave = school.sign_all(db.session.scalars(select(Leave)).one())
    assert leave.status == "approved"
    token = school.slip_token(leave, who="teacher")
    out = school.client("guard").post(f"/school_leave/check/{token}/exit")
    assert out.status_code == 302
    assert school.leave(leave.id).exited_at is not None


def test_a_parents_call_cannot_be_back_dated(school):
    response = school.record_call(called_at=local_now() - timedelta(hours=13))
    assert response.status_code == 422
    assert "A call is recorded when it happens" in response.text
    assert db.session.query(ParentCall).count() == 0
    # Within the grace of the setting (30 minutes) it is recorded with its own time.
    assert school.record_call(called_at=local_now() - timedelta(minutes=20)).status_code == 302
    assert db.session.query(ParentCall).count() == 1
