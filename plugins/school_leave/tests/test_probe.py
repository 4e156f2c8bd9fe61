"""The outside probe's findings on school leave (issue 12), each as the probe ran it.

Each test names the class of hole it closes: the gate asks the rules (not the state), cadres
see only what their job needs, user-given ranges are bounded before any work, every date is
parsed within bounds, the class teacher's call is checked and always recorded, and one student
cannot hold two overlapping leaves.
"""

from __future__ import annotations

import time as clock
from datetime import datetime, time, timedelta

import pytest
from danwei_school_leave import rules as r
from danwei_school_leave.models import Leave, ParentCall
from danwei_school_leave.testing import at, form_time, local_now, monday

from core.api import db, to_utc

DAY = monday()


def now_leave(school, leave):
    """Move *leave* so that it runs now (the chain it was signed on stays), and return it."""
    leave = school.leave(leave.id)
    length = leave.end_at - leave.start_at
    leave.start_at = to_utc(local_now()) - timedelta(minutes=5)
    leave.end_at = leave.start_at + length
    db.session.commit()
    return school.leave(leave.id)


# -- 1. the gate asks the rules, not the state ---------------------------------------------------


def test_a_slip_signed_only_by_the_monitor_does_not_open_the_gate(school):
    leave = school.file("monitor", student="student", proxy_reason="Ill in the dormitory",
                        start=at(DAY, 8), end=at(DAY, 8, 45))
    assert leave.chain_row == "monitor" and not leave.leaving_campus
    school.sign("monitor", leave)
    leave = now_leave(school, leave)
    assert leave.status == "approved"

    token = school.slip_token(leave)
    page = school.client("guard").get(f"/school_leave/check/{token}").text
    assert 'data-valid="no"' in page
    assert 'data-testid="record-exit"' not in page
    assert "not approved as leaving campus" in page

    # Posting the exit anyway records nothing, and says why.
    response = school.client("guard").post(f"/school_leave/check/{token}/exit",
                                           follow_redirects=True)
    assert "not approved as leaving campus" in response.text
    assert school.leave(leave.id).exited_at is None
    # The slip itself says it is no pass for the gate.
    slip = school.client("student").get(f"/school_leave/leave/{leave.id}/slip").text
    assert 'data-testid="on-campus-only"' in slip


def test_leaving_campus_needs_the_class_teacher_and_the_parents_advance_call_at_the_gate(school):
    """Even a leave marked as leaving campus opens the gate only with both, whatever its state
    says (here: approved by a row without the class teacher, as an older version could)."""
    school.earlier_call(hours=13)
    start = local_now() + timedelta(minutes=10)
    leave = school.file(start=start, end=start + timedelta(hours=3), leaving=True)
    leave = school.sign_all(leave)
    token = school.slip_token(leave)
    assert 'data-testid="record-exit"' in school.client("guard").get(
        f"/school_leave/check/{token}").text

    # The advance call no longer linked: refused.
    db.session.query(ParentCall).update({"leave_id": None})
    db.session.commit()
    page = school.client("guard").get(f"/school_leave/check/{token}").text
    assert 'data-testid="record-exit"' not in page and "advance" in page


def test_the_exit_rule_on_its_own():
    ok = dict(approved=True, leaving_campus=True, row="class_teacher", teacher_signed=True,
              advance_call=True)
    assert r.exit_refusal(**ok) is None
    for change, code in ((dict(approved=False), "not_approved"),
                         (dict(leaving_campus=False), "on_campus"),
                         (dict(row="monitor"), "no_class_teacher"),
                         (dict(row="morning_exercise"), "no_class_teacher"),
                         (dict(teacher_signed=False), "no_class_teacher"),
                         (dict(advance_call=False), "no_advance_call")):
        assert r.exit_refusal(**{**ok, **change}).code == code, change


def test_morning_exercise_that_leaves_campus_takes_the_class_teachers_row():
    duration = r.Duration(0, 0, (), False)
    chain = r.choose_chain(r.Facts(r.MORNING_EXERCISE, duration, True, False))
    assert chain.row == "class_teacher" and chain.parent_call_required


# -- 4. cadres see names and today's state, not parents or history -------------------------------


