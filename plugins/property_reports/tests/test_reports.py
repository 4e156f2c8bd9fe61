"""The company's monthly report (core report mechanism): totals over the departments'
submitted summaries, month-on-month and year-on-year, against a straightforward reference."""

import io
import random
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

import pytest
from danwei_property_reports import catalogue as cat
from danwei_property_reports import deadlines as dl
from danwei_property_reports.demo import sample_values, write_values
from openpyxl import load_workbook

REPORT = "/reports/property_reports.company_monthly"


@pytest.fixture
def history(company, create_unit, db):
    """Fourteen months of submitted summaries for every department, a second property
    services department, and one draft that must not count."""
    from danwei_property_reports.models import Summary, period_key

    second = create_unit("acme-service2", "物业二部", cat.SERVICE.kind, company.unit)
    units = [*company.departments.items(), ("service", second)]
    today = date.today()
    months = [dl.add_months(today.year, today.month, -i) for i in range(1, 15)]
    rng = random.Random(42)
    written = []  # (department key, unit id, period, values)
    author = company.people["boss"]
    for year, month in reversed(months):
        for key, unit in units:
            dept = cat.BY_KEY[key]
            values = sample_values(dept, rng)
            summary = Summary(unit_id=unit.id, period=period_key(year, month), author=author,
                              due_on=date(year, month, 25), status="submitted",
                              submitted_at=datetime(year, month, 20))
            write_values(summary, dept, values)
            db.session.add(summary)
            written.append((key, unit.id, period_key(year, month), values))
    year, month = months[0]
    third = create_unit("acme-service3", "物业三部", cat.SERVICE.kind, company.unit)
    draft = Summary(unit_id=third.id, period=period_key(year, month), author=author,
                    due_on=date(year, month, 25), status="draft")
    write_values(draft, cat.SERVICE, {**sample_values(cat.SERVICE, rng), "complaints": 999})
    db.session.add(draft)
    db.session.commit()
    return months, written


def reference(written, period):
    """Sums per department and field for one month, computed fields from the sums."""
    sums = defaultdict(lambda: defaultdict(Decimal))
    for key, _unit, p, values in written:
        if p != period:
            continue
        for field in cat.BY_KEY[key].inputs:
            if field.kind in (cat.COUNT, cat.MONEY) and values.get(field.key) is not None:
                sums[key][field.key] += Decimal(values[field.key])
    out = {}
    for key, fields in sums.items():
        out[key] = dict(fields)
        out[key].update(cat.compute(cat.BY_KEY[key], fields))
    return out


def sheets(response):
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    # Read-only sheets drop empty cells at the end of a row: pad them back.
    return {ws.title: [list(r) + [None] * (7 - len(r)) for r in ws.iter_rows(values_only=True)]
            for ws in book}


def find_row(all_sheets, label):
    for rows in all_sheets.values():
        for row in rows:
            if row and row[0] == label:
                return row
    raise AssertionError(f"no row {label!r}")


def test_company_report_totals_match_a_reference_computation(company, history, as_user):
    months, written = history
    (year, month), before, year_ago = months[0], months[1], months[12]
    from danwei_property_reports.models import period_key

    now = reference(written, period_key(year, month))
    prev = reference(written, period_key(*before))
    last = reference(written, period_key(*year_ago))
    boss = as_user(company.people["boss"])
    query = f"unit={company.unit.id}&period={year}-{month:02d}"
    page = boss.get(f"{REPORT}?{query}")
    assert page.status_code == 200
    for title in ("Repair requests by category", "Complaints, last 12 months",
                  "Fee collection rates, last 12 months", "Key figures"):
        assert title in page.text
    assert boss.get(f"{REPORT}/print?{query}").status_code == 200

    found = sheets(boss.get(f"{REPORT}/export.xlsx?{query}"))
    for key, field_key in (("service", "requests_total"), ("service", "complaints"),
                           ("engineering", "service_total"), ("finance", "income"),
                           ("service", "property_fees_collected"), ("hr", "headcount")):
        field = cat.BY_KEY[key].field(field_key)
        label = str(field.en) + (f" ({field.unit})" if field.unit and field.kind == cat.COUNT
                                 else "")
        row = find_row(found, f"{cat.BY_KEY[key].en}: {label}")
        assert Decimal(str(row[2])) == now[key][field_key]
        assert Decimal(str(row[3])) == prev[key][field_key]
        assert Decimal(str(row[5])) == last[key][field_key]
        expected = (now[key][field_key] - prev[key][field_key]) / prev[key][field_key]
        assert row[4] == pytest.approx(float(expected), abs=1e-6)
    # The company's collection rate is the ratio of its totals, in percent.
    row = find_row(found, f"{cat.FINANCE.en}: {cat.FINANCE.field('fee_collection_rate').en}")
    assert Decimal(str(row[2])) == (now["finance"]["fee_collection_rate"] * 100).quantize(
        Decimal("0.01"))
    # Two property services departments are added up; the draft is not counted.
    assert now["service"]["complaints"] < 999


