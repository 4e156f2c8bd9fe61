"""Benchmark data of the hospital-safety plugin: a county health bureau with 30 township
health centres (six departments each) and five years of hazards, disease reports, patrol
points and their checks. Pages: the hazard lists and the safety dashboards of a department
head, a centre director and the county."""

from __future__ import annotations

import random
from datetime import timedelta

from danwei_hospital_safety.models import DiseaseCase, Hazard, PatrolPoint, PatrolScan

from core.api import Demo, Unit, assign_role, create_unit, create_user, db, utcnow

P = "hospital_safety"
PASSWORD = "danwei2026"
DEPARTMENTS = ("住院部", "药房", "锅炉房", "手术室", "放射科", "检验科")
YEARS = 5


def generate(app, rng: random.Random, small: bool) -> dict:
    root = db.session.scalar(db.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    county = create_unit("bench-hs-county", "基准县卫生健康局", "organisation", root)
    Demo().enable(P, county)
    centres, depts = [], []
    for c in range(30):
        centre = create_unit(f"bench-hs-{c:02d}", f"基准镇卫生院{c:02d}", "health_centre", county)
        centres.append(centre)
        depts.append([create_unit(f"bench-hs-{c:02d}-{d}", name, "department", centre)
                      for d, name in enumerate(DEPARTMENTS)])
    users = {
        "county": create_user("bench_hs_county", "县局安全科", PASSWORD, county),
        "director": create_user("bench_hs_director", "院长", PASSWORD, centres[0]),
        "head": create_user("bench_hs_head", "护士长", PASSWORD, depts[0][0]),
        "officer": create_user("bench_hs_officer", "安全员", PASSWORD, centres[0]),
    }
    assign_role(users["county"], f"{P}.director", county)
    assign_role(users["director"], f"{P}.director", centres[0])
    assign_role(users["head"], f"{P}.department_head", depts[0][0])
    assign_role(users["officer"], f"{P}.safety_officer", centres[0])
    db.session.commit()

    now = utcnow()
    span = timedelta(days=365 * YEARS)
    per_centre_year = 2 if small else 120
    hazards = []
    for c, centre in enumerate(centres):
        for _n in range(per_centre_year * YEARS):
            reported = now - span * rng.random()
            dept = rng.choice(depts[c])
            state = rng.choices(("closed", "fixed", "notified", "reported"), (85, 5, 7, 3))[0]
            row = dict(unit_id=dept.id if state != "reported" else centre.id, state=state,
                       place=rng.choice(("走廊", "配电箱", "氧气间", "库房", "安全出口")),
                       description="隐患描述", reported_at=reported, requirement="",
                       safeguards="", fix_note="", check_note="", escalation=0,
                       times_sent_back=0)
            if state != "reported":
                issued = reported + timedelta(hours=rng.randint(1, 48))
                row.update(grade=rng.choice(("general", "general", "major")),
                           colour=rng.choice(("red", "orange", "yellow", "blue")),
                           issued_at=issued, deadline_days=5,
                           deadline_at=issued + timedelta(days=7), notice_no="B")
            if state == "closed":
                row["closed_at"] = row["issued_at"] + timedelta(days=rng.randint(1, 20))
            hazards.append(row)
    db.session.execute(db.insert(Hazard), hazards)

    cases = []
    for centre in centres:
        for _n in range(1 if small else 100 * YEARS):
            diagnosed = now - span * rng.random()
            klass = rng.choices(("A", "B", "C"), (1, 60, 39))[0]
            limit = {"A": 120, "B": 720, "C": 1440}[klass]
            cases.append(dict(unit_id=centre.id, patient="患者", disease="病名",
                              disease_class=klass, rural=True, diagnosed_at=diagnosed,
                              limit_minutes=limit, legal_minutes=1440 if klass != "A" else 120,
                              reported_at=diagnosed + timedelta(minutes=rng.randint(10, 1500)),
                              report_no="1", warned=0, created_at=diagnosed))
    db.session.execute(db.insert(DiseaseCase), cases)

    points = []
    for c in range(len(centres)):
        for n in range(2 if small else 60):
            points.append(dict(unit_id=rng.choice(depts[c]).id, code=f"P{c:02d}-{n:03d}",
                               kind=rng.choice(("extinguisher", "extinguisher", "hydrant",
                                                "patrol", "boiler")),
                               building=rng.choice(("门诊楼", "住院楼", "后勤楼")),
                               floor=str(rng.randint(1, 4)), place="", high_risk=False,
                               last_scan_at=now - timedelta(days=rng.randint(0, 60))))
    db.session.execute(db.insert(PatrolPoint), points)
    point_ids = db.session.scalars(db.select(PatrolPoint.id).where(
        PatrolPoint.unit_id.in_([d.id for row in depts for d in row]))).all()
    scans = [dict(point_id=pid, at=now - timedelta(days=30 * m), ok=True, note="")
             for pid in point_ids for m in range(2 if small else YEARS * 12)]
    for i in range(0, len(scans), 10_000):
        db.session.execute(db.insert(PatrolScan), scans[i:i + 10_000])
    db.session.commit()
    return {
        "counts": {"centres": len(centres), "hazards": len(hazards), "disease cases": len(cases),
                   "patrol points": len(points), "patrol checks": len(scans)},
        "pages": [
            {"name": "hospital_safety: hazard list (department head)",
             "user": "bench_hs_head", "path": "/hospital_safety/hazards/"},
            {"name": "hospital_safety: hazard list, open (centre director)",
             "user": "bench_hs_director", "path": "/hospital_safety/hazards/?state=notified"},
            {"name": "hospital_safety: hazard list (county)",
             "user": "bench_hs_county", "path": "/hospital_safety/hazards/"},
            {"name": "hospital_safety: dashboard (centre director)",
             "user": "bench_hs_director", "path": "/hospital_safety/"},
            {"name": "hospital_safety: dashboard (county)",
             "user": "bench_hs_county", "path": "/hospital_safety/"},
        ],
    }
