"""The monthly safety report, the annual summary for the county CDC (XLSX), the section of the
unit period report and the dashboard figures."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl
from danwei_hospital_safety.models import DiseaseCase, Hazard

from core.api import db, to_utc


def sheet(response):
    assert response.status_code == 200, response.text[:300]
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def case(centre, disease, klass, diagnosed, minutes, limit):
    db.session.add(DiseaseCase(unit_id=centre.unit.id, patient="x", disease=disease,
                               disease_class=klass, rural=True, diagnosed_at=diagnosed,
                               limit_minutes=limit, legal_minutes=1440,
                               reported_at=diagnosed + timedelta(minutes=minutes),
                               report_no="1"))


def test_annual_cdc_summary_counts_cases_reported_and_on_time(centre, as_person):
    day = to_utc(datetime(2025, 6, 1, 9))
    case(centre, "霍乱", "A", day, 119, 120)
    case(centre, "霍乱", "A", day, 121, 120)
    case(centre, "流感", "C", day, 600, 1440)
    case(centre, "流感", "C", to_utc(datetime(2026, 1, 1, 9)), 600, 1440)  # next year
    db.session.commit()
    rows = sheet(as_person("director").get(
        f"/reports/hospital_safety.cdc_annual/export.xlsx?period=2025&unit={centre.unit.id}"))
    body = [r for r in rows if r and r[1] in ("霍乱", "流感")]
    assert [r[1:] for r in body] == [["霍乱", "A", 2, 2, 1], ["流感", "C", 1, 1, 1]]


def test_monthly_report_and_period_section(centre, as_person):
    ward = centre.depts["ward"]
    now = to_utc(datetime(2026, 3, 10, 9))
    db.session.add_all([
        Hazard(unit_id=ward.id, place="a", description="d", state="closed", issued_at=now,
               closed_at=now + timedelta(days=2), reported_at=now),
        Hazard(unit_id=ward.id, place="b", description="d", state="closed", issued_at=now,
               closed_at=now + timedelta(days=4), reported_at=now),
        Hazard(unit_id=ward.id, place="c", description="d", state="notified", issued_at=now,
               deadline_at=now + timedelta(days=1), reported_at=now),
    ])
    db.session.commit()
    director = as_person("director")
    page = director.get(f"/reports/hospital_safety.monthly?period=2026-03&unit={centre.unit.id}")
    assert page.status_code == 200
    assert "Notices issued: 3, closed: 2" in page.text and "3.0" in page.text  # median days
    period = director.get(f"/reports/period?period=2026-03&unit={centre.unit.id}")
    assert period.status_code == 200 and "Open hazards by department" in period.text


def test_dashboard_and_widget(centre, as_person):
    db.session.add(Hazard(unit_id=centre.depts["ward"].id, place="p", description="d",
                          state="notified", deadline_at=to_utc(datetime(2020, 1, 1)),
                          issued_at=to_utc(datetime(2019, 12, 30))))
    db.session.commit()
    director = as_person("director")
    page = director.get("/hospital_safety/").text
    assert 'data-testid="overdue">1<' in page.replace(" text-danger fw-bold", "")
    assert 'data-testid="hs-figures"' in director.get("/").text