def test_a_quarter_adds_flows_up_and_keeps_the_last_level(company, history, as_user):
    from danwei_property_reports.models import period_key

    from core.api import Period

    months, written = history
    # The last complete quarter among the months written.
    quarter = next(Period.containing(date(y, m, 1), "quarter") for y, m in months
                   if m in (3, 6, 9, 12))
    in_quarter = [(y, m) for y, m in months
                  if Period.containing(date(y, m, 1), "quarter") == quarter]
    assert len(in_quarter) == 3
    totals = [reference(written, period_key(y, m)) for y, m in sorted(in_quarter)]
    boss = as_user(company.people["boss"])
    found = sheets(boss.get(f"{REPORT}/export.xlsx?unit={company.unit.id}&period={quarter.key}"))
    row = find_row(found, f"{cat.SERVICE.en}: {cat.SERVICE.field('complaints').en} (件)")
    assert Decimal(str(row[2])) == sum(t["service"]["complaints"] for t in totals)
    row = find_row(found, f"{cat.HR.en}: {cat.HR.field('headcount').en} (人)")
    assert Decimal(str(row[2])) == totals[-1]["hr"]["headcount"]  # a level, not a sum


def test_a_department_manager_reports_on_their_department_only(company, history, as_user):
    months, written = history
    year, month = months[0]
    engineering = as_user(company.people["engineering_manager"])
    unit = company.departments["engineering"]
    found = sheets(engineering.get(
        f"{REPORT}/export.xlsx?unit={unit.id}&period={year}-{month:02d}"))
    row = find_row(found, f"{cat.SERVICE.en}: {cat.SERVICE.field('complaints').en} (件)")
    assert row[2] is None  # no property services figures in their scope
    row = find_row(found, f"{cat.ENGINEERING.en}: {cat.ENGINEERING.field('service_total').en}")
    assert row[2] is not None
    # The company as a whole is not theirs to report on.
    assert engineering.get(f"{REPORT}?unit={company.unit.id}&period={year}-{month:02d}") \
        .status_code == 404


def test_the_unit_period_report_has_a_property_section(company, history, as_user):
    months, _ = history
    year, month = months[0]
    boss = as_user(company.people["boss"])
    page = boss.get(f"/reports/period?unit={company.unit.id}&period={year}-{month:02d}")
    assert page.status_code == 200
    assert "Property management" in page.text and "Key figures" in page.text


def test_the_dashboard_shows_the_deadlines(company, as_user):
    home = as_user(company.people["engineering_manager"]).get("/").text
    assert 'data-widget="property_reports.deadlines"' in home
    assert "工程部" in home.split('data-widget="property_reports.deadlines"')[1]


def test_the_note_counts_the_summaries_of_the_period(company, history, as_user):
    """Issue 18 §15: summaries *of* the month (handed in the month after), not *due* in it."""
    months, _ = history
    year, month = months[0]
    page = as_user(company.people["boss"]).get(
        f"{REPORT}?unit={company.unit.id}&period={year}-{month:02d}").text
    assert "department summaries of" in page and "summaries due" not in page
