"""Demo data (``danwei demo``): a township health centre with its departments, every role
filled, hazards in every state (some overdue), disease reports with one late, a controlled-drug
ledger with one unexplained difference, extinguishers with labels and certificates.
Running it twice adds nothing: the centre's hazards are the marker."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from core.api import DemoAccount, add_working_days, db, utcnow

from . import drugs, rules
from .inspections import default_checklists
from .models import (
    Certificate,
    ChecklistTemplate,
    DiseaseCase,
    Drug,
    DrugLot,
    Hazard,
    Inspection,
    InspectionResult,
    InspectionState,
    LogEntry,
    PatrolPoint,
    PatrolScan,
)

P = "hospital_safety"
CENTRE = "demo-hc"
DEPARTMENTS = (("ward", "住院部"), ("pharmacy", "药房"), ("boiler", "锅炉房"),
               ("or", "手术室"), ("radiology", "放射科"), ("lab", "检验科"))


def centre_with_people(demo, code=CENTRE, name="演示镇卫生院", prefix="hs_"):
    """The centre, its departments and one person per role: ``(centre, depts, people)``."""
    county = demo.unit("demo-county-health", "演示县卫生健康局", "organisation")
    centre = demo.unit(code, name, "health_centre", county)
    depts = {key: demo.unit(f"{code}-{key}", label, "department", centre)
             for key, label in DEPARTMENTS}
    demo.enable(P, centre)
    people = {
        "director": demo.user(f"{prefix}director", "王院长", centre,
                              roles_in=((f"{P}.director", centre),)),
        "committee": demo.user(f"{prefix}committee", "李委员", centre,
                               roles_in=((f"{P}.committee_member", centre),)),
        "officer": demo.user(f"{prefix}officer", "赵安全员", centre,
                             roles_in=((f"{P}.safety_officer", centre),)),
        "head": demo.user(f"{prefix}ward_head", "孙护士长", depts["ward"],
                          roles_in=((f"{P}.department_head", depts["ward"]),)),
        "boiler_head": demo.user(f"{prefix}boiler_head", "周班长", depts["boiler"],
                                 roles_in=((f"{P}.department_head", depts["boiler"]),)),
        "pharmacist": demo.user(f"{prefix}pharmacist", "吴药师", depts["pharmacy"],
                                roles_in=((f"{P}.drug_keeper", depts["pharmacy"]),)),
        "pharmacist2": demo.user(f"{prefix}pharmacist2", "郑药师", depts["pharmacy"],
                                 roles_in=((f"{P}.drug_keeper", depts["pharmacy"]),)),
        "public_health": demo.user(f"{prefix}public_health", "冯医生", centre,
                                   roles_in=((f"{P}.public_health", centre),)),
        "nurse": demo.user(f"{prefix}nurse", "陈护士", depts["ward"],
                           roles_in=((f"{P}.staff", centre),)),
    }
    return centre, depts, people


def load(demo):
    centre, depts, people = centre_with_people(demo)
    accounts = [DemoAccount(u.username, demo.password, role, centre.name) for role, u in (
        ("Director", people["director"]), ("Safety officer", people["officer"]),
        ("Department head (ward)", people["head"]), ("Pharmacist", people["pharmacist"]),
        ("Public-health officer", people["public_health"]), ("Staff", people["nurse"]))]
    if db.session.scalar(select(Hazard.id).where(Hazard.unit_id.in_(
            [centre.id, *(d.id for d in depts.values())])).limit(1)):
        return accounts
    now = utcnow()
    hazards(now, depts, people, centre)
    cases(now, centre, people)
    ledger(depts["pharmacy"], people)
    points(now, depts)
    today = now.date()
    inspections_of_the_year(now, centre, depts, people)
    db.session.add_all([
        LogEntry(unit_id=centre.id, kind="duty", day=today + timedelta(days=n), person=who,
                 second="王院长", note="交接：夜间巡查正常") for n, who in enumerate(("赵安全员", "孙护士长"))
    ] + [LogEntry(unit_id=depts["boiler"].id, kind="boiler", day=today, person="周班长",
                  second="早班", note="压力0.6MPa，水位正常")])
    db.session.add_all([
        Certificate(unit_id=depts["boiler"].id, holder="周班长", kind="锅炉操作证",
                    number="G-2021-031", expires_on=today + timedelta(days=40)),
        Certificate(unit_id=depts["boiler"].id, holder="钱师傅", kind="锅炉操作证",
                    number="G-2023-112", expires_on=today + timedelta(days=400)),
        Certificate(unit_id=centre.id, holder="何电工", kind="低压电工作业证",
                    number="D-2022-007", expires_on=today + timedelta(days=200)),
    ])
    return accounts


def hazards(now, depts, people, centre):
    rows = []
    places = ["住院部二楼走廊", "锅炉房", "药房库房", "手术室配电箱", "放射科防护门", "检验科试剂柜",
              "氧气间", "食堂后厨", "门诊楼安全出口", "住院部三楼护士站"]
    problems = ["灭火器压力不足", "应急灯不亮", "电线私拉乱接", "安全出口堆放杂物",
                "氧气瓶未固定", "消防栓被遮挡", "配电箱门未关", "防护门闭门器损坏"]
    keys = list(depts)
    for n in range(36):
        dept = depts[keys[n % len(keys)]]
        reported = now - timedelta(days=360 - n * 10, hours=n % 7)
        state = ("closed", "closed", "closed", "fixed", "notified", "reported")[n % 6]
        if n >= 33:
            state = ("notified", "reported", "fixed")[n - 33]
        hazard = Hazard(unit_id=dept.id if state != "reported" else centre.id,
                        place=places[n % len(places)], description=problems[n % len(problems)],
                        reporter_id=None if n % 5 == 0 else people["nurse"].id,
                        reported_at=reported, state=state)
        if state != "reported":
            hazard.grade = "major" if n % 11 == 0 else "general"
            hazard.colour = ("yellow", "blue", "orange", "red")[n % 4]
            hazard.issued_by_id, hazard.issued_at = people["officer"].id, reported + timedelta(
                hours=20)
            hazard.notice_no = f"{hazard.issued_at:%Y}-D{n:04d}"
            hazard.requirement = "立即整改，整改期间设置警示标识。"
            hazard.deadline_days = 5
            hazard.deadline_at = add_working_days(hazard.issued_at, 5)
        if state in ("fixed", "closed"):
            hazard.fix_note = "已整改并拍照留证。"
            hazard.fixed_by_id = people["head"].id
            hazard.fixed_at = hazard.issued_at + timedelta(days=2 + n % 6)
        if state == "closed":
            hazard.check_note = "复查合格。"
            hazard.checked_by_id = people["officer"].id
            hazard.closed_at = hazard.fixed_at + timedelta(days=1)
        if state == "notified" and hazard.deadline_at < now:
            hazard.escalation = 1
            if n % 2:
                hazard.safeguards, hazard.safeguards_at = "设置围挡与警示牌，专人看守。", now
        rows.append(hazard)
    db.session.add_all(rows)


def cases(now, centre, people):
    specs = [("霍乱", "A", 90), ("肺结核", "B", 300), ("手足口病", "C", 600),
             ("乙型肝炎", "B", 500), ("流行性感冒", "C", 1200), ("细菌性痢疾", "B", 1000),
             ("其他感染性腹泻", "C", 400)]
    for n, (disease, klass, minutes) in enumerate(specs):
        limit = rules.report_limit(klass, True, centre)
        diagnosed = now - timedelta(days=40 - n * 5)
        late = disease == "细菌性痢疾"  # 1000 min > the 12 h rural target: the late one
        db.session.add(DiseaseCase(
            unit_id=centre.id, patient=f"患者{n + 1:02d}", disease=disease, disease_class=klass,
            rural=True, diagnosed_at=diagnosed, limit_minutes=limit.minutes,
            legal_minutes=limit.legal_minutes, reported_at=diagnosed + timedelta(
                minutes=minutes), report_no=f"5101{n:06d}", recorded_by_id=people[
                "public_health"].id, warned=3 if late else 0))
    limit = rules.report_limit("B", True, centre)
    db.session.add(DiseaseCase(unit_id=centre.id, patient="患者08", disease="麻疹",
                               disease_class="B", rural=True,
                               diagnosed_at=now - timedelta(hours=4), limit_minutes=limit.minutes,
                               legal_minutes=limit.legal_minutes,
                               recorded_by_id=people["public_health"].id))


def ledger(pharmacy, people):
    specs = [("吗啡注射液", "narcotic", "injection", "10mg/1ml", "支"),
             ("硫酸吗啡缓释片", "narcotic", "controlled", "30mg", "片"),
             ("地西泮注射液", "psych2", "injection", "10mg/2ml", "支")]
    for name, category, form, strength, label in specs:
        drug = Drug(unit_id=pharmacy.id, unit=pharmacy, name=name, category=category, form=form,
                    strength=strength, unit_label=label)
        db.session.add(drug)
        db.session.flush()
        drugs.receive(drug, f"{date.today():%y}0{drug.id % 10}1", 50, people["pharmacist"])
    lots = db.session.scalars(select(DrugLot).join(Drug).where(Drug.unit_id == pharmacy.id)
                              .order_by(DrugLot.id)).all()
    drugs.dispense(lots[0].id, people["pharmacist"], quantity=1, prescription_no="M0001",
                   patient="患者A", doses=1)
    drugs.dispense(lots[1].id, people["pharmacist"], quantity=14, prescription_no="M0002",
                   patient="患者B", days=7)
    drugs.return_or_destroy(lots[0].id, people["pharmacist"], kind="return", quantity=1,
                            witnesses="", note="")
    counted = {lot.id: lot.balance for lot in lots}
    counted[lots[2].id] -= 1  # one ampoule missing: the unexplained difference
    drugs.handover(pharmacy, counted, people["pharmacist2"])


def points(now, depts):
    specs = [("MHQ-001", "extinguisher", "门诊楼", "1", "大厅", "ward", False, 3),
             ("MHQ-002", "extinguisher", "门诊楼", "2", "走廊东", "ward", False, 7),
             ("MHQ-003", "extinguisher", "住院楼", "1", "护士站", "ward", False, 11),
             ("MHQ-004", "extinguisher", "后勤楼", "1", "锅炉房", "boiler", True, 4),
             ("XHS-001", "hydrant", "住院楼", "2", "楼梯口", "ward", False, None),
             ("GL-001", "boiler", "后勤楼", "1", "锅炉房", "boiler", True, None),
             ("YQ-001", "oxygen", "后勤楼", "1", "氧气间", "ward", True, None),
             ("XC-001", "patrol", "住院楼", "3", "夜间巡查点", "ward", False, None)]
    for n, (code, kind, building, floor, place, dept, risk, age) in enumerate(specs):
        point = PatrolPoint(unit_id=depts[dept].id, code=code, kind=kind, building=building,
                            floor=floor, place=place, high_risk=risk,
                            manufactured_on=(now.date() - timedelta(days=365 * age + 30)
                                             if age else None))
        db.session.add(point)
        db.session.flush()
        if n % 3 != 2:  # every third point missed
            at = now - timedelta(hours=3)
            db.session.add(PatrolScan(point_id=point.id, at=at, ok=True, note=""))
            point.last_scan_at = at


def inspections_of_the_year(now, centre, depts, people):
    """Twelve months of inspections; last month's fire inspection was missed (overdue)."""
    default_checklists(centre)
    db.session.flush()
    lists = {c.kind: c for c in db.session.scalars(select(ChecklistTemplate).where(
        ChecklistTemplate.unit_id == centre.id))}
    today = now.date()
    this_month = today.replace(day=1)

    def done(kind, unit, day, by, leaders=False, fail=None):
        at = datetime.combine(day, time(2, 0))
        row = Inspection(unit_id=unit.id, kind=kind, checklist_id=lists[kind].id, by_id=by.id,
                         led_by_leaders=leaders, state=InspectionState.DONE, started_at=at, done_at=at)
        db.session.add(row)
        db.session.flush()
        for n, item in enumerate(lists[kind].lines):
            failed = fail is not None and n == fail
            db.session.add(InspectionResult(inspection_id=row.id, position=n, item=item,
                                            result="fail" if failed else "pass",
                                            note="发现问题，已拍照" if failed else ""))

    for back in range(1, 13):
        month = this_month
        for _n in range(back):
            month = (month - timedelta(days=1)).replace(day=1)
        day = month.replace(day=10)
        done("hospital", centre, day, people["officer"], fail=back % 4 or None)
        if back != 1:
            done("fire", centre, day.replace(day=12), people["officer"])
        for key, dept in depts.items():
            if key != "lab" or back > 1:
                done("department", dept, day.replace(day=15), people["head"])
        if back % 2 == 0 and month.year == today.year or back <= 2:
            done("committee", centre, day.replace(day=20), people["committee"],
                 leaders=back in (2, 6))
