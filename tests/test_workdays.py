"""The working-day calendar: holidays and make-up days as data, and due times computed from it."""

import textwrap
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def admin(create_unit, create_user, login):
    user = create_user("caladmin", unit=create_unit("cal-root", "Root"), is_superuser=True)
    login(user)
    return user


@pytest.fixture
def calendar_2026(client, admin):
    """The built-in 2026 calendar, imported through the admin page as an administrator would."""
    form = client.get("/calendar/import?year=2026")
    assert "2026-10-01..2026-10-07 holiday 国庆节" in form.text
    from core.workdays import BUILTIN

    response = client.post("/calendar/import", data={
        "year": "2026", "lines": textwrap.dedent(BUILTIN[2026][1]), "replace": "y",
    })
    assert response.status_code == 302


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


def test_weekends_holidays_and_make_up_days(calendar_2026):
    from core.workdays import is_working_day

    assert not is_working_day(date(2026, 1, 1))  # New Year, a Thursday
    assert is_working_day(date(2026, 1, 4))  # a Sunday worked to make up for it
    assert is_working_day(date(2026, 2, 14))  # Saturday before the Spring Festival
    assert not is_working_day(date(2026, 2, 16))  # Spring Festival, a Monday
    assert is_working_day(date(2026, 3, 2))  # an ordinary Monday
    assert not is_working_day(date(2026, 3, 7))  # an ordinary Saturday
    assert is_working_day(date(2026, 10, 10))  # Saturday after National Day


def test_add_working_days_skips_holidays_and_counts_make_up_days(calendar_2026):
    from core.workdays import add_working_days

    # Friday 18 September: the next working day is Sunday 20 September (调休).
    assert add_working_days(at(2026, 9, 18, 10), 1) == at(2026, 9, 20, 10)
    assert add_working_days(at(2026, 9, 18, 10), 0.5) == at(2026, 9, 18, 22)
    # The day before National Day plus one working day is 8 October.
    assert add_working_days(at(2026, 9, 30, 10), 1) == at(2026, 10, 8, 10)
    assert add_working_days(at(2026, 10, 8, 10), -1) == at(2026, 9, 30, 10)
    # A request made during the holiday counts from the first working day's start.
    assert add_working_days(at(2026, 10, 3, 15), 1.5) == at(2026, 10, 9, 12)
    # Naive datetimes are UTC, as Danwei stores them: 02:00 UTC is 10:00 in Beijing.
    assert add_working_days(datetime(2026, 9, 30, 2), 1) == datetime(2026, 10, 8, 2)
    # Late on Sunday 4 October UTC is already Monday 5 October in Beijing: still a holiday.
    assert add_working_days(datetime(2026, 10, 4, 20), 1) == datetime(2026, 10, 8, 16)


def test_working_days_between_is_the_inverse(calendar_2026):
    from core.workdays import add_working_days, working_days_between

    assert working_days_between(date(2026, 10, 1), date(2026, 10, 12)) == 3  # 8, 9, 10 (Sat)
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5
    assert working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == -5
    start = at(2026, 2, 10, 9, 30)
    for days in (0, 0.25, 1, 2.5, 7, 20):
        end = add_working_days(start, days)
        assert working_days_between(start, end) == pytest.approx(days)


def test_without_holidays_only_weekends_are_off(app):
    from core.workdays import add_working_days, working_days_between

    assert add_working_days(at(2026, 3, 6, 16), 1) == at(2026, 3, 9, 16)  # Friday → Monday
    assert working_days_between(date(2026, 1, 1), date(2027, 1, 1)) == 261


def test_year_page_lists_days_and_counts_working_days(client, calendar_2026):
    page = client.get("/calendar/?year=2026")
    assert page.status_code == 200
    assert "国庆节调休" in page.text
    # 261 weekdays - 19 weekday holidays + 6 make-up weekend days.
    assert "248 working days in 2026" in page.text
    assert 'data-testid="provisional"' not in page.text


def test_administrator_adds_edits_and_deletes_a_day(client, admin, db):
    from core.workdays import Holiday, is_working_day

    response = client.post("/calendar/new", data={
        "day": "2026-03-02", "kind": "holiday", "name": "校庆",
    })
    assert response.status_code == 302
    assert not is_working_day(date(2026, 3, 2))
    assert "校庆" in client.get("/calendar/?year=2026").text

    again = client.post("/calendar/new", data={"day": "2026-03-02", "kind": "holiday"})
    assert again.status_code == 200
    assert "already in the calendar" in again.text

    row = db.session.scalar(db.select(Holiday).where(Holiday.day == date(2026, 3, 2)))
    client.post(f"/calendar/{row.id}", data={"day": "2026-03-07", "kind": "workday",
                                              "name": "校庆调休"})
    assert is_working_day(date(2026, 3, 7)) and is_working_day(date(2026, 3, 2))

    client.post(f"/calendar/{row.id}/delete")
    assert not is_working_day(date(2026, 3, 7))
    assert db.session.scalar(db.select(db.func.count(Holiday.id))) == 0
    from core.models import AuditEvent

    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"core.holiday_added", "core.holiday_changed", "core.holiday_deleted"} <= actions


def test_import_with_a_bad_line_changes_nothing(client, admin, db):
    from core.workdays import Holiday

    response = client.post("/calendar/import", data={
        "year": "2026",
        "lines": "2026-05-01..2026-05-05 holiday 劳动节\n2026-13-01 holiday 无此日\n",
        "replace": "y",
    })
    assert response.status_code == 200
    assert "line 2" in response.text
    assert "2026-05-01..2026-05-05 holiday 劳动节" in response.text  # what was typed stays
    assert db.session.scalar(db.select(db.func.count(Holiday.id))) == 0


def test_everyone_reads_the_calendar_only_administrators_edit(client, create_unit, login_as):
    school = create_unit("cal-s", "School")
    login_as("core.unit_admin", school)
    page = client.get("/calendar/")
    assert page.status_code == 200
    assert 'data-testid="add-day"' not in page.text
    assert client.get("/calendar/new").status_code == 403
    assert client.post("/calendar/new", data={"day": "2026-03-02", "kind": "holiday"}
                       ).status_code == 403


def test_migration_seeds_2026_and_marks_2027_provisional(app, db):
    from core import schema
    from core.workdays import Holiday, forget_cache, is_working_day

    db.session.remove()
    schema.downgrade("c0b1", only="core")
    schema.upgrade(only="core")
    forget_cache()
    rows = {h.day: h for h in db.session.scalars(db.select(Holiday))}
    assert rows[date(2026, 2, 15)].kind == "holiday" and not rows[date(2026, 2, 15)].provisional
    assert rows[date(2026, 9, 20)].kind == "workday"
    assert rows[date(2027, 2, 6)].provisional
    assert sum(1 for d in rows if d.year == 2026) == 33 + 6
    assert not is_working_day(date(2026, 10, 7))
    assert is_working_day(date(2026, 10, 8))
    assert date(2026, 10, 8) - timedelta(days=1) in rows
