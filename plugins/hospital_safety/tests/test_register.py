"""Certificates (warned 60 days ahead) and penalties (seed fines, decided by the committee)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from danwei_hospital_safety.models import Certificate, Hazard, Penalty

from core.api import db, local_today

P = "/hospital_safety"


@pytest.mark.parametrize("days, warned", [(60, True), (61, False), (-1, True)])
def test_certificate_warns_sixty_days_ahead(centre, as_person, days, warned):
    officer = as_person("officer")
    expires = local_today() + timedelta(days=days)
    response = officer.post(f"{P}/certificates/", data={
        "unit": centre.depts["boiler"].id, "holder": "周班长", "kind": "锅炉操作证",
        "expires_on": expires.isoformat(), "submit": "x"})
    assert response.status_code == 302
    page = officer.get(f"{P}/certificates/").text
    assert f'data-warn="{1 if warned else 0}"' in page
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1


def test_only_the_safety_officer_adds_certificates(centre, as_person):
    head = as_person("head")
    assert head.post(f"{P}/certificates/", data={
        "unit": centre.depts["ward"].id, "holder": "x", "kind": "y",
        "expires_on": "2030-01-01"}).status_code == 403


def propose(client, centre, kind="hazard", amount=20, **extra):
    return client.post(f"{P}/penalties/", data={
        "unit": centre.depts["ward"].id, "kind": kind, "person": "张三", "amount": amount,
        "reason": "隐患通知后未整改", "submit": "x", **extra})


@pytest.mark.parametrize("kind, amount, ok", [("hazard", 19, False), ("hazard", 20, True),
                                              ("hazard", 50, True), ("hazard", 51, False),
                                              ("accident", 199, False), ("accident", 200, True),
                                              ("accident", 500, True), ("accident", 501, False)])
def test_fines_within_the_seed_ranges(centre, as_person, kind, amount, ok):
    response = propose(as_person("officer"), centre, kind, amount)
    assert response.status_code == (302 if ok else 400)
    assert db.session.scalar(db.select(db.func.count(Penalty.id))) == (1 if ok else 0)


def test_committee_decides_once_and_the_veto_shows(centre, as_person):
    hazard = Hazard(unit_id=centre.depts["ward"].id, place="p", description="d",
                    state="notified")
    db.session.add(hazard)
    db.session.commit()
    assert propose(as_person("officer"), centre, hazard=hazard.id, veto="y").status_code == 302
    row = db.session.scalar(db.select(Penalty))
    assert row.hazard_id == hazard.id and row.veto
    assert as_person("head").post(f"{P}/penalties/{row.id}/decide").status_code in (403, 404)
    committee = as_person("committee")
    assert committee.post(f"{P}/penalties/{row.id}/decide").status_code == 302
    assert committee.post(f"{P}/penalties/{row.id}/reject").status_code == 303
    db.session.expire_all()
    assert db.session.get(Penalty, row.id).state == "decided"
    assert 'data-testid="veto"' in committee.get(f"{P}/penalties/").text


def test_duty_roster_and_boiler_log(centre, as_person, set_calendar_day):
    from danwei_hospital_safety.models import LogEntry

    set_calendar_day(local_today(), "holiday", "节日")
    officer = as_person("officer")
    response = officer.post("/hospital_safety/duty/", data={
        "unit": centre.unit.id, "day": local_today().isoformat(), "person": "赵安全员",
        "second": "王院长", "note": "交接正常", "submit": "x"})
    assert response.status_code == 302
    page = officer.get("/hospital_safety/duty/").text
    assert "王院长" in page and 'data-testid="day-off"' in page
    boiler_head = as_person("boiler_head")
    assert boiler_head.post("/hospital_safety/boiler/", data={
        "unit": centre.depts["ward"].id, "day": local_today().isoformat(), "person": "x",
        "submit": "x"}).status_code == 400  # not their unit: not a choice
    assert boiler_head.post("/hospital_safety/boiler/", data={
        "unit": centre.depts["boiler"].id, "day": local_today().isoformat(), "person": "周班长",
        "second": "早班", "note": "压力正常", "submit": "x"}).status_code == 302
    assert as_person("nurse").get("/hospital_safety/duty/").status_code in (403, 404)
    assert db.session.scalar(db.select(db.func.count(LogEntry.id))) == 2