def test_cadres_do_not_read_classmates_parents_calls_or_history(school):
    teacher = school.client("teacher")
    student = school["student"]
    teacher.post(f"/school_leave/students/{student.id}", data={
        "contact-name": "Wang Li", "contact-relation": "Mother", "contact-phone": "13912345678",
        "contact-submit": "x"})
    school.earlier_call(hours=1)
    leave = school.file(start=at(DAY, 8), end=at(DAY, 11, 40), reason="Dentist appointment")
    school.sign("monitor", leave)

    for cadre in ("monitor", "duty", "pe", "dorm"):
        client = school.client(cadre)
        page = client.get(f"/school_leave/students/{student.id}")
        assert page.status_code == 200, cadre
        assert student.name in page.text and 'data-testid="today"' in page.text, cadre
        for secret in ("13912345678", "Wang Li", "Asked in advance", "13900001111",
                       f"/school_leave/leave/{leave.id}\""):
            assert secret not in page.text, (cadre, secret)
        listing = client.get("/school_leave/students").text
        assert "13912345678" not in listing and 'data-testid="leave-count"' not in listing
        # Nor through the lists of leave: the monitor signs what is waiting, no history.
        assert f'data-leave="{leave.id}"' not in client.get("/school_leave/").text, cadre
    # The monitor who signed the leave opens it, without the parents' numbers.
    page = school.client("monitor").get(f"/school_leave/leave/{leave.id}").text
    assert "Dentist appointment" in page and "13912345678" not in page
    assert "Asked in advance" not in page
    # The class teacher still sees everything.
    page = teacher.get(f"/school_leave/students/{student.id}").text
    assert "13912345678" in page and f"/school_leave/leave/{leave.id}" in page
    assert "13912345678" in teacher.get(f"/school_leave/leave/{leave.id}").text
    # A student sees their own leave and their own parents.
    own = school.client("student").get(f"/school_leave/leave/{leave.id}").text
    assert "Dentist appointment" in own


# -- 5. a user-given range is bounded before any work ---------------------------------------------


def test_a_leave_of_centuries_is_refused_at_once_with_the_reason(school):
    began = clock.monotonic()
    # (year 2190: within what a date field accepts, the length is what is refused)
    response = school.apply(start=at(DAY, 8), end=datetime(2190, 1, 1, 8, 0))
    assert clock.monotonic() - began < 1.5
    assert response.status_code == 200
    assert "longer than 30 days" in response.text
    assert db.session.query(Leave).count() == 0
    # Thirty days is still a leave (with its chain), one minute more is not.
    start = at(DAY, 8)
    assert "longer than 30" not in school.apply(start=start, end=start + timedelta(days=30),
                                                check=True).text
    assert "longer than 30" in school.apply(start=start,
                                            end=start + timedelta(days=30, minutes=1),
                                            check=True).text


def test_the_bound_is_a_setting(school):
    from core.api import set_setting

    set_setting("school_leave", "max_leave_days", 3, school.units["s"])
    db.session.commit()
    response = school.apply(start=at(DAY, 8), end=at(DAY, 8, plus_days=4), check=True)
    assert "longer than 3 days" in response.text


def test_the_duration_does_no_work_for_a_range_beyond_the_bound():
    calls = []

    def school_day(d):
        calls.append(d)
        return True

    with pytest.raises(r.TooLong):
        r.leave_duration(datetime(2026, 1, 1, 8), datetime(9998, 1, 1), r.Timetable(()),
                         school_day, max_days=30)
    assert calls == []
    # Within the bound, the days between the first and the last are not walked period by
    # period: a month costs one look at the calendar per day.
    timetable = r.Timetable((r.Period("1", time(8), time(8, 45)),))
    duration = r.leave_duration(datetime(2026, 1, 1, 8), datetime(2026, 1, 30, 9),
                                timetable, school_day, max_days=30)
    assert duration.periods == 30 and len(calls) == 30


# -- 7. every date is parsed within bounds ---------------------------------------------------------


@pytest.mark.parametrize("edge", ["0001-01-01T08:00", "9999-12-31T23:59", "0001-01-01T00:00"])
def test_extreme_years_on_the_apply_form_are_a_field_error(school, edge):
    data = {"leave_type": "personal", "reason": "x", "submit": "x",
            "start": edge, "end": "2026-12-01T09:00"}
    response = school.client("student").post("/school_leave/apply", data=data)
    assert response.status_code == 200 and "invalid-feedback" in response.text
    data.update(start="2026-12-01T08:00", end=edge)
    response = school.client("student").post("/school_leave/apply", data=data)
    assert response.status_code == 200 and "invalid-feedback" in response.text
    assert db.session.query(Leave).count() == 0


# -- 10. the class teacher's call is checked and always recorded ---------------------------------


def _teacher_step(school):
    leave = school.file(start=at(DAY, 8), end=at(DAY, 11, 40))
    school.sign("monitor", leave)
    assert school.waiting_for(leave) == {"teacher"}
    return leave


def _decide_with_call(school, leave, called_at: str):
    return school.client("teacher").post(f"/workflow/{leave.workflow_id}/decide", data={
        "decide-approve": "x", "decide-comment": "", "step-called_at": called_at,
        "step-phone": "13900001111", "step-answered_by": "Mother", "step-note": "ok"})


