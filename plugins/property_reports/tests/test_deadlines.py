"""Deadlines (篇二 line 41): the plan for a month is due on the 15th of the month before, the
summary of a month on the 25th of the month after; days off move per the unit's setting;
reminders before, overdue after; on-time rates per department and manager (line 51)."""

from datetime import date, datetime, timedelta

import pytest
from danwei_property_reports import deadlines as dl

P = "/property_reports"
WEEKDAYS = lambda d: d.weekday() < 5  # noqa: E731 - a calendar without holidays


def holidays(*days):
    off = set(days)
    return lambda d: d.weekday() < 5 and d not in off


def due(subject, year, month, how="next", calendar=WEEKDAYS, day=None, remind=2):
    day = day or (15 if subject == dl.PLAN else 25)
    return dl.deadline(subject, year, month, day=day, how=how, remind_days=remind,
                       is_working_day=calendar)


def test_plan_is_due_on_the_15th_of_the_month_before():
    deadline = due(dl.PLAN, 2026, 12)
    assert deadline.nominal == date(2026, 11, 15)
    # ... a Sunday: it moves to Monday with the default setting.
    assert deadline.due == date(2026, 11, 16) and deadline.shifted
    assert due(dl.PLAN, 2027, 1).due == date(2026, 12, 15)  # across the year end


def test_summary_is_due_on_the_25th_of_the_month_after():
    assert due(dl.SUMMARY, 2026, 10).due == date(2026, 11, 25)
    assert due(dl.SUMMARY, 2026, 12).due == date(2027, 1, 25)
    assert due(dl.SUMMARY, 2026, 11, day=20).due == date(2026, 12, 21)  # the 20th is a Sunday


@pytest.mark.parametrize("how, expected", [
    ("next", date(2026, 10, 9)),       # after the National Day week, on the Friday
    ("previous", date(2026, 9, 30)),   # before it
    ("none", date(2026, 10, 1)),       # kept on the holiday
])
def test_a_holiday_moves_the_deadline_as_the_setting_says(how, expected):
    golden_week = [date(2026, 10, d) for d in range(1, 9)]
    deadline = due(dl.SUMMARY, 2026, 9, how=how, day=1, calendar=holidays(*golden_week))
    assert deadline.nominal == date(2026, 10, 1)
    assert deadline.due == expected


def test_states_before_and_after_the_due_day():
    deadline = due(dl.PLAN, 2026, 12)  # due Monday 16 November
    assert deadline.remind_from == date(2026, 11, 12)  # two working days before: Thursday
    assert dl.state(deadline, None, date(2026, 11, 11)) == dl.UPCOMING
    assert dl.state(deadline, None, date(2026, 11, 12)) == dl.DUE_SOON
    assert dl.state(deadline, None, date(2026, 11, 16)) == dl.DUE_SOON
    assert dl.state(deadline, None, date(2026, 11, 17)) == dl.OVERDUE
    assert dl.days_late(deadline, None, date(2026, 11, 20)) == 4
    assert dl.state(deadline, date(2026, 11, 16), date(2026, 12, 1)) == dl.ON_TIME
    assert dl.state(deadline, date(2026, 11, 17), date(2026, 12, 1)) == dl.LATE
    assert dl.on_time_rate([dl.ON_TIME, dl.LATE, dl.OVERDUE, dl.UPCOMING]) == pytest.approx(1 / 3)
    assert dl.on_time_rate([dl.UPCOMING]) is None


# -- in the intranet ------------------------------------------------------------------------------


def months_ago(count):
    today = date.today()
    return dl.add_months(today.year, today.month, -count)


def test_board_marks_what_was_not_handed_in_as_overdue(company, as_user, pr):
    eng = as_user(company.people["engineering_manager"])
    year, month = months_ago(2)
    page = eng.get(f"{P}/?month={pr.month_text(year, month)}").text
    row = page.split('data-unit="acme-engineering"')[1].split("</tr>")[0]
    assert row.count('data-state="overdue"') == 2  # the plan and the summary
    assert "days late" in row
    # Why: the rule is spelled out above it.
    assert "The plan for a month is due on day 15 of the month before." in page


def _weekday_15th(count_back):
    """A month some months back whose plan's nominal due day (the 15th) is a weekday."""
    for back in range(count_back, count_back + 12):
        year, month = months_ago(back)
        nominal = date(*dl.add_months(year, month, -1), 15)
        if nominal.weekday() < 5 and nominal.weekday() != 4:  # Mon–Thu: next day is a weekday
            return year, month, nominal
    raise AssertionError("no such month")


