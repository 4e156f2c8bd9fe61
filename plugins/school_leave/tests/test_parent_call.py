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


def test_the_class_teachers_call_form_starts_from_what_is_known(school):
    """Issue 18, point 5: type the call once. The step form of the class teacher starts from
    the parent's advance call the leave relied on, else from the first parent's number."""
    import re

    from danwei_school_leave.testing import at, form_time, local_now, monday

    day = monday()
    call = school.earlier_call(hours=1)
    leave = school.file(start=at(day, 14), end=at(day, 17, 40), leaving=True)
    school.sign("monitor", leave)
    page = school.client("teacher").get(f"/school_leave/leave/{leave.id}").text

    def value(name):
        found = re.search(rf'name="step-{name}"[^>]*value="([^"]*)"', page) or re.search(
            rf'name="step-{name}"[^>]*>([^<]*)</textarea>', page)
        return found.group(1).strip() if found else None

    from core.api import to_local

    assert value("phone") == "13900001111" and value("answered_by") == "Mother"
    assert value("called_at") == form_time(to_local(call.called_at))
    assert "Asked in advance" in page
    # Signing it as it stands records the call (the form is valid as prefilled).
    response = school.client("teacher").post(f"/workflow/{leave.workflow_id}/decide", data={
        "decide-approve": "x", "decide-comment": "", "step-called_at": value("called_at"),
        "step-phone": value("phone"), "step-answered_by": value("answered_by"),
        "step-note": "Asked in advance"})
    assert response.status_code == 302 and school.leave(leave.id).status == "approved"

    # No advance call (on campus): the first parent's number, and now.
    student = school["student2"]
    school.client("teacher").post(f"/school_leave/students/{student.id}", data={
        "contact-name": "Li Gang", "contact-relation": "Father",
        "contact-phone": "13700002222", "contact-submit": "x"})
    other = school.file("student2", start=at(day, 8), end=at(day, 11, 40))
    school.sign("monitor", other)
    page = school.client("teacher").get(f"/school_leave/leave/{other.id}").text
    assert value("phone") == "13700002222" and value("answered_by") == "Father Li Gang"
    assert abs(datetime_of(value("called_at")) - local_now()).total_seconds() <= 120


def datetime_of(text):
    from datetime import datetime

    return datetime.strptime(text, "%Y-%m-%dT%H:%M")
