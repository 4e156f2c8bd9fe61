"""Two re-checkers press "close" and "send back" at the same moment: one wins, the other is
refused, the hazard is in exactly one state. Real threads, real HTTP, real PostgreSQL (the row
is locked with SELECT … FOR UPDATE)."""

from __future__ import annotations

import os
import threading

import pytest
from danwei_hospital_safety import hazards
from danwei_hospital_safety.models import Hazard

from core.api import db

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("DANWEI_TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="SQLite serialises every writer with one database lock; the race needs "
               "PostgreSQL, where two transactions really run at once",
    ),
]


def race(monkeypatch, requests):
    """Run *requests* (callables) at once, each held just before it takes the row lock."""
    barrier = threading.Barrier(len(requests), timeout=20)
    real_lock = hazards.lock

    def held(hazard_id):
        if threading.current_thread().name.startswith("racer"):
            barrier.wait()
        return real_lock(hazard_id)

    monkeypatch.setattr(hazards, "lock", held)
    answers, errors = {}, []

    def run(n):
        try:
            answers[n] = requests[n]().status_code
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,), name=f"racer-{n}")
               for n in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert not barrier.broken
    return answers


def fixed_hazard(centre, as_person):
    nurse, officer, head = as_person("nurse"), as_person("officer"), as_person("head")
    nurse.post("/hospital_safety/hazards/new", data={"place": "走廊", "description": "漏水",
                                                      "submit": "x"})
    hazard = db.session.scalars(db.select(Hazard).order_by(Hazard.id.desc())).first()
    officer.post(f"/hospital_safety/hazards/{hazard.id}/issue", data={
        "department": centre.depts["ward"].id, "grade": "general", "colour": "blue",
        "requirement": "修", "days": 2, "submit": "x"})
    head.post(f"/hospital_safety/hazards/{hazard.id}/fix", data={"fix-text": "已修"})
    db.session.expire_all()
    assert db.session.get(Hazard, hazard.id).state == "fixed"
    return hazard


def test_close_and_send_back_at_once_one_wins(centre, as_person, monkeypatch):
    hazard = fixed_hazard(centre, as_person)
    officer, committee = as_person("officer"), as_person("committee")
    url = f"/hospital_safety/hazards/{hazard.id}"
    answers = race(monkeypatch, [
        lambda: officer.post(f"{url}/close", data={"close-text": "合格"}),
        lambda: committee.post(f"{url}/send_back", data={"send_back-text": "不合格"}),
    ])
    assert sorted(answers.values()) == [302, 303], answers
    db.session.expire_all()
    row = db.session.get(Hazard, hazard.id)
    winner = 0 if answers[0] == 302 else 1
    assert row.state == ("closed", "notified")[winner]
    assert row.times_sent_back == winner


def test_two_rechecks_at_once_close_it_once(centre, as_person, monkeypatch):
    hazard = fixed_hazard(centre, as_person)
    officer, committee = as_person("officer"), as_person("committee")
    url = f"/hospital_safety/hazards/{hazard.id}/close"
    answers = race(monkeypatch, [
        lambda: officer.post(url, data={"close-text": "合格"}),
        lambda: committee.post(url, data={"close-text": "合格"}),
    ])
    assert sorted(answers.values()) == [302, 303], answers
    db.session.expire_all()
    row = db.session.get(Hazard, hazard.id)
    winner = centre.people["officer" if answers[0] == 302 else "committee"]
    assert row.state == "closed" and row.checked_by_id == winner.id


def test_two_dispensings_of_the_last_ampoule_at_once(centre, as_person, monkeypatch):
    """The drug ledger under the same lock: the last ampoule goes out once."""
    from danwei_hospital_safety import drugs
    from danwei_hospital_safety.models import Drug, DrugLot

    unit = centre.depts["pharmacy"]
    drug = Drug(unit_id=unit.id, unit=unit, name="吗啡注射液", category="narcotic",
                form="injection")
    db.session.add(drug)
    db.session.flush()
    lot_id = drugs.receive(drug, "L1", 1, centre.people["pharmacist"]).lot_id
    db.session.commit()
    barrier = threading.Barrier(2, timeout=20)
    real = drugs.lock_lot

    def held(lot):
        if threading.current_thread().name.startswith("racer"):
            barrier.wait()
        return real(lot)

    monkeypatch.setattr(drugs, "lock_lot", held)
    clients = [as_person("pharmacist"), as_person("pharmacist2")]
    answers, errors = {}, []

    def run(n):
        try:
            answers[n] = clients[n].post("/hospital_safety/drugs/dispense", data={
                "d-lot": lot_id, "d-prescription_no": f"RX{n}", "d-patient": "患者",
                "d-quantity": 1, "d-doses": 1}).status_code
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,), name=f"racer-{n}") for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and sorted(answers.values()) == [302, 303], answers
    db.session.expire_all()
    assert db.session.get(DrugLot, lot_id).balance == 0
