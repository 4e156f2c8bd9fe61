"""The infectious-disease report clock: limits per class (the law over the seed), warnings at
half and four fifths, on time at the boundary, monthly rates."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from danwei_hospital_safety import rules, stats
from danwei_hospital_safety.models import DiseaseCase

from core.api import db, set_setting, to_local

P = "/hospital_safety"
DIAGNOSED = datetime(2026, 11, 2, 2, 0)  # UTC: 10:00 in Beijing, a Monday


def record(client, disease_class="A", diagnosed=DIAGNOSED, disease="霍乱"):
    response = client.post(f"{P}/cases/", data={
        "patient": "张某", "disease": disease, "disease_class": disease_class,
        "diagnosed_at": to_local(diagnosed).strftime("%Y-%m-%dT%H:%M"), "submit": "x"})
    assert response.status_code == 302, response.text
    return db.session.scalars(db.select(DiseaseCase).order_by(DiseaseCase.id.desc())).first()


def report(client, case, after: timedelta):
    response = client.post(f"{P}/cases/{case.id}/report", data={
        "reported_at": to_local(case.diagnosed_at + after).strftime("%Y-%m-%dT%H:%M"),
        "report_no": "51010001", "submit": "x"})
    assert response.status_code == 302, response.text


@pytest.mark.parametrize("rural", [True, False])
def test_limits_class_a_two_hours_everywhere_b_target_and_legal_c_24(app, centre, rural):
    unit = centre.unit
    assert rules.report_limit("A", rural, unit) == rules.ReportLimit(120, 120)
    assert rules.report_limit("A_managed", rural, unit) == rules.ReportLimit(120, 120)
    assert rules.report_limit("B", rural, unit) == rules.ReportLimit(720 if rural else 360, 1440)
    assert rules.report_limit("C", rural, unit) == rules.ReportLimit(1440, 1440)
    # the seed's 6 rural hours for class A is shown as superseded
    assert rules.SUPERSEDED["class_a_rural_hours"][0] == 6


@pytest.mark.parametrize("minutes, level", [(119, "on_time"), (120, "on_time"), (121, "late")])
def test_class_a_reported_at_1h59_2h00_2h01(centre, as_person, minutes, level):
    officer = as_person("public_health")
    case = record(officer)
    assert case.limit_minutes == 120
    report(officer, case, timedelta(minutes=minutes))
    db.session.expire_all()
    case = db.session.get(DiseaseCase, case.id)
    assert rules.clock(case.diagnosed_at, case.limit_minutes, DIAGNOSED, case.reported_at,
                       centre.unit)["level"] == level
    page = officer.get(f"{P}/cases/").text
    assert f'data-level="{level}"' in page


@pytest.mark.parametrize("minutes, level", [(59, "ok"), (60, "half"), (95, "half"),
                                            (96, "four_fifths"), (120, "four_fifths"),
                                            (121, "overdue")])
def test_clock_warns_at_half_and_four_fifths(app, centre, minutes, level):
    now = DIAGNOSED + timedelta(minutes=minutes)
    state = rules.clock(DIAGNOSED, 120, now, None, centre.unit)
    assert state["level"] == level
    assert state["left"] == 120 - minutes


def test_warning_job_tells_the_officer_once_per_level(centre, as_person, run_jobs,
                                                     notifications_of):
    case = record(as_person("public_health"))
    officer = centre.people["public_health"]
    run_jobs(at=case.diagnosed_at + timedelta(minutes=50), job="hospital_safety.case_clock",
             force=True)
    assert notifications_of(officer) == []
    run_jobs(at=case.diagnosed_at + timedelta(minutes=61), job="hospital_safety.case_clock",
             force=True)
    run_jobs(at=case.diagnosed_at + timedelta(minutes=65), job="hospital_safety.case_clock",
             force=True)
    assert len(notifications_of(officer)) == 1
    run_jobs(at=case.diagnosed_at + timedelta(minutes=97), job="hospital_safety.case_clock",
             force=True)
    assert len(notifications_of(officer)) == 2
    run_jobs(at=case.diagnosed_at + timedelta(minutes=125), job="hospital_safety.case_clock",
             force=True)
    assert any("overdue" in n.subject for n in notifications_of(centre.people["director"]))


def test_town_centre_gets_the_town_target(centre, as_person):
    set_setting("hospital_safety", "rural", False, centre.unit)
    db.session.commit()
    case = record(as_person("public_health"), "B", disease="肺结核")
    assert (case.limit_minutes, case.legal_minutes) == (360, 1440)


def test_report_time_cannot_precede_diagnosis(centre, as_person):
    officer = as_person("public_health")
    case = record(officer)
    response = officer.post(f"{P}/cases/{case.id}/report", data={
        "reported_at": to_local(case.diagnosed_at - timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"), "report_no": "1", "submit": "x"})
    assert response.status_code == 200
    assert db.session.get(DiseaseCase, case.id).reported_at is None


def test_monthly_report_and_timely_rates(app, centre, as_person):
    officer = as_person("public_health")
    on_time = [record(officer, "C", DIAGNOSED + timedelta(hours=n), "流感") for n in range(3)]
    for case in on_time:
        report(officer, case, timedelta(hours=20))
    late = record(officer, "A", DIAGNOSED + timedelta(hours=5))
    report(officer, late, timedelta(minutes=121))
    record(officer, "B", DIAGNOSED + timedelta(hours=6), "肺结核")  # not reported
    scope = db.select(db.literal(centre.unit.id))
    rates = stats.case_rates(scope, datetime(2026, 10, 31, 16), datetime(2026, 11, 30, 16))
    assert rates == {"cases": 5, "reported": 4, "timely": 3, "legal": 3,
                     "report_rate": 0.8, "timely_rate": 0.6}


def test_cases_hidden_from_the_ward_head(centre, as_person):
    assert as_person("head").get(f"{P}/cases/").status_code in (403, 404)
    assert as_person("director").get(f"{P}/cases/").status_code == 200
