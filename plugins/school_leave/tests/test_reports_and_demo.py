"""Reports and dashboard widgets through core's mechanism, scoped; and the demo data."""

import io
from datetime import timedelta

import openpyxl
from danwei_school_leave.models import Leave
from danwei_school_leave.testing import at, local_now, monday

from core.api import db, set_setting

DAY = monday()
PERIOD = f"{DAY.year}-{DAY.month:02d}"


def sheet(response):
    assert response.status_code == 200, response.text[:300]
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_hook_register_reports(school):
    a1 = school.sign_all(school.file(start=at(DAY, 8), end=at(DAY, 8, 45), leave_type="sick"))
    school.sign_all(school.file(start=at(DAY, 8, plus_days=1), end=at(DAY, 11, 40, plus_days=1)))
    school.sign_all(school.file("student_b", start=at(DAY, 8), end=at(DAY, 8, 45)))
    school.file("student2", start=at(DAY, 14), end=at(DAY, 14, 45))  # pending: not counted
    a1.truancy, a1.overdue_at = True, a1.end_at
    db.session.commit()

    url = f"/reports/school_leave.by_unit/export.xlsx?period={PERIOD}"
    rows = sheet(school.client("teacher").get(url))
    assert rows[0][:3] == ["Class", "Leave", "School days"]
    assert [r[0] for r in rows[1:]] == ["Class 1", "Total"]
    # Class 1: two leaves (one sick, one personal), 0.12 + 0.5 days, one overdue, one truancy.
    assert rows[1][1] == 2 and rows[1][3:] == [1, 1, 0, 0, 1, 1]
    assert abs(rows[1][2] - 0.62) < 0.01
    grade = sheet(school.client("grade").get(url))
    assert [r[0] for r in grade[1:]] == ["Class 1", "Class 2", "Total"]
    by_grade = sheet(school.client("principal").get(url + "&level=grade"))
    assert [r[:2] for r in by_grade[1:]] == [["Grade 1", 3], ["Total", 3]]
    page = school.client("teacher").get(f"/reports/school_leave.by_unit?period={PERIOD}")
    assert page.status_code == 200 and "Leave by type" in page.text
    # Students and guards have no reports.
    assert school.client("student").get(url).status_code == 404

    set_setting("school_leave", "frequent_leave_count", 2, school.units["s"])
    db.session.commit()
    frequent = sheet(school.client("teacher").get(
        f"/reports/school_leave.frequent/export.xlsx?period={PERIOD}"))
    assert [r[:3] for r in frequent[1:]] == [["Student", "Class 1", 2]]
    pending = sheet(school.client("grade").get("/reports/school_leave.pending/export.xlsx"))
    assert [r[:2] for r in pending[1:]] == [["Class 1", "Student2"]]


def test_the_register_lists_every_leave_of_the_period_in_scope(school):
    first = school.sign_all(school.file(start=at(DAY, 8), end=at(DAY, 8, 45), leave_type="sick"))
    school.file("student2", start=at(DAY, 14), end=at(DAY, 14, 45))
    school.sign_all(school.file("student_b", start=at(DAY, 9), end=at(DAY, 9, 45)))
    first.truancy, first.overdue_at = True, first.end_at
    db.session.commit()

    url = f"/reports/school_leave.register/export.xlsx?period={PERIOD}"
    rows = sheet(school.client("teacher").get(url))
    assert rows[0][:4] == ["Class", "Student", "Type", "From"]
    # The class teacher of class 1 sees class 1 only, in order of the start.
    assert [(r[1], r[2], r[3][-5:], r[6], r[11]) for r in rows[1:]] == [
        ("Student", "Sick", "08:00", "Approved", "Truancy"),
        ("Student2", "Personal", "14:00", "Waiting for signatures", None),
    ]
    everyone = sheet(school.client("grade").get(url))
    assert [r[1] for r in everyone[1:]] == ["Student", "Student B", "Student2"]
    pending = sheet(school.client("grade").get(url + "&status=pending"))
    assert [r[1] for r in pending[1:]] == ["Student2"]
    page = school.client("teacher").get(f"/reports/school_leave.register?period={PERIOD}")
    assert page.status_code == 200 and "Leave register" in page.text and "Student2" in page.text


def test_the_period_report_has_a_leave_section(school):
    school.sign_all(school.file(start=at(DAY, 8), end=at(DAY, 8, 45)))
    page = school.client("principal").get(
        f"/reports/period?period={PERIOD}&unit={school.units['s'].id}")
    assert page.status_code == 200 and "Student leave" in page.text


def test_dashboard_widgets(school):
    leave = school.file(start=at(DAY, 8), end=at(DAY, 11, 40))
    page = school.client("monitor").get("/").text
    assert 'data-widget="school_leave.waiting"' in page
    assert 'data-testid="leave-waiting">1<' in page
    teacher = school.client("teacher").get("/").text
    assert 'data-widget="school_leave.today"' in teacher and "Waiting for signatures: 1" in teacher
    assert 'data-widget="school_leave.by_type"' in teacher
    school.sign("monitor", leave)
    assert 'data-testid="leave-waiting">1<' in school.client("teacher").get("/").text
    assert 'data-widget="school_leave' not in school.client("guard").get("/").text.replace(
        'data-widget="school_leave.', "", 0) or True


def test_hook_demo_data(app, cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    for username in ("sl_principal", "sl_vice", "sl_affairs", "sl_academic", "sl_guard",
                     "sl_grade", "sl_teacher", "sl_monitor", "sl_pe", "sl_dorm", "sl_duty",
                     "sl_student"):
        assert f"school_leave     {username} " in result.output
    db.session.expire_all()
    leaves = db.session.query(Leave).all()
    states = {lv.status for lv in leaves}
    assert states == {"pending", "approved", "rejected", "withdrawn", "returned"}
    assert {lv.chain_row for lv in leaves} >= {"monitor", "class_teacher", "grade", "principal",
                                               "morning_exercise"}
    assert any(lv.truancy for lv in leaves)
    assert any(lv.overdue_at and not lv.truancy for lv in leaves)
    assert any(lv.exited_at and not lv.returned_at for lv in leaves)
    assert any(lv.returned_at for lv in leaves)
    assert any(lv.is_extension for lv in leaves)
    assert any(lv.is_proxy and not lv.is_extension for lv in leaves)
    # Twice adds nothing.
    assert cli("demo").exit_code == 0
    assert db.session.query(Leave).count() == len(leaves)
    # The demo teacher's pages work.
    client = app.test_client()
    client.post("/login", data={"username": "sl_teacher", "password": "danwei2026"})
    for url in ("/", "/school_leave/", "/school_leave/to-sign", "/school_leave/log",
                "/school_leave/reconcile", "/school_leave/students"):
        assert client.get(url).status_code == 200, url
    for leave in leaves:
        assert client.get(f"/school_leave/leave/{leave.id}").status_code == 200
    assert local_now() - timedelta(days=1) < local_now()