@pytest.mark.parametrize("when", ["year1", "future", "after_the_leave", "long_before"])
def test_the_parent_call_time_on_the_teachers_step_is_checked(school, when):
    leave = _teacher_step(school)
    called_at = {
        "year1": "0001-01-01T08:00",
        "future": form_time(local_now() + timedelta(days=1)),
        "after_the_leave": form_time(local_now() - timedelta(minutes=1)),
        "long_before": form_time(local_now() - timedelta(days=60)),
    }[when]
    if when == "after_the_leave":
        # The leave is over; the call must have been made before it ended.
        moved = school.leave(leave.id)
        moved.start_at -= timedelta(days=30)
        moved.end_at -= timedelta(days=30)
        db.session.commit()
    response = _decide_with_call(school, leave, called_at)
    assert response.status_code == 200, when
    assert "invalid-feedback" in response.text
    assert school.leave(leave.id).status == "pending"
    assert db.session.query(ParentCall).count() == 0


def test_an_accepted_call_always_makes_a_call_record(school):
    leave = _teacher_step(school)
    response = _decide_with_call(school, leave, form_time(local_now() - timedelta(hours=2)))
    assert response.status_code == 302
    call = db.session.query(ParentCall).one()
    assert call.leave_id == leave.id and call.direction == "outgoing"


# -- 14. one student, one leave at a time ------------------------------------------------------


def test_an_overlapping_or_duplicate_leave_is_refused(school):
    first = school.file(start=at(DAY, 8), end=at(DAY, 9, 40))
    for start, end in ((at(DAY, 8), at(DAY, 9, 40)), (at(DAY, 9), at(DAY, 10, 45)),
                       (at(DAY, 7), at(DAY, 17))):
        response = school.apply(start=start, end=end)
        assert response.status_code == 200
        assert "overlaps" in response.text
    assert db.session.query(Leave).count() == 1
    # Right after it, or for another student: fine.
    school.file(start=at(DAY, 9, 40), end=at(DAY, 10, 45))
    school.file("student2", start=at(DAY, 8), end=at(DAY, 9, 40))
    # A withdrawn or refused leave no longer blocks the time.
    school.client("student").post(f"/workflow/{first.workflow_id}/withdraw",
                                  data={"withdraw-comment": "changed my mind"})
    assert school.leave(first.id).status == "withdrawn"
    school.file(start=at(DAY, 8), end=at(DAY, 9, 40))


def test_a_revision_may_not_overlap_another_leave(school):
    other = school.file(start=at(DAY, 14), end=at(DAY, 14, 45))
    leave = school.file(start=at(DAY, 8), end=at(DAY, 8, 45))
    school.decide("monitor", leave, action="send_back", comment="wrong day", call=False)
    assert school.leave(leave.id).status == "returned"
    response = school.client("student").post(f"/school_leave/leave/{leave.id}/edit", data={
        "leave_type": "personal", "reason": "x", "submit": "x",
        "start": form_time(at(DAY, 14)), "end": form_time(at(DAY, 15))})
    assert response.status_code == 200 and "overlaps" in response.text
    assert school.leave(leave.id).start_at != school.leave(other.id).start_at


# -- 8. a copy goes only to someone who may see the leave -------------------------------------------


def test_a_leave_is_copied_only_to_the_staff_of_the_class(school):
    leave = school.file(start=at(DAY, 8), end=at(DAY, 11, 40))
    student = school.client("student")
    for other in ("teacher_b", "monitor_b", "duty", "guard"):
        response = student.post(f"/workflow/{leave.workflow_id}/cc",
                                data={"cc-usernames": school[other].username},
                                follow_redirects=True)
        assert "cannot be copied in" in response.text, other
        assert school.client(other).get(f"/school_leave/leave/{leave.id}").status_code == 404
    response = student.post(f"/workflow/{leave.workflow_id}/cc",
                            data={"cc-usernames": school["grade"].username},
                            follow_redirects=True)
    assert "Copied in:" in response.text


def test_what_the_class_teacher_noted_is_not_shown_to_the_cadres_who_signed(school):
    leave = school.file(start=at(DAY, 8), end=at(DAY, 11, 40))
    school.sign("monitor", leave)
    school.sign("teacher", leave)  # notes the call: 13900001111, "Mother"
    assert school.leave(leave.id).status == "approved"
    for url in (f"/workflow/{leave.workflow_id}", f"/school_leave/leave/{leave.id}"):
        page = school.client("monitor").get(url)
        assert page.status_code == 200 and "13900001111" not in page.text, url
        assert "13900001111" in school.client("teacher").get(url).text, url
        assert "13900001111" in school.client("student").get(url).text, url
