"""The daily class log (lines 15, 23) and the Friday reconciliation (line 25)."""

from datetime import timedelta

from danwei_school_leave.models import LogEntry, Reconciliation
from danwei_school_leave.testing import at, monday

from core.api import AuditEvent, db

DAY = monday()


def log_url(school, day):
    return f"/school_leave/log?unit={school.units['a'].id}&day={day.isoformat()}"


def test_the_duty_cadre_keeps_the_log_and_approved_leave_shows_by_itself(school,
                                                                       notifications_of):
    leave = school.sign_all(school.file(start=at(DAY, 8), end=at(DAY, 8, 45)))
    duty = school.client("duty")
    page = duty.get(log_url(school, DAY)).text
    assert 'data-testid="on-leave"' in page and f"/school_leave/leave/{leave.id}" in page
    assert "Nothing noted for this day." in page

    for student, kind in (("student2", "late"), ("student", "early_leave"),
                          ("monitor", "absent")):
        response = duty.post(log_url(school, DAY), data={
            "student": str(school[student].id), "kind": kind, "period": "1", "note": ""})
        assert response.status_code == 302
    page = duty.get(log_url(school, DAY)).text
    # The student on signed leave is covered; the absent monitor is not.
    assert page.count('data-uncovered="yes"') == 1
    assert page.count('data-uncovered="no"') == 2
    # Twice the same line is refused.
    again = duty.post(log_url(school, DAY), data={
        "student": str(school["student2"].id), "kind": "late"})
    assert again.status_code == 422 and "Already in today's log." in again.text
    assert db.session.query(LogEntry).count() == 3

    # Reported to the class teacher, who sees the day at a glance.
    duty.post("/school_leave/log/report", data={"unit": school.units["a"].id,
                                                 "day": DAY.isoformat()})
    [note] = notifications_of(school["teacher"])
    assert "3 entries, 1 not covered by leave" in note.subject
    teacher_view = school.client("teacher").get(log_url(school, DAY)).text
    assert 'data-testid="reported"' in teacher_view
    assert teacher_view.count('data-uncovered="yes"') == 1
    # Students cannot keep the log.
    assert school.client("student").get(log_url(school, DAY)).status_code == 404


def test_friday_reconciliation_highlights_discrepancies_and_is_signed_off(school):
    signed = school.sign_all(school.file(start=at(DAY, 8), end=at(DAY, 8, 45)))
    unsigned = school.file("student2", start=at(DAY, 10, plus_days=1),
                           end=at(DAY, 10, 45, plus_days=1))
    duty = school.client("duty")
    for student, day in (("student", DAY), ("student2", DAY + timedelta(days=1)),
                         ("monitor", DAY + timedelta(days=2))):
        duty.post(log_url(school, day), data={"student": str(school[student].id),
                                              "kind": "absent"})
    week = f"/school_leave/reconcile?unit={school.units['a'].id}&week={DAY.isoformat()}"
    page = school.client("monitor").get(week).text
    assert 'data-count="2"' in page
    assert "Absent on a slip that is not fully signed (pending)." in page
    assert f"/school_leave/leave/{unsigned.id}" in page
    assert "Marked absent or left early in the log, with no slip." in page
    assert f"/school_leave/leave/{signed.id}" in page  # in the week's slips
    # The monitor prepares it; only the class teacher signs it off.
    assert 'data-testid="sign-form"' not in page
    assert school.client("monitor").post(week, data={"note": "x"}).status_code == 404
    response = school.client("teacher").post(week, data={"note": "Talked to both."})
    assert response.status_code == 302
    done = db.session.query(Reconciliation).one()
    assert (done.discrepancies, done.signed_by_id) == (2, school["teacher"].id)
    assert db.session.query(AuditEvent).filter_by(action="school_leave.reconciled").count() == 1
    assert 'data-testid="signed"' in school.client("monitor").get(week).text
    # The other class's teacher sees nothing of it.
    assert school.client("teacher_b").get(week).status_code == 404
