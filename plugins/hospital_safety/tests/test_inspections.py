"""Inspections: checklists, a phone round with pass / fail / n.a., a fail becomes a hazard in
one click, done versus required per period with overdue flagged."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time

from danwei_hospital_safety import inspections
from danwei_hospital_safety.models import ChecklistTemplate, Hazard, Inspection

from core.api import db, to_utc

P = "/hospital_safety"


def checklist(kind):
    return db.session.scalar(db.select(ChecklistTemplate).where(ChecklistTemplate.kind == kind))


def start(client, unit, kind="hospital", leaders=False):
    data = {"kind": kind, "unit": unit.id, "checklist": checklist(kind).id, "submit": "x"}
    if leaders:
        data["led_by_leaders"] = "y"
    response = client.post(f"{P}/inspections/new", data=data)
    assert response.status_code == 302, response.text
    return db.session.scalars(db.select(Inspection).order_by(Inspection.id.desc())).first()


def test_enabling_a_centre_gives_a_checklist_per_kind(centre):
    kinds = set(db.session.scalars(db.select(ChecklistTemplate.kind).where(
        ChecklistTemplate.unit_id == centre.unit.id)))
    assert kinds == {"committee", "hospital", "department", "fire"}


def test_phone_round_fail_needs_a_note_and_becomes_a_hazard(centre, as_person, png):
    officer = as_person("officer")
    inspection = start(officer, centre.unit)
    ids = [r.id for r in inspection.results]
    answers = {f"r-{i}": "pass" for i in ids}
    answers[f"r-{ids[1]}"] = "fail"
    answers[f"r-{ids[2]}"] = "na"
    response = officer.post(f"{P}/inspections/{inspection.id}", data=answers)
    assert response.status_code == 400 and "Say what is wrong" in response.text
    assert 'value="fail" checked' in response.text  # what was typed is kept
    answers[f"n-{ids[1]}"] = "灭火器过期"
    answers[f"p-{ids[1]}"] = (io.BytesIO(png), "f.png")
    response = officer.post(f"{P}/inspections/{inspection.id}", data=answers,
                            content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Inspection, inspection.id)
    assert row.state == "done" and [r.result for r in row.results][:3] == ["pass", "fail", "na"]
    failed = row.results[1]
    assert officer.post(f"{P}/inspections/results/{failed.id}/hazard").status_code == 302
    assert officer.post(f"{P}/inspections/results/{failed.id}/hazard").status_code == 303
    hazard = db.session.scalar(db.select(Hazard))
    assert "灭火器过期" in hazard.description and hazard.state == "reported"
    assert officer.post(f"{P}/inspections/results/{row.results[0].id}/hazard"
                        ).status_code == 303  # a pass is no hazard
    assert db.session.scalar(db.select(db.func.count(Hazard.id))) == 1


def test_every_item_must_be_answered(centre, as_person):
    officer = as_person("officer")
    inspection = start(officer, centre.unit, "fire")
    response = officer.post(f"{P}/inspections/{inspection.id}", data={})
    assert response.status_code == 400
    assert response.text.count('data-testid="error"') == len(inspection.results)


def test_a_department_head_inspects_only_their_department(centre, as_person):
    head = as_person("head")
    response = head.post(f"{P}/inspections/new", data={
        "kind": "department", "unit": centre.depts["boiler"].id,
        "checklist": checklist("department").id, "submit": "x"})
    assert response.status_code == 200  # not a choice for them
    assert start(head, centre.depts["ward"], "department").unit_id == centre.depts["ward"].id


def done(kind, unit, day, leaders=False):
    at = to_utc(datetime.combine(day, time(10)))
    db.session.add(Inspection(unit_id=unit.id, kind=kind, state="done", started_at=at,
                              done_at=at, led_by_leaders=leaders))


def test_done_vs_required_and_overdue(app, centre):
    today = date(2026, 6, 10)
    done("hospital", centre.unit, date(2026, 6, 1))
    done("fire", centre.unit, date(2026, 5, 31))      # last day of May: May done, June not yet
    done("hospital", centre.unit, date(2026, 4, 30))  # April, not May: May overdue
    for key, dept in centre.depts.items():
        if key != "lab":
            done("department", dept, date(2026, 5, 20))
    for n, leaders in enumerate((True, False, False, True, False)):
        done("committee", centre.unit, date(2026, 1 + n, 5), leaders)
    done("committee", centre.unit, date(2025, 12, 5), True)  # last year: not counted
    db.session.commit()
    rows = inspections.plan_rows([centre.unit.id], today)
    row = rows[0]
    assert row["hospital"] == (1, 1) and row["fire"] == (0, 1)
    assert row["departments"] == (0, 6)
    assert row["committee"] == (5, 6) and row["leaders"] == (2, 2)
    overdue = [str(label) for label in row["overdue"]]
    assert overdue == ["Monthly hospital-wide inspection", "Monthly department self-check"]


def test_the_plan_table_on_the_page(centre, as_person):
    page = as_person("director").get(f"{P}/inspections/").text
    assert re.search(r'data-key="committee" data-done="0" data-required="6"', page)


def test_checklists_are_editable_by_the_safety_officer_only(centre, as_person):
    officer = as_person("officer")
    row = checklist("fire")
    response = officer.post(f"{P}/checklists/{row.id}", data={
        "kind": "fire", "unit": centre.unit.id, "name": "消防检查（新）",
        "items": "灭火器\n消防栓\n\n疏散通道", "submit": "x"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ChecklistTemplate, row.id).lines == ["灭火器", "消防栓", "疏散通道"]
    assert as_person("head").get(f"{P}/checklists/{row.id}").status_code in (403, 404)
