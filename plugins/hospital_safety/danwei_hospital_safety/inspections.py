"""Inspections (安全检查): plans by kind with their frequencies, editable checklists, an
inspection done on a phone item by item, a fail turned into a hazard in one click, and done
versus required per period.

Frequencies (section 5, seed lines 483, 517, 627): committee inspections at least 6 a year, at
least 2 led by the main leaders; a hospital-wide inspection and a fire inspection every month;
a self-check by every department every month. Each number is a setting.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from core.api import Unit, db, get_setting, to_utc

from .i18n import lazy_gettext as _l
from .models import ChecklistTemplate, Inspection, InspectionState

P = "hospital_safety"
KINDS = {"committee": _l("Safety committee inspection"),
         "hospital": _l("Monthly hospital-wide inspection"),
         "department": _l("Monthly department self-check"),
         "fire": _l("Monthly fire inspection")}
RESULTS = {"pass": _l("Pass"), "fail": _l("Fail"), "na": _l("N/A")}
DEFAULT_ITEMS = {
    "committee": "安全生产责任制落实\n隐患整改台账完整\n重点部门（药房、锅炉房、手术室、放射科、检验科）检查\n消防设施完好",
    "hospital": "安全出口、疏散通道畅通\n灭火器、消防栓完好\n用电安全，无私拉乱接\n氧气瓶固定、远离火源",
    "department": "本科室设备运行正常\n危险品存放规范\n人员安全培训到位\n交接班记录完整",
    "fire": "灭火器压力正常、在有效期内\n消防栓水带水枪齐全\n应急照明、疏散指示完好\n消防控制室值班记录",
}


def start_utc(day: date) -> datetime:
    return to_utc(datetime.combine(day, time()))


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def done_counts(unit_ids, kinds, since: date, until: date, leaders=False) -> dict:
    """{unit_id: n} of inspections of *kinds* done in ``[since, until)``."""
    query = (select(Inspection.unit_id, func.count(Inspection.id))
             .where(Inspection.unit_id.in_(unit_ids), Inspection.kind.in_(kinds),
                    Inspection.state == InspectionState.DONE, Inspection.done_at >= start_utc(since),
                    Inspection.done_at < start_utc(until))
             .group_by(Inspection.unit_id))
    if leaders:
        query = query.where(Inspection.led_by_leaders.is_(True))
    return dict(db.session.execute(query).all())


def plan_rows(scope, today: date) -> list[dict]:
    """Per centre: done vs required this month (hospital-wide, fire, department self-checks),
    this year (committee, with leaders), and whether last month's fell short (overdue)."""
    centres = db.session.scalars(select(Unit).where(Unit.id.in_(scope),
                                                    Unit.kind == "health_centre")
                                 .order_by(Unit.path)).all()
    if not centres:
        return []
    ids = [c.id for c in centres]
    departments = db.session.execute(select(Unit.id, Unit.parent_id).where(
        Unit.parent_id.in_(ids), Unit.kind == "department")).all()
    dept_ids = [d for d, _ in departments]
    this, last, after = month_start(today), previous_month(today), next_month(today)
    year, next_year = date(today.year, 1, 1), date(today.year + 1, 1, 1)
    monthly = {k: done_counts(ids, [k], this, after) for k in ("hospital", "fire")}
    monthly_last = {k: done_counts(ids, [k], last, this) for k in ("hospital", "fire")}
    depts_now = done_counts(dept_ids, ["department"], this, after)
    depts_last = done_counts(dept_ids, ["department"], last, this)
    committee = done_counts(ids, ["committee"], year, next_year)
    leaders = done_counts(ids, ["committee"], year, next_year, leaders=True)
    rows = []
    for centre in centres:
        mine = [d for d, parent in departments if parent == centre.id]
        need = {k: get_setting(P, f"{k}_per_month", centre) for k in ("hospital", "fire")}
        row = {"centre": centre,
               "hospital": (monthly["hospital"].get(centre.id, 0), need["hospital"]),
               "fire": (monthly["fire"].get(centre.id, 0), need["fire"]),
               "departments": (sum(1 for d in mine if depts_now.get(d)), len(mine)),
               "committee": (committee.get(centre.id, 0),
                             get_setting(P, "committee_per_year", centre)),
               "leaders": (leaders.get(centre.id, 0),
                           get_setting(P, "committee_leaders_per_year", centre))}
        row["overdue"] = [
            label for label, short in (
                (KINDS["hospital"], monthly_last["hospital"].get(centre.id, 0) < need["hospital"]),
                (KINDS["fire"], monthly_last["fire"].get(centre.id, 0) < need["fire"]),
                (KINDS["department"], any(not depts_last.get(d) for d in mine)))
            if short]
        rows.append(row)
    return rows


def default_checklists(centre: Unit) -> None:
    """One checklist per kind for a centre that has none (enabling the plugin, the demo)."""
    have = db.session.scalar(select(func.count(ChecklistTemplate.id)).where(
        ChecklistTemplate.unit_id == centre.id))
    if not have:
        for kind, items in DEFAULT_ITEMS.items():
            db.session.add(ChecklistTemplate(unit_id=centre.id, kind=kind,
                                             name=str(KINDS[kind]), items=items))
