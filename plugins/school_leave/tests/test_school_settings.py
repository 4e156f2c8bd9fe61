"""The timetable and the numbers are the school's settings; durations follow them."""

from datetime import timedelta

from danwei_school_leave.testing import at, monday

from core.api import AuditEvent

DAY = monday()


def form(**overrides):
    data = {"monitor_max_periods": "2", "class_teacher_max_days": "1", "grade_max_days": "2",
            "parent_call_advance_hours": "12",
            "timetable": "class,08:00,09:00,P1\nclass,09:00,10:00,P2\nclass,10:00,11:00,P3\n"
                         "class,11:00,12:00,P4\nevening_study,19:00,21:00,Evening",
            "exam_windows": ""}
    data.update(overrides)
    return data


def test_the_school_office_edits_the_timetable_and_durations_follow(school, db):
    office = school.client("academic")
    page = office.get("/school_leave/settings").text
    assert "第八节" in page  # the default timetable, eight periods
    response = office.post("/school_leave/settings", data={**form(),
                                                            "unit": school.units["s"].id})
    assert response.status_code == 302
    assert db.session.query(AuditEvent).filter_by(action="core.setting_changed").count() >= 1
    # With four periods a day, 08:00–12:00 is a whole day: monitor, then class teacher.
    leave = school.file(start=at(DAY, 8), end=at(DAY, 12))
    assert (leave.periods, leave.days, leave.chain_row) == (4, 1.0, "class_teacher")


def test_a_wrong_timetable_is_refused_with_the_line_at_fault(school):
    office = school.client("academic")
    response = office.post("/school_leave/settings", data=form(
        timetable="class,08:00,08:45,P1\nlunch,12:00,13:00,Lunch\nclass,9:99,10:00,P2",
        exam_windows="2026-13-01"))
    assert response.status_code == 422
    assert "Line 2: unknown kind lunch." in response.text
    assert "Line 3: times are written HH:MM." in response.text
    assert "Line 1: write first day,last day as YYYY-MM-DD." in response.text
    assert "lunch,12:00,13:00" in response.text  # what was typed is kept


def test_only_the_school_office_edits_the_rules(school):
    for who in ("teacher", "student", "grade"):
        assert school.client(who).get("/school_leave/settings").status_code == 404


def test_weekends_and_holidays_do_not_count(school, db, set_calendar_day):
    # Friday 07:30 to Monday 18:00: two school days, not four.
    friday = DAY + timedelta(days=4)
    school.record_call()
    leave = school.file(start=at(friday, 7, 30), end=at(friday, 18, plus_days=3))
    assert (leave.days, leave.chain_row) == (2.0, "grade")
    # A public holiday on the Monday: one school day.
    set_calendar_day(friday + timedelta(days=3), "holiday", "Holiday")
    # (another student: one student's leaves never overlap)
    school.record_call(student="student2")
    leave = school.file("student2", start=at(friday, 7, 30), end=at(friday, 18, plus_days=3),
                        reason="again")
    assert (leave.days, leave.chain_row) == (1.0, "class_teacher")


def test_a_new_school_starts_with_a_chinese_timetable(school):
    """Issue 18, point 8: the slots are named as a Chinese school names them, in any
    interface language (they are the school's data, edited on the settings page)."""
    page = school.client("academic").get("/school_leave/settings").text
    for name in ("早操", "早读", "第一节", "第二节", "第八节", "晚自习"):
        assert name in page, name
    assert "Period 1" not in page and "Morning exercise,06:30" not in page
    apply = school.client("student").get("/school_leave/apply").text
    assert "第一节" in apply and "晚自习" in apply
