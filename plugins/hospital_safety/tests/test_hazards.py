"""The hazard state machine over HTTP: report → notice → (safeguards) → fix → re-check → closed,
and every illegal transition refused."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from danwei_hospital_safety.models import Hazard

from core.api import Demo, attachments_of, db, utcnow

P = "/hospital_safety"


def report(client, place="二楼走廊", **extra):
    data = {"place": place, "description": "灭火器被杂物遮挡", "submit": "x", **extra}
    response = client.post(f"{P}/hazards/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    return db.session.scalars(db.select(Hazard).order_by(Hazard.id.desc())).first()


def issue(client, hazard, dept, days=3):
    return client.post(f"{P}/hazards/{hazard.id}/issue", data={
        "department": dept.id, "grade": "general", "colour": "yellow",
        "requirement": "清理杂物", "days": days, "submit": "x"})


def step(client, hazard, action, text="ok"):
    return client.post(f"{P}/hazards/{hazard.id}/{action}", data={f"{action}-text": text,
                                                                  f"{action}-submit": "x"})


def state_of(hazard):
    db.session.expire_all()
    return db.session.get(Hazard, hazard.id).state


def test_whole_flow_with_photo_notice_fix_and_recheck(centre, as_person, png):
    nurse, officer = as_person("nurse"), as_person("officer")
    ward = centre.depts["ward"]
    hazard = report(nurse, photo=(io.BytesIO(png), "p.png"))
    assert hazard.state == "reported" and hazard.reporter_id == centre.people["nurse"].id
    assert len(attachments_of(hazard)) == 1
    assert issue(officer, hazard, ward).status_code == 302
    db.session.expire_all()
    hazard = db.session.get(Hazard, hazard.id)
    assert hazard.state == "notified" and hazard.unit_id == ward.id and hazard.notice_no
    assert hazard.deadline_at > utcnow() + timedelta(days=2)
    printed = officer.get(f"{P}/hazards/{hazard.id}/notice")
    assert printed.status_code == 200 and hazard.notice_no in printed.text
    head = as_person("head")
    assert step(head, hazard, "fix", "已清理").status_code == 302
    assert state_of(hazard) == "fixed"
    assert step(officer, hazard, "close", "复查合格").status_code == 302
    assert state_of(hazard) == "closed"


def test_anonymous_report_keeps_no_name(centre, as_person):
    hazard = report(as_person("nurse"), anonymous="y")
    assert hazard.reporter_id is None


def test_closing_without_a_fix_is_impossible(centre, as_person):
    officer = as_person("officer")
    hazard = report(as_person("nurse"))
    assert step(officer, hazard, "close").status_code == 303  # reported: no notice yet
    assert state_of(hazard) == "reported"
    issue(officer, hazard, centre.depts["ward"])
    for action in ("close", "send_back"):
        assert step(officer, hazard, action).status_code == 303  # notified: nothing to re-check
        assert state_of(hazard) == "notified"
    assert issue(officer, hazard, centre.depts["ward"]).status_code == 409  # issued once only


def test_nobody_rechecks_their_own_fix(centre, as_person):
    ward = centre.depts["ward"]
    both = Demo().user("t_both", "双角色", ward, roles_in=(
        ("hospital_safety.department_head", ward), ("hospital_safety.committee_member", ward)))
    db.session.commit()
    officer, fixer = as_person("officer"), as_person(both)
    hazard = report(as_person("nurse"))
    issue(officer, hazard, ward)
    step(fixer, hazard, "fix")
    page = fixer.get(f"{P}/hazards/{hazard.id}").text
    assert "Someone other than the person who fixed it" in page
    assert step(fixer, hazard, "close").status_code == 303
    assert step(fixer, hazard, "send_back").status_code == 303
    assert state_of(hazard) == "fixed"
    assert step(officer, hazard, "send_back", "仍有杂物").status_code == 302
    assert state_of(hazard) == "notified"
    assert db.session.get(Hazard, hazard.id).times_sent_back == 1


def test_staff_and_heads_cannot_grade_or_close(centre, as_person):
    hazard = report(as_person("nurse"))
    head = as_person("head")
    assert issue(head, hazard, centre.depts["ward"]).status_code in (403, 404)
    officer = as_person("officer")
    issue(officer, hazard, centre.depts["ward"])
    step(head, hazard, "fix")
    assert step(head, hazard, "close").status_code in (303, 403, 404)
    assert state_of(hazard) == "fixed"


def test_past_the_deadline_safeguards_come_first(centre, as_person):
    officer, head = as_person("officer"), as_person("head")
    hazard = report(as_person("nurse"))
    issue(officer, hazard, centre.depts["ward"], days=1)
    row = db.session.get(Hazard, hazard.id)
    row.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = head.get(f"{P}/hazards/{hazard.id}").text
    assert 'data-testid="safeguards-missing"' in page
    assert step(head, hazard, "fix").status_code == 303
    assert state_of(hazard) == "notified"
    assert step(head, hazard, "safeguard", "设围挡").status_code == 302
    assert step(head, hazard, "fix").status_code == 302
    assert state_of(hazard) == "fixed"


def test_a_department_head_sees_only_their_department(centre, as_person):
    officer = as_person("officer")
    in_ward, in_boiler = report(as_person("nurse"), "病房"), report(as_person("nurse"), "锅炉")
    issue(officer, in_ward, centre.depts["ward"])
    issue(officer, in_boiler, centre.depts["boiler"])
    head = as_person("head")
    listing = head.get(f"{P}/hazards/").text
    ids = set(map(int, re.findall(r'data-testid="hazard" data-id="(\d+)"', listing)))
    assert ids == {in_ward.id}
    assert head.get(f"{P}/hazards/{in_boiler.id}").status_code == 404
    assert step(head, in_boiler, "fix").status_code == 404
    director = as_person("director").get(f"{P}/hazards/").text
    assert set(map(int, re.findall(r'data-id="(\d+)"', director))) >= {in_ward.id, in_boiler.id}


def test_overdue_escalates_to_committee_then_director(centre, as_person, run_jobs,
                                                      notifications_of):
    officer = as_person("officer")
    hazard = report(as_person("nurse"))
    issue(officer, hazard, centre.depts["ward"], days=1)
    deadline = db.session.get(Hazard, hazard.id).deadline_at
    run_jobs(at=deadline - timedelta(minutes=30), job="hospital_safety.escalate", force=True)
    assert not notifications_of(centre.people["committee"])
    run_jobs(at=deadline + timedelta(minutes=30), job="hospital_safety.escalate", force=True)
    assert any("Overdue hazard" in n.subject for n in notifications_of(centre.people["committee"]))
    assert not [n for n in notifications_of(centre.people["director"])
                if "still overdue" in n.subject]
    run_jobs(at=deadline + timedelta(days=10), job="hospital_safety.escalate", force=True)
    assert any("still overdue" in n.subject for n in notifications_of(centre.people["director"]))
    run_jobs(at=deadline + timedelta(days=11), job="hospital_safety.escalate", force=True)
    assert len([n for n in notifications_of(centre.people["director"])
                if "still overdue" in n.subject]) == 1
