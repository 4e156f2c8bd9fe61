"""The guard checks a slip against the server (line 19): a printed slip alone proves nothing."""

from datetime import timedelta

from danwei_school_leave.testing import local_now

from core.api import db


def approved_leave_out_now(school, hours=3, start_offset=-10):
    school.earlier_call(hours=13)
    start = local_now() + timedelta(minutes=start_offset)
    leave = school.file(start=start, end=start + timedelta(hours=hours), leaving=True)
    return school.sign_all(leave)


def check(school, token, who="guard"):
    return school.client(who).get(f"/school_leave/check/{token}")


def test_a_valid_slip_lets_the_student_out_and_back(school):
    leave = approved_leave_out_now(school)
    assert leave.status == "approved"
    token = school.slip_token(leave)
    response = check(school, token)
    assert response.status_code == 200
    assert 'data-valid="yes"' in response.text and "VALID" in response.text
    assert "Valid: fully signed" in response.text

    response = school.client("guard").post(f"/school_leave/check/{token}/exit")
    assert response.status_code == 302
    leave = school.leave(leave.id)
    assert leave.exited_at is not None and leave.exit_recorded_by_id == school["guard"].id
    page = check(school, token).text
    assert 'data-testid="exited"' in page and 'data-testid="record-exit"' not in page

    school.client("guard").post(f"/school_leave/check/{token}/return")
    leave = school.leave(leave.id)
    assert leave.returned_at is not None and leave.return_recorded_by_id == school["guard"].id
    # Once back, the slip cannot be used again.
    response = check(school, token)
    assert 'data-valid="no"' in response.text and "Used: the student is already back" in response.text
    # The guard's list of who is out is empty again, and the return shows on the leave.
    assert "Nobody is out on leave." in school.client("guard").get("/school_leave/gate").text
    assert 'data-testid="returned"' in school.client("teacher").get(
        f"/school_leave/leave/{leave.id}").text


def test_a_slip_not_fully_signed_is_invalid(school):
    school.earlier_call(hours=13)
    start = local_now()
    leave = school.file(start=start, end=start + timedelta(hours=3), leaving=True)
    school.sign("monitor", leave)  # the class teacher has not signed yet
    response = check(school, school.slip_token(leave))
    assert 'data-valid="no"' in response.text
    assert 'data-valid="no"' in response.text
    assert "Not fully signed" in response.text
    assert 'data-testid="record-exit"' not in response.text
    # Posting the exit anyway records nothing.
    school.client("guard").post(f"/school_leave/check/{school.slip_token(leave)}/exit")
    assert school.leave(leave.id).exited_at is None


def test_an_expired_slip_is_invalid_but_the_late_return_is_recorded(school):
    leave = approved_leave_out_now(school, hours=2, start_offset=-10)
    token = school.slip_token(leave)
    school.client("guard").post(f"/school_leave/check/{token}/exit")
    # Two hours later the leave has ended.
    leave = school.leave(leave.id)
    leave.start_at -= timedelta(hours=3)
    leave.end_at -= timedelta(hours=3)
    db.session.commit()
    token = school.slip_token(leave)  # a slip printed with the real times
    response = check(school, token)
    assert 'data-valid="no"' in response.text and "Expired at" in response.text
    assert 'data-testid="record-exit"' not in response.text
    assert 'data-testid="record-return"' in response.text
    school.client("guard").post(f"/school_leave/check/{token}/return")
    assert school.leave(leave.id).returned_at is not None


def test_a_slip_for_later_is_not_yet_valid(school):
    leave = approved_leave_out_now(school, start_offset=120)
    response = check(school, school.slip_token(leave))
    assert 'data-valid="no"' in response.text and "Not yet valid" in response.text


def test_forged_and_altered_slips_are_invalid(school):
    leave = approved_leave_out_now(school)
    token = school.slip_token(leave)
    # A forged code: the signature does not match the school's key.
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = check(school, forged)
    assert 'data-valid="no"' in response.text and "Forged slip" in response.text
    assert "Forged slip" in check(school, "not-a-token").text
    # An altered record: someone changed the end after the slip was printed.
    leave.end_at += timedelta(days=2)
    db.session.commit()
    response = check(school, token)
    assert 'data-valid="no"' in response.text and "Altered slip" in response.text
    school.client("guard").post(f"/school_leave/check/{token}/exit")
    assert school.leave(leave.id).exited_at is None


def test_only_the_guard_checks_slips(school):
    leave = approved_leave_out_now(school)
    token = school.slip_token(leave)
    for who in ("student", "teacher", "teacher_b"):
        assert check(school, token, who).status_code == 404


def test_the_slip_has_two_copies_and_a_qr_code(school):
    leave = approved_leave_out_now(school)
    page = school.client("student").get(f"/school_leave/leave/{leave.id}/slip").text
    assert page.count('data-testid="slip-copy"') == 2
    assert "Class committee copy" in page and "Class teacher copy" in page
    assert page.count('src="data:image/svg+xml') == 2
    # The guard can also paste the link when the phone cannot open it.
    response = school.client("guard").post("/school_leave/gate/code", data={
        "code": f"http://localhost/school_leave/check/{school.slip_token(leave)}"})
    assert response.status_code == 302 and "/school_leave/check/" in response.headers["Location"]


def test_the_guards_home_page_is_the_gate(school):
    """Issue 18, point 7: the guard's home page shows the scanner, who is out and when they
    are due back, and who may go out today; the list of today's exits prints for when the
    network is down."""
    leave = approved_leave_out_now(school)
    home = school.client("guard").get("/").text
    assert 'data-testid="gate-widget"' in home and 'data-testid="code-form"' in home
    assert f'data-leave="{leave.id}"' in home and "May go out today" in home
    printed = school.client("guard").get("/school_leave/gate/today")
    assert printed.status_code == 200
    assert f'<tr data-leave="{leave.id}"><td>{leave.id}</td><td>Student</td>' in printed.text

    token = school.slip_token(leave)
    check_page = school.client("guard").get(f"/school_leave/check/{token}").text
    # One tap from the scan: the button comes right under the verdict and the student's name.
    assert check_page.index('data-testid="verdict-student"') < check_page.index(
        'data-testid="record-exit"') < check_page.index("<dl")
    school.client("guard").post(f"/school_leave/check/{token}/exit")
    gate = school.client("guard").get("/school_leave/gate").text
    out = gate[gate.index('data-testid="out-list"'):]
    assert f'data-leave="{leave.id}" data-overdue="no"' in out and "due back" in out
    printed = school.client("guard").get("/school_leave/gate/today").text
    today = printed[printed.index('data-testid="today-table"'):printed.index(
        'data-testid="out-table"')]
    assert f'data-leave="{leave.id}"' not in today  # out already: in the second table
    assert f'data-leave="{leave.id}"' in printed[printed.index('data-testid="out-table"'):]
    # Nobody else reads the gate's lists.
    assert school.client("student").get("/school_leave/gate/today").status_code == 404
    assert 'data-testid="gate-widget"' not in school.client("teacher").get("/").text
