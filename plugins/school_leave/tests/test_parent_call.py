"""The class teacher phones the parent before signing, and notes it on the slip (lines 13, 17)."""

from danwei_school_leave.models import ParentCall
from danwei_school_leave.testing import at, monday

from core.api import db

DAY = monday()


def test_the_class_teacher_cannot_sign_without_noting_the_call(school):
    leave = school.file(start=at(DAY, 8), end=at(DAY, 11, 40))
    school.sign("monitor", leave)
    assert school.waiting_for(leave) == {"teacher"}

    page = school.client("teacher").get(f"/school_leave/leave/{leave.id}").text
    assert "Parent phoned at" in page and "Who answered" in page

    response = school.decide("teacher", leave, call=False)
    assert "This field is required." in response.text
    assert school.leave(leave.id).status == "pending"
    assert school.waiting_for(leave) == {"teacher"}
    assert db.session.query(ParentCall).count() == 0

    assert school.decide("teacher", leave).status_code == 302
    leave = school.leave(leave.id)
    assert leave.status == "approved"
    call = db.session.query(ParentCall).one()
    assert (call.leave_id, call.direction, call.phone, call.answered_by) == (
        leave.id, "outgoing", "13900001111", "Mother")
    assert call.recorded_by_id == school["teacher"].id
    slip = school.client("student").get(f"/school_leave/leave/{leave.id}/slip").text
    assert "13900001111" in slip and "Mother" in slip


def test_a_monitor_only_leave_needs_no_call(school):
    leave = school.file(start=at(DAY, 8), end=at(DAY, 8, 45))
    page = school.client("monitor").get(f"/school_leave/leave/{leave.id}").text
    assert "Parent phoned at" not in page
    school.sign("monitor", leave)
    assert school.leave(leave.id).status == "approved"


def test_parents_are_contacts_kept_by_the_class_teacher(school):
    teacher = school.client("teacher")
    student = school["student"]
    response = teacher.post(f"/school_leave/students/{student.id}", data={
        "contact-name": "Wang Li", "contact-relation": "Mother", "contact-phone": "13912345678",
        "contact-submit": "x"})
    assert response.status_code == 302
    page = teacher.get(f"/school_leave/students/{student.id}").text
    assert "Wang Li" in page and "13912345678" in page
    # The decision form of the class teacher shows whom to phone.
    leave = school.file(start=at(DAY, 8), end=at(DAY, 11, 40))
    school.sign("monitor", leave)
    assert "13912345678" in teacher.get(f"/school_leave/leave/{leave.id}").text
    # The class teacher of another class sees neither the student nor the numbers.
    other = school.client("teacher_b")
    assert other.get(f"/school_leave/students/{student.id}").status_code == 404
    assert "Wang Li" not in other.get("/school_leave/students").text
