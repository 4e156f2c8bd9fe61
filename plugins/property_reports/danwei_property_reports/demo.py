"""Demo data: a property company with its seven departments and a year of plans and summaries.

Run by ``danwei demo`` through the ``demo_data`` hook; idempotent (a second run adds nothing).
Past months are approved and filed as they would have been; next month's engineering plan is
waiting for the project manager, and a few summaries came in late or not at all, so that the
board, the inbox and the on-time rates have something to show.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.api import DemoAccount, Unit, db, local_today, start_workflow, utcnow

from . import deadlines as dl
from . import metrics, tracking
from .approvals import PLAN_FLOW, plan_fields
from .catalogue import (
    BREAKDOWN,
    COMPANY_KIND,
    COUNT,
    DEPARTMENTS,
    MONEY,
    PERCENT,
    TEAM_KIND,
    TEXT,
    Department,
)
from .models import (
    APPROVED,
    CADENCES,
    DEPARTMENT,
    SUBMITTED,
    TEAM,
    Catalogue,
    MetricValue,
    Plan,
    PlanItem,
    PlanVersion,
    RoutineItem,
    Spec,
    SpecRevision,
    Summary,
    SummaryItem,
    period_key,
)
from .versions import new_key

PLUGIN = "property_reports"
COMPANY = ("pr-company", "安居物业服务有限公司")
#: (department key, unit code, name, manager user name, manager's name)
UNITS = (
    ("admin", "pr-admin", "行政办公室", "pr_admin", "周主任"),
    ("hr", "pr-hr", "人事部", "pr_hr", "吴经理"),
    ("engineering", "pr-eng", "工程部", "pr_eng", "郑经理"),
    ("security", "pr-sec", "保安部", "pr_sec", "王队长"),
    ("cleaning", "pr-clean", "保洁部", "pr_clean", "冯经理"),
    ("service", "pr-service", "物业部", "pr_service", "陈经理"),
    ("finance", "pr-fin", "财务部", "pr_fin", "褚会计"),
)
TEAMS = (("pr-eng-we", "水电班", "pr-eng"), ("pr-eng-hvac", "空调班", "pr-eng"))

#: Typical monthly ranges of the counts and amounts, so the charts look like a real estate.
RANGES = {
    "activities": (1, 4), "patrols": (4, 8), "patrol_problems": (5, 30),
    "vehicle_trips": (20, 60), "vehicle_km": (800, 2500), "purchase_total": (8000, 40000),
    "newsletter_submitted": (8, 20), "newsletter_published": (4, 10),
    "recruitment_rounds": (0, 3), "trainings": (1, 4), "headcount": (150, 170),
    "hires": (0, 6), "resignations": (0, 4), "departures": (0, 3),
    "outstanding_nominations": (2, 7),
    "repairs_normal": (120, 260), "repairs_special": (20, 60), "repairs_rework": (3, 15),
    "repairs_other": (5, 30), "maintenance_total": (300, 600), "attendance": (700, 820),
    "hazards_found": (3, 20), "hazards_resolved": (3, 18), "guard_person_days": (1100, 1300),
    "guard_posts": (380, 430), "alarms_confirmed": (0, 6),
    "in_home_cleaning": (30, 90), "cleaning_person_days": (900, 1000), "cleaning_posts": (300, 330),
    "special_services": (10, 40), "first_cleans": (0, 12), "refuse_loads": (60, 90),
    "outsourced_jobs": (2, 8),
    "requests_rework": (4, 16), "requests_normal": (130, 280), "requests_special": (20, 70),
    "requests_other": (10, 40), "handovers": (0, 15), "complaints": (3, 18), "parcels": (200, 420),
    "trolley_uses": (60, 150), "households": (1800, 1850), "foreign_residents": (30, 45),
    "foreign_registered": (28, 45), "not_living": (60, 90), "tenancies_ended": (1, 8),
    "access_cards": (10, 40), "letting_visitors": (15, 40), "letting_successes": (3, 15),
    "parking_let": (0, 10), "gas_agency": (20000, 45000),
    "property_fees_collected": (600000, 780000),
    "special_income": (15000, 40000),
    "income": (900000, 1200000), "income_budget": (1000000, 1100000),
    "expenditure": (700000, 950000), "expenditure_budget": (850000, 900000),
    "fee_receivable": (800000, 820000), "fee_collected": (680000, 800000),
    "energy_agency": (150000, 260000), "hot_water_receivable": (40000, 60000),
    "hot_water_collected": (35000, 60000), "heating_receivable": (0, 300000),
    "heating_collected": (0, 300000), "other_income": (5000, 30000),
}
CATEGORIES = {
    "patrol_problem_categories": ("卫生", "设施", "安全", "绿化"),
    "purchase_categories": ("办公用品", "清洁用品", "维修材料"),
    "maintenance_by_system": ("给排水", "供配电", "电梯", "消防", "空调"),
    "complaint_causes": ("噪音", "维修不及时", "停车", "卫生"),
    "special_income_kinds": ("家政", "维修", "代购"),
    "income_details": ("物业费", "停车费", "特约服务", "其他"),
    "expenditure_details": ("人工", "能耗", "维修", "办公"),
}
TEXTS = ("按计划完成,无重大问题。", "个别事项推迟,已安排下月跟进。", "整体平稳,需加强班组协调。",
         "已组织专题会议落实整改。")
STOCK_START = {"handovers_cumulative": 1600, "parking_let_cumulative": 420}


def _split(total: Decimal, parts: int, rng: random.Random, whole: bool) -> list[Decimal]:
    """*total* cut into *parts* non-negative pieces that add up exactly."""
    cuts = sorted(rng.random() for _ in range(parts - 1))
    shares = [b - a for a, b in zip([0.0, *cuts], [*cuts, 1.0], strict=True)]
    step = Decimal(1) if whole else Decimal("0.01")
    pieces = [(total * Decimal(str(s))).quantize(step) for s in shares[:-1]]
    return [*pieces, total - sum(pieces, Decimal(0))]


def sample_values(dept: Department, rng: random.Random, previous: dict | None = None) -> dict:
    """A plausible month of *dept*'s metrics, obeying every rule of its form.

    *previous* (last month's values) keeps cumulative counts growing.
    """
    values: dict = {}
    for field in dept.inputs:
        low, high = RANGES.get(field.key, (0, 50))
        if field.kind == COUNT:
            values[field.key] = rng.randint(low, high)
        elif field.kind == MONEY:
            values[field.key] = Decimal(rng.randint(low * 100, high * 100)) / 100
        elif field.kind == PERCENT:
            values[field.key] = Decimal(rng.randint(8000, 10000)) / 100
        elif field.kind == TEXT:
            values[field.key] = rng.choice(TEXTS)
    for field in dept.inputs:
        if field.key in STOCK_START:
            before = (previous or {}).get(field.key, STOCK_START[field.key])
            month_key = field.key.replace("_cumulative", "")
            values[field.key] = before + values.get(month_key, 0)
    for item in dept.items:
        for rule in item.rules:
            a, b = values.get(rule.a), values.get(rule.b)
            if rule.op == "at_most" and a is not None and b is not None and a > b:
                values[rule.a] = b
    for field in dept.inputs:
        if field.kind == BREAKDOWN and field.total and values.get(field.total):
            names = CATEGORIES.get(field.key, ("甲", "乙", "丙"))
            total = Decimal(values[field.total])
            pieces = _split(total, len(names), rng, whole=field.of == COUNT)
            values[field.key] = list(zip(names, pieces, strict=True))
    return values


def write_values(summary: Summary, dept: Department, values: dict) -> None:
    """Store *values* (as :func:`sample_values` gives them) as the summary's metric rows."""
    for field in dept.inputs:
        value = values.get(field.key)
        if value is None:
            continue
        common = dict(unit_id=summary.unit_id, period=summary.period, department=dept.key,
                      metric=field.key)
        if field.kind == TEXT:
            summary.values.append(MetricValue(**common, category="", text=value))
        elif field.kind == BREAKDOWN:
            for category, number in value:
                summary.values.append(MetricValue(**common, category=category,
                                                  number=Decimal(number)))
        else:
            summary.values.append(MetricValue(**common, category="", number=Decimal(value)))


# -- the company --------------------------------------------------------------------------------


def _utc(day: date, hour: int = 10) -> datetime:
    """A local working-hours moment of *day*, as naive UTC (Beijing is UTC+8)."""
    return datetime.combine(day, time(hour)) - timedelta(hours=8)


def load(demo) -> list[DemoAccount]:
    company = demo.unit(*COMPANY, COMPANY_KIND)
    departments = {}
    for key, code, name, _, _ in UNITS:
        dept = next(d for d in DEPARTMENTS if d.key == key)
        departments[key] = demo.unit(code, name, dept.kind, company)
    by_code = {u.code: u for u in departments.values()}
    teams = {code: demo.unit(code, name, TEAM_KIND, by_code[parent])
             for code, name, parent in TEAMS}
    demo.enable(PLUGIN, company)

    boss = demo.user("pr_boss", "李总", company, roles_in=((f"{PLUGIN}.leadership", company),))
    pm = demo.user("pr_pm", "张项目经理", company,
                   roles_in=((f"{PLUGIN}.project_manager", company),))
    managers = {}
    for key, _, _, username, person in UNITS:
        unit = departments[key]
        managers[key] = demo.user(username, person, unit, roles_in=(
            (f"{PLUGIN}.department_manager", unit),))
    leader = demo.user("pr_team", "孙班长", teams["pr-eng-we"],
                       roles_in=((f"{PLUGIN}.team_leader", teams["pr-eng-we"]),))
    demo.user("pr_staff", "钱师傅", teams["pr-eng-we"],
              roles_in=((f"{PLUGIN}.staff", teams["pr-eng-we"]),))

    if db.session.scalar(select(Plan.id).where(Plan.unit_id == departments["admin"].id)) is None:
        _history(company, departments, teams, managers, pm, boss, leader)

    where = company.name
    return [
        DemoAccount("pr_boss", demo.password, "Company leadership / 公司领导", where),
        DemoAccount("pr_pm", demo.password, "Project manager / 项目经理", where),
        DemoAccount("pr_eng", demo.password, "Department manager / 部门经理",
                    departments["engineering"].name),
        DemoAccount("pr_service", demo.password, "Department manager / 部门经理",
                    departments["service"].name),
        DemoAccount("pr_team", demo.password, "Team leader / 班组长", teams["pr-eng-we"].name),
        DemoAccount("pr_staff", demo.password, "Staff / 员工", teams["pr-eng-we"].name),
    ]


SPECS = {
    "engineering": (("GC-01", "电梯日常巡检"), ("GC-02", "二次供水水箱清洗")),
    "cleaning": (("BJ-01", "公共区域日常保洁"), ("BJ-02", "开荒保洁")),
    "security": (("BA-01", "门岗值守"),),
    "service": (("WY-01", "业主报修接待"),),
}
PLAN_WORK = {
    "admin": ("组织季度园区综合巡视", "园区", "行政办公室"),
    "hr": ("组织新员工入职培训", "培训室", "人事部"),
    "engineering": ("二次供水水箱清洗消毒", "地下泵房", "工程部水电班"),
    "security": ("消防通道专项整治", "各楼栋", "保安部"),
    "cleaning": ("外墙玻璃清洗", "1-6号楼", "保洁部"),
    "service": ("业主满意度回访", "客服中心", "物业部"),
    "finance": ("物业费催缴专项", "财务部", "财务部"),
}


def _history(company, departments, teams, managers, pm, boss, leader) -> None:
    rng = random.Random(2026)
    today = local_today()
    specs = {}
    for key, entries in SPECS.items():
        for code, title in entries:
            spec = Spec(unit=departments[key], code=code, title=title)
            spec.revisions.append(SpecRevision(
                number=1, work_standard=f"{title}:符合公司服务标准。",
                delivery=f"1. 准备工具和材料。\n2. 按流程实施{title}。\n3. 清理现场并记录。",
                inspection="主管每周抽查,记录检查结果,不合格项限期整改。",
                trigger="new_work", reason="", author_id=managers[key].id,
            ))
            db.session.add(spec)
            specs.setdefault(key, []).append(spec)
    for key, unit in departments.items():
        catalogue = Catalogue(unit=unit, number=1, status=APPROVED, author_id=managers[key].id,
                              effective_from=today - timedelta(days=380), decided_by_id=boss.id,
                              decided_at=utcnow() - timedelta(days=385),
                              submitted_at=utcnow() - timedelta(days=390))
        for position, (cadence, content) in enumerate((
                ("daily", f"{unit.name}日常巡查"), ("weekly", "部门例会"),
                ("monthly", "月度工作总结与计划"), ("yearly", "年度考评")), start=1):
            catalogue.items.append(RoutineItem(
                item_key=new_key(), cadence=cadence, cadence_order=CADENCES.index(cadence),
                position=position, content=content, standard="按公司制度执行",
                responsible=managers[key].name,
                spec_id=specs[key][0].id if key in specs and cadence == "daily" else None))
        db.session.add(catalogue)
    db.session.flush()

    months = tracking.months_back(today.year, today.month, 13)[:-1]  # the twelve before this
    previous: dict[str, dict] = {}
    for index, (year, month) in enumerate(months):
        for key, unit in departments.items():
            version = _plan(unit, year, month, key, managers[key], pm, specs, rng)
            late = rng.random() < 0.12
            deadline = tracking.deadline_for(unit, dl.SUMMARY, year, month)
            if index == len(months) - 1 and key in ("admin", "security") \
                    and today <= deadline.due + timedelta(days=3):
                continue  # last month's summary not handed in yet
            summary_of(version, key, managers[key], deadline, late, today, rng, previous)
    # This month's plans are approved. Next month's: engineering's waits for the project
    # manager, security has not started, the others are approved (or, before the deadline,
    # still drafts).
    for key, unit in departments.items():
        _plan(unit, today.year, today.month, key, managers[key], pm, specs, rng)
    year, month = dl.add_months(today.year, today.month, 1)
    for key, unit in departments.items():
        if key in ("security", "engineering"):
            continue
        due = tracking.deadline_for(unit, dl.PLAN, year, month).due
        _plan(unit, year, month, key, managers[key], pm, specs, rng, approve=today > due)
    engineering = departments["engineering"]
    version = _plan(engineering, year, month, "engineering", managers["engineering"], pm, specs,
                    rng, approve=False)
    db.session.flush()
    instance = start_workflow(PLAN_FLOW, version, managers["engineering"], unit=engineering,
                              fields=plan_fields(version),
                              title=f"{engineering.name} {year}-{month:02d} v1")
    version.workflow_id = instance.id
    due = version.plan.due_on
    version.status = SUBMITTED
    version.submitted_at = min(utcnow(), _utc(due - timedelta(days=1)))
    version.plan.first_submitted_at = version.submitted_at
    team = teams["pr-eng-we"]
    _plan(team, year, month, "engineering", leader, None, specs, rng, approve=False)


def _plan(unit: Unit, year: int, month: int, key: str, author, approver, specs, rng,
          approve: bool = True) -> PlanVersion:
    deadline = tracking.deadline_for(unit, dl.PLAN, year, month)
    starts = date(year, month, 1)
    ends = date(*dl.add_months(year, month, 1), 1) - timedelta(days=1)
    plan = Plan(unit=unit, period=period_key(year, month),
                level=TEAM if unit.kind == TEAM_KIND else DEPARTMENT, author=author,
                due_on=deadline.due)
    version = PlanVersion(number=1, starts_on=starts, ends_on=ends, prepared_by=author,
                          prepared_on=deadline.due - timedelta(days=2))
    plan.versions.append(version)
    content, place, people = PLAN_WORK[key]
    spec = specs.get(key, [None])[0]
    for position, (what, when) in enumerate(((content, f"{month}月上旬"),
                                            ("专项检查与整改跟进", f"{month}月中旬")), start=1):
        version.items.append(PlanItem(
            item_key=new_key(), position=position, content=what, standard="按规范完成,一次合格",
            place=place, schedule=when, people=people, staff="2人", machines="常用工具",
            materials="按需领用", spec_id=spec.id if spec and position == 1 else None,
            spec_number=1 if spec and position == 1 else None,
            spec_note="" if spec and position == 1 else "按部门现行作业要求",
            records="作业记录表", inspection_method="现场检查", inspector="部门经理",
            inputs="", outputs="完成情况报行政办公室"))
    if approve:
        handed = deadline.due - timedelta(days=rng.randint(0, 3))
        if rng.random() < 0.1:
            handed = deadline.due + timedelta(days=rng.randint(1, 3))
        handed = min(handed, local_today())
        plan.first_submitted_at = version.submitted_at = _utc(handed)
        version.status = APPROVED
        version.approved_by = approver
        version.approved_on = handed + timedelta(days=1)
        version.review_record = f"{version.approved_on} {approver.name}: 同意"
        plan.approver = approver
    db.session.add(plan)
    return version


def summary_of(version, key: str, author, deadline, late: bool, today, rng,
               previous: dict[str, dict]) -> Summary:
    """The department's summary of the month of plan *version*, handed in on time or *late*
    (never after *today*), its checklist ticked and its metrics filled in from *previous*
    month's values, its completeness worked out. Also used by the benchmark's data generator
    (``bench/generate.py``)."""
    unit = version.plan.unit
    summary = Summary(unit_id=unit.id, period=version.plan.period, author=author,
                      due_on=deadline.due, status=SUBMITTED,
                      routine_work="例行工作按《日、周、月、年例行工作》完成。",
                      duties="部门职责履行正常。", plan_version=version)
    handed = deadline.due + timedelta(days=rng.randint(1, 4)) if late else \
        deadline.due - timedelta(days=rng.randint(0, 3))
    summary.submitted_at = _utc(min(handed, today), 16)
    summary.submitted_by = author
    for item in version.items:
        outcome = rng.choice(("done", "done", "done", "partly", "not_done"))
        summary.items.append(SummaryItem(
            plan_item=item, position=item.position, content=item.content, outcome=outcome,
            explanation="" if outcome == "done" else "受天气影响推迟,下月继续。"))
    dept = next(d for d in DEPARTMENTS if d.key == key)
    values = sample_values(dept, rng, previous.get(key))
    previous[key] = values
    write_values(summary, dept, values)
    db.session.add(summary)
    db.session.flush()
    summary.completeness = metrics.completeness(dept, metrics.values_of(summary), summary.items)
    return summary