def test_a_holiday_shifted_deadline_counts_when_the_setting_says_so(company, as_user, db, pr,
                                                                     set_calendar_day):
    from danwei_property_reports.models import Plan

    from core.api import set_setting

    year, month, nominal = _weekday_15th(3)
    set_calendar_day(nominal, "holiday", "测试假日")
    eng_user = company.people["engineering_manager"]
    eng = as_user(eng_user)
    version = pr.start_plan(eng, company.departments["engineering"], year, month)
    pr.add_item(eng, version)
    pr.submit(eng, version)
    # Handed in on the day after the holiday: the deadline moved there.
    plan = db.session.scalar(db.select(Plan).where(Plan.author_id == eng_user.id))
    plan.first_submitted_at = datetime.combine(nominal + timedelta(days=1), datetime.min.time())
    db.session.commit()
    moved = nominal + timedelta(days=1)
    board_month = pr.month_text(nominal.year, nominal.month)
    row = eng.get(f"{P}/?month={board_month}").text.split(
        'data-unit="acme-engineering"')[1].split("</tr>")[0]
    assert f"due {moved.isoformat()}" in row
    assert f"moved from {nominal.isoformat()}" in row
    assert "is not a working day, so it moves to the next working day" in row
    assert row.split('data-testid="plan-cell"')[1].count('data-state="on_time"') == 1

    # The company says deadlines stay put: the same plan was a day late.
    set_setting("property_reports", "deadline_shift", "none", company.unit)
    db.session.commit()
    row = eng.get(f"{P}/?month={board_month}").text.split(
        'data-unit="acme-engineering"')[1].split("</tr>")[0]
    assert f"due {nominal.isoformat()}" in row and "moved from" not in row
    assert 'data-state="late"' in row.split('data-testid="plan-cell"')[1].split("</td>")[0]


def test_reminders_before_and_overdue_notices_after_go_out_once(company, run_jobs,
                                                                notifications_of):
    today = date.today()
    year, month = dl.add_months(today.year, today.month, 1)
    nominal = date(today.year, today.month, 15)
    # A moment inside the reminder window of next month's plan, and one after the deadline.
    deadline = dl.deadline(dl.PLAN, year, month, day=15, how="next", remind_days=2,
                           is_working_day=lambda d: d.weekday() < 5)
    assert deadline.nominal == nominal
    before = datetime.combine(deadline.remind_from, datetime.min.time()) + timedelta(hours=1)
    after = datetime.combine(deadline.due + timedelta(days=2), datetime.min.time()) \
        + timedelta(hours=1)
    job = "property_reports.deadline_notices"
    run_jobs(at=before, job=job, force=True)
    run_jobs(at=before + timedelta(hours=1), job=job, force=True)  # a second run adds nothing

    def inbox(user):
        return [n.subject for n in notifications_of(user)]

    manager, pm = company.people["engineering_manager"], company.people["pm"]
    plan = f"the plan for {year}-{month:02d}"
    reminders = [s for s in inbox(manager) if plan in s and "is due on" in s]
    assert len(reminders) == 1
    assert not any(plan in s and "overdue" in s for s in inbox(pm) + inbox(manager))
    run_jobs(at=after, job=job, force=True)
    run_jobs(at=after + timedelta(hours=1), job=job, force=True)
    overdue = [s for s in inbox(manager) if plan in s and "overdue" in s]
    assert len(overdue) == 1
    assert any("工程部" in s and plan in s and "overdue" in s for s in inbox(pm))


def test_on_time_rate_per_department_and_manager(company, as_user, db, pr):
    from danwei_property_reports.models import Plan, PlanVersion, period_key

    eng_user = company.people["engineering_manager"]
    unit = company.departments["engineering"]
    # Three months back: on time, late, and nothing handed in.
    for back, offset in ((3, -1), (4, 2)):
        year, month = months_ago(back)
        deadline = dl.deadline(dl.PLAN, year, month, day=15, how="next", remind_days=2,
                               is_working_day=lambda d: d.weekday() < 5)
        plan = Plan(unit=unit, period=period_key(year, month), level="department",
                    author=eng_user, due_on=deadline.due,
                    first_submitted_at=datetime.combine(
                        deadline.due + timedelta(days=offset), datetime.min.time()))
        plan.versions.append(PlanVersion(number=1, starts_on=date(year, month, 1),
                                         ends_on=date(year, month, 28), prepared_by=eng_user,
                                         prepared_on=deadline.due, status="approved"))
        db.session.add(plan)
    db.session.commit()
    boss = as_user(company.people["boss"])
    year, month = months_ago(3)
    page = boss.get(f"{P}/evaluation?until={pr.month_text(year, month)}&months=3").text
    row = page.split('data-testid="by-unit"')[1].split('data-unit="acme-engineering"')[1]
    row = row.split("</tr>")[0]
    # Plans: 1 on time, 1 late, 1 missing; summaries: the three months, none handed in
    # (the last one only if already due).
    cells = [c.split(">")[-1] for c in row.split("</td>")[:5]]
    assert cells[2] == "1"  # on time
    assert cells[3] == "1"  # late
    by_person = page.split('data-testid="by-person"')[1]
    assert "engineering经理" in by_person
