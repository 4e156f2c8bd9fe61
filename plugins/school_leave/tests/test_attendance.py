"""Attendance statistics from the class log and discipline under the student handbook
(issue 18, point 4; seed line 27)."""

import io
from datetime import date, timedelta

from danwei_school_leave.models import DisciplineRecord, HandbookArticle
from danwei_school_leave.testing import at, monday
from openpyxl import load_workbook

from core.api import AuditEvent, db

DAY = monday()
PERIOD = f"{DAY.year}-{DAY.month:02d}"


def sheet(response):
    assert response.status_code == 200, response.text[:500]
    book = load_workbook(io.BytesIO(response.data))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def _log(school, student, kind, day=DAY):
    response = school.client("duty").post(
        f"/school_leave/log?unit={school.units['a'].id}&day={day.isoformat()}",
        data={"student": str(school[student].id), "kind": kind, "period": "1"})
    assert response.status_code == 302


def _class_log(school):
    # The student is on signed sick leave in the first period: their absence is excused.
    school.sign_all(school.file(start=at(DAY, 8), end=at(DAY, 8, 45), leave_type="sick"))
    _log(school, "student", "late")
    _log(school, "student", "absent")
    _log(school, "student2", "absent")  # no leave: truancy
    _log(school, "student2", "early_leave")


def test_missed_periods_per_student_by_kind_with_absences_without_leave(school):
    _class_log(school)
    rows = sheet(school.client("teacher").get(
        f"/reports/school_leave.attendance/export.xlsx?period={PERIOD}"))
    header, body = rows[0], rows[1:]
    assert header[:7] == ["Class", "Student", "Late", "Left early", "Absent",
                          "Absent without leave (truancy)", "Not back from leave (truancy)"]
    assert [r[:7] for r in body] == [
        ["Class 1", "Student", 1, 0, 1, 0, 0],
        ["Class 1", "Student2", 0, 1, 1, 1, 0],
    ]
    # The class teacher of the other class sees none of it.
    other = sheet(school.client("teacher_b").get(
        f"/reports/school_leave.attendance/export.xlsx?period={PERIOD}"))
    assert other[1:] == []


def test_the_monthly_class_attendance_table(school):
    _class_log(school)
    school.sign_all(school.file("student_b", start=at(DAY, 8), end=at(DAY, 17, 40)))
    rows = sheet(school.client("grade").get(
        f"/reports/school_leave.attendance_monthly/export.xlsx?period={PERIOD}"))
    first = date(DAY.year, DAY.month, 1)
    after = date(DAY.year + (DAY.month == 12), DAY.month % 12 + 1, 1)
    days = sum((first + timedelta(n)).weekday() < 5 for n in range((after - first).days))
    by_class = {r[0]: r for r in rows[1:]}
    # Class 1: six students (the cadres are students), 1/8 day of sick leave, one absence
    # without leave.
    a = by_class["Class 1"]
    assert a[1:9] == [6, days, 0.1, 0, 1, 1, 2, 1]
    assert abs(a[9] - (1 - (0.12 + 1) / (6 * days))) < 0.0001
    b = by_class["Class 2"]
    assert b[1:5] == [2, days, 0, 1]  # student B's one day of personal leave
    page = school.client("grade").get(f"/reports/school_leave.attendance_monthly?period={PERIOD}")
    assert page.status_code == 200 and "Attendance rate" in page.text


def _article(school, number="第二十一条", title="旷课处分"):
    return school.client("affairs").post("/school_leave/handbook", data={
        "unit": str(school.units["s"].id), "number": number, "title": title,
        "text": "无故旷课累计10节以上者，给予警告处分。"})


def test_the_handbook_is_data_the_student_affairs_office_edits(school):
    assert _article(school).status_code == 302
    assert _article(school, title="旷课与逃避早操").status_code == 302  # same number: replaced
    article = db.session.query(HandbookArticle).one()
    assert article.title == "旷课与逃避早操"
    page = school.client("affairs").get("/school_leave/handbook").text
    assert "第二十一条 旷课与逃避早操" in page
    school.client("affairs").post(f"/school_leave/handbook/{article.id}/toggle")
    db.session.expire_all()
    assert not db.session.get(HandbookArticle, article.id).active
    for who in ("teacher", "student"):
        assert school.client(who).get("/school_leave/handbook").status_code == 404, who
    empty = school.client("affairs").post("/school_leave/handbook", data={
        "unit": str(school.units["s"].id), "number": "", "title": "x"})
    assert empty.status_code == 422


def test_a_discipline_decision_names_the_article_offence_decision_date_and_who(school):
    _article(school)
    article = db.session.query(HandbookArticle).one()
    student = school["student2"]
    path = f"/school_leave/students/{student.id}/discipline"
    data = {"article": str(article.id), "offence": "旷课 12 节（11月3日至5日）",
            "decision": "warning", "decided_on": DAY.isoformat(), "decided_by": "学工处",
            "note": ""}
    missing = school.client("affairs").post(path, data={**data, "decided_by": ""})
    assert missing.status_code == 422 and "旷课 12 节" in missing.text  # typed text kept
    assert db.session.query(DisciplineRecord).count() == 0
    assert school.client("affairs").post(path, data=data).status_code == 302
    record = db.session.query(DisciplineRecord).one()
    assert (record.article_id, record.decision, record.decided_on, record.decided_by,
            record.recorded_by_id) == (article.id, "warning", DAY, "学工处",
                                       school["affairs"].id)
    assert db.session.query(AuditEvent).filter_by(
        action="school_leave.discipline_recorded").count() == 1
    # The staff of the class read it, on the list and on the student's page.
    listing = school.client("teacher").get("/school_leave/discipline").text
    assert f'data-record="{record.id}"' in listing and "第二十一条" in listing
    assert "旷课 12 节" in school.client("teacher").get(f"/school_leave/students/{student.id}").text
    # Not the other class, not the cadres; only the office records.
    assert f'data-record="{record.id}"' not in school.client("teacher_b").get(
        "/school_leave/discipline").text
    assert school.client("monitor").get("/school_leave/discipline").status_code == 404
    assert "旷课 12 节" not in school.client("monitor").get(
        f"/school_leave/students/{student.id}").text
    assert school.client("teacher").post(path, data=data).status_code == 404
    assert db.session.query(DisciplineRecord).count() == 1
