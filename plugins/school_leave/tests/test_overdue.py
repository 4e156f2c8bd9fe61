"""Back within the leave, or an extension filed in advance; otherwise truancy (line 21)."""

from datetime import timedelta
from itertools import count

import pytest
from danwei_school_leave.models import Leave
from danwei_school_leave.testing import local_now

from core.api import db, is_working_day, utcnow

RUNS = count(1)


@pytest.fixture
def run_job(run_jobs):
    """``run_job()``: run the overdue job now (each run in its own slot, as runs minutes apart
    would be)."""

    def run():
        outcomes = run_jobs(at=utcnow() + timedelta(seconds=next(RUNS)),
                            job="school_leave.overdue", force=True)
        assert [o.status for o in outcomes] == ["ok"], outcomes
        db.session.expire_all()

    return run


def test_the_job_runs_from_the_command_line(cli, school):
    result = cli("jobs", "run", "--job", "school_leave.overdue", "--force")
    assert result.exit_code == 0 and "ok      school_leave.overdue" in result.output


def shift(*leaves, hours):
    """Move leave (and when it was filed) *hours* into the past: time passes in the test."""
    for leave in leaves:
        leave.start_at -= timedelta(hours=hours)
        leave.end_at -= timedelta(hours=hours)
        leave.created_at -= timedelta(hours=hours)
    db.session.commit()


@pytest.fixture
def out_now(school):
    """An approved half-day leave off campus; the student went out through the gate."""
    school.earlier_call(hours=13)
    start = local_now() - timedelta(minutes=10)
    leave = school.sign_all(school.file(start=start, end=start + timedelta(hours=2),
                                        leaving=True))
    token = school.slip_token(leave)
    school.client("guard").post(f"/school_leave/check/{token}/exit")
    return school.leave(leave.id)


@pytest.fixture
def notes_for(notifications_of):
    def subjects(user):
        return [n.subject for n in notifications_of(user) if "not back" in n.subject]

    return subjects


def test_not_back_by_the_end_is_truancy_and_the_class_teacher_is_told(school, out_now, run_job,
                                                                      notes_for):
    run_job()
    assert school.leave(out_now.id).overdue_at is None  # not yet due
    shift(out_now, hours=3)
    run_job()
    leave = school.leave(out_now.id)
    assert leave.overdue_at is not None and leave.truancy
    assert notes_for(school["teacher"]) == ["Student is not back from leave: counted as truancy"]
    assert notes_for(school["teacher_b"]) == []
    page = school.client("teacher").get(f"/school_leave/leave/{leave.id}").text
    assert "counted as truancy" in page
    # Idempotent: running again tells nobody twice.
    run_job()
    assert len(notes_for(school["teacher"])) == 1
    # Listed under "truancy", and no extension can be filed any more.
    assert "Student" in school.client("teacher").get("/school_leave/?status=truancy").text
    assert school.client("monitor").get(f"/school_leave/leave/{leave.id}/extend"
                                        ).status_code == 404


def test_an_extension_filed_before_the_deadline_is_not_truancy(school, out_now, run_job,
                                                              notes_for):
    monitor = school.client("monitor")
    new_end = (out_now.end_at + timedelta(days=1))
    response = monitor.post(f"/school_leave/leave/{out_now.id}/extend", data={
        "end": (local_now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "explanation": "The mother phoned: the bus broke down."})
    assert response.status_code == 302, response.text
    extension = db.session.query(Leave).filter(Leave.extends_id == out_now.id).one()
    assert extension.applicant_id == school["monitor"].id and extension.status == "pending"
    assert extension.start_at == out_now.end_at and extension.end_at < new_end
    # Time passes: the leave ended, the extension (filed in time) still waits for signatures.
    shift(out_now, extension, hours=3)
    run_job()
    leave = school.leave(out_now.id)
    assert leave.overdue_at is not None and not leave.truancy
    assert notes_for(school["teacher"]) == [
        "Student is not back from leave; an extension is waiting"]
    assert "an extension filed in time is waiting" in school.client("teacher").get(
        f"/school_leave/leave/{leave.id}").text
    # The extension follows its own chain; once signed, the student is no longer overdue.
    assert school.sign_all(extension).status == "approved"
    leave = school.leave(out_now.id)
    assert leave.overdue_at is None and not leave.truancy
    run_job()
    assert school.leave(out_now.id).overdue_at is None
    # The slip of the extension lets the student back in; the return closes both.
    token = school.slip_token(extension)
    school.client("guard").post(f"/school_leave/check/{token}/return")
    assert school.leave(out_now.id).returned_at is not None


def test_an_extension_refused_after_the_deadline_turns_into_truancy(school, out_now, run_job):
    school.client("monitor").post(f"/school_leave/leave/{out_now.id}/extend", data={
        "end": (local_now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "explanation": "The father called."})
    extension = db.session.query(Leave).filter(Leave.extends_id == out_now.id).one()
    shift(out_now, extension, hours=3)
    run_job()
    assert not school.leave(out_now.id).truancy
    school.decide(school.waiting_for(extension).pop(), extension, "reject", "No reason given")
    assert school.leave(extension.id).status == "rejected"
    run_job()
    assert school.leave(out_now.id).truancy


def test_an_extension_filed_after_the_deadline_does_not_help(school, out_now, run_job):
    shift(out_now, hours=3)
    school.client("monitor").post(f"/school_leave/leave/{out_now.id}/extend", data={
        "end": (local_now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "explanation": "Too late."})
    run_job()
    assert school.leave(out_now.id).truancy


def test_only_the_monitor_files_extensions(school, out_now):
    for who in ("student", "teacher_b", "monitor_b"):
        assert school.client(who).get(f"/school_leave/leave/{out_now.id}/extend"
                                      ).status_code == 404


def test_the_class_teacher_records_a_return_on_campus(school, run_job):
    # Filed for a class hour tomorrow, then moved to have ended an hour ago: "two hours ago"
    # falls in evening self-study when the suite runs in the evening, and is refused then.
    start = (local_now() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    while not is_working_day(start.date()):
        start += timedelta(days=1)
    past = (start - local_now()).total_seconds() / 3600 + 2
    leave = school.sign_all(school.file(start=start, end=start + timedelta(hours=1)))
    shift(leave, hours=past)
    response = school.client("teacher").post(f"/school_leave/leave/{leave.id}/return")
    assert response.status_code == 302
    assert school.leave(leave.id).return_recorded_by_id == school["teacher"].id
    run_job()
    assert school.leave(leave.id).overdue_at is None
    # The class teacher of another class cannot.
    # (another student: one student's leaves never overlap)
    other = school.sign_all(school.file("student2", start=start,
                                        end=start + timedelta(hours=1), reason="again"))
    shift(other, hours=past)
    assert school.client("teacher_b").post(f"/school_leave/leave/{other.id}/return"
                                           ).status_code == 404
