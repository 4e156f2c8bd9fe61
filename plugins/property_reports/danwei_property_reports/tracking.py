"""Deadlines in a real company: settings per unit, the working-day calendar, the records kept.

:mod:`.deadlines` holds the rules as pure functions; this module feeds them the unit's settings
and core's calendar, finds what each department handed in, and computes the on-time rates
and completeness that cadre evaluation looks at (篇二 line 51). The daily job
:func:`send_notices` reminds department managers before a deadline and tells them (and the
project manager) once it has passed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.api import (
    Unit,
    User,
    db,
    get_setting,
    is_enabled,
    is_working_day,
    local_date,
    local_today,
    notify,
    permission_holders,
    request_cache,
    utcnow,
)

from . import deadlines as dl
from .catalogue import COMPANY_KIND, DEPARTMENT_KINDS
from .i18n import gettext
from .models import (
    APPROVED,
    DEPARTMENT,
    Notice,
    Plan,
    PlanItem,
    PlanVersion,
    Summary,
    period_key,
)

PLUGIN = "property_reports"


def unit_settings(unit: Unit) -> dict:
    """The deadline settings of *unit*, read once per request (a board reads them for every
    month of every department)."""
    cache = request_cache("property_reports.settings")
    if unit.id not in cache:
        cache[unit.id] = {key: get_setting(PLUGIN, key, unit) for key in
                          ("plan_due_day", "summary_due_day", "deadline_shift", "reminder_days")}
    return cache[unit.id]


def deadline_for(unit: Unit, subject: str, year: int, month: int) -> dl.Deadline:
    """The deadline of *unit*'s plan for, or summary of, ``year-month``, per its settings."""
    settings = unit_settings(unit)
    key = "plan_due_day" if subject == dl.PLAN else "summary_due_day"
    return dl.deadline(
        subject, year, month,
        day=int(settings[key]),
        how=settings["deadline_shift"],
        remind_days=int(settings["reminder_days"]),
        is_working_day=is_working_day,
    )


def rule(deadline: dl.Deadline) -> str:
    """The rule that makes the deadline, in words."""
    if deadline.subject == dl.PLAN:
        return gettext("The plan for a month is due on day %(day)d of the month before.",
                       day=deadline.nominal.day)
    return gettext("The summary of a month is due on day %(day)d of the month after.",
                   day=deadline.nominal.day)


def shift_reason(deadline: dl.Deadline) -> str:
    """Why the deadline is not on the day the rule names ("" when it is)."""
    from flask_babel import format_date

    if not deadline.shifted:
        return ""
    direction = (gettext("the next working day") if deadline.due > deadline.nominal
                 else gettext("the working day before"))
    return gettext(
        "%(nominal)s is not a working day, so it moves to %(direction)s, %(due)s.",
        nominal=format_date(deadline.nominal, "full"), direction=direction,
        due=format_date(deadline.due, "full"),
    )


def explain(deadline: dl.Deadline) -> str:
    """Why the deadline falls where it does, for the people it concerns."""
    return " ".join(p for p in (rule(deadline), shift_reason(deadline)) if p)


# -- the departments of a company --------------------------------------------------------------


def company_of(unit: Unit) -> Unit | None:
    """The property company *unit* belongs to (itself when it is one)."""
    if unit.kind == COMPANY_KIND:
        return unit
    ids = unit.ancestor_ids
    return db.session.scalar(
        select(Unit).where(Unit.id.in_(ids), Unit.kind == COMPANY_KIND).order_by(Unit.depth.desc())
    )


def departments_query(unit_ids):
    """SQL: department units among *unit_ids* (a subquery), in tree order."""
    return (select(Unit).where(Unit.kind.in_(DEPARTMENT_KINDS), Unit.id.in_(unit_ids))
            .order_by(Unit.path))


def department_of(unit: Unit) -> Unit | None:
    """The department *unit* is (or lies in), for a team."""
    if unit.kind in DEPARTMENT_KINDS:
        return unit
    return db.session.scalar(
        select(Unit).where(Unit.id.in_(unit.ancestor_ids), Unit.kind.in_(DEPARTMENT_KINDS))
        .order_by(Unit.depth.desc())
    )


def holders(permission: str, unit: Unit) -> list[User]:
    """Active people of the company who hold *permission* in *unit* through a role (system
    administrators are not told about every department's deadlines)."""
    company = company_of(unit) or unit
    people = db.session.scalars(
        permission_holders(permission, unit)
        .join(Unit, Unit.id == User.unit_id).where(Unit.is_within(company))
        .order_by(User.id)
    )
    return [u for u in people if not u.is_superuser]


# -- one deadline of one department ---------------------------------------------------------


@dataclass
class Status:
    """Where a department stands with one plan or summary."""

    unit: Unit
    deadline: dl.Deadline
    record: Plan | Summary | None
    handed_in_on: date | None
    state: str
    days_late: int
    #: Who answers for it: the record's author, else None.
    author: User | None

    @property
    def subject(self) -> str:
        return self.deadline.subject


def _plans(unit_ids: list[int], periods: list[int]) -> dict[tuple[int, int], Plan]:
    rows = db.session.scalars(
        select(Plan).options(selectinload(Plan.author))
        .where(Plan.unit_id.in_(unit_ids), Plan.period.in_(periods), Plan.level == DEPARTMENT)
    )
    return {(p.unit_id, p.period): p for p in rows}


def _summaries(unit_ids: list[int], periods: list[int]) -> dict[tuple[int, int], Summary]:
    rows = db.session.scalars(
        select(Summary).options(selectinload(Summary.author))
        .where(Summary.unit_id.in_(unit_ids), Summary.period.in_(periods))
    )
    return {(s.unit_id, s.period): s for s in rows}


def statuses(units: list[Unit], months: list[tuple[int, int]], on: date | None = None,
             subjects=(dl.PLAN, dl.SUMMARY)) -> list[Status]:
    """The status of every department's plan for and summary of each of *months*."""
    on = on or local_today()
    ids = [u.id for u in units]
    periods = [period_key(y, m) for y, m in months]
    plans = _plans(ids, periods) if dl.PLAN in subjects else {}
    summaries = _summaries(ids, periods) if dl.SUMMARY in subjects else {}
    found = []
    for unit in units:
        for year, month in months:
            for subject in subjects:
                deadline = deadline_for(unit, subject, year, month)
                if subject == dl.PLAN:
                    record = plans.get((unit.id, period_key(year, month)))
                    handed = local_date(record.first_submitted_at) if record else None
                else:
                    record = summaries.get((unit.id, period_key(year, month)))
                    handed = local_date(record.submitted_at) if record else None
                found.append(Status(
                    unit, deadline, record, handed, dl.state(deadline, handed, on),
                    dl.days_late(deadline, handed, on), record.author if record else None,
                ))
    return found


def team_plan_statuses(units: list[Unit], months: list[tuple[int, int]],
                       on: date | None = None) -> list[Status]:
    """The plans of teams inside *units*, each under its department (issue 18 §14).

    A team is not required to plan every month, so only the plans teams started count:
    on time or late against the same due day as their department's. They add to the
    department's on-time rate and to their author's.
    """
    from .models import TEAM

    on = on or local_today()
    by_id = {u.id: u for u in units}
    rows = db.session.scalars(
        select(Plan).options(selectinload(Plan.author), selectinload(Plan.unit))
        .where(Plan.level == TEAM, Plan.period.in_([period_key(y, m) for y, m in months]))
    )
    found = []
    for plan in rows:
        department = by_id.get(plan.unit.parent_id)
        if department is None:
            continue
        deadline = deadline_for(plan.unit, dl.PLAN, plan.year, plan.month)
        handed = local_date(plan.first_submitted_at)
        found.append(Status(department, deadline, plan, handed, dl.state(deadline, handed, on),
                            dl.days_late(deadline, handed, on), plan.author))
    return found


def months_back(year: int, month: int, count: int) -> list[tuple[int, int]]:
    """*count* months ending with ``year-month``, oldest first."""
    return [dl.add_months(year, month, -i) for i in range(count - 1, -1, -1)]


# -- cadre evaluation ----------------------------------------------------------------------------


@dataclass
class Score:
    """On-time rate, completeness and standardisation of a department or a manager."""

    label: str
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    completeness_total: Decimal = Decimal(0)
    completeness_count: int = 0

    def add(self, status: Status) -> None:
        if status.state not in (dl.ON_TIME, dl.LATE, dl.OVERDUE):
            return
        self.due += 1
        self.on_time += status.state == dl.ON_TIME
        self.late += status.state == dl.LATE
        self.overdue += status.state == dl.OVERDUE
        record = status.record
        if isinstance(record, Summary) and record.completeness is not None:
            self.completeness_total += record.completeness
            self.completeness_count += 1

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def completeness(self) -> float | None:
        if not self.completeness_count:
            return None
        return float(self.completeness_total / self.completeness_count)


def scores(found: list[Status]) -> tuple[list[tuple[Unit, Score]], list[tuple[str, Score]]]:
    """Scores per department and per manager (the author; "nobody" for what never came)."""
    by_unit: dict[int, tuple[Unit, Score]] = {}
    by_person: dict[str, Score] = {}
    nobody = gettext("Not handed in (no author)")
    for status in found:
        unit_score = by_unit.setdefault(status.unit.id, (status.unit, Score(status.unit.name)))[1]
        unit_score.add(status)
        name = status.author.name if status.author else nobody
        by_person.setdefault(name, Score(name)).add(status)
    return list(by_unit.values()), sorted(by_person.items(), key=lambda kv: kv[0])


def standardisation(unit_ids: list[int], periods: list[int]) -> dict[int, float | None]:
    """Share of approved plan items that cite a specification from the library, per unit."""
    rows = db.session.execute(
        select(Plan.unit_id, func.count(PlanItem.id), func.count(PlanItem.spec_id))
        .join(PlanVersion, PlanVersion.plan_id == Plan.id)
        .join(PlanItem, PlanItem.version_id == PlanVersion.id)
        .where(Plan.unit_id.in_(unit_ids), Plan.period.in_(periods),
               PlanVersion.status == APPROVED)
        .group_by(Plan.unit_id)
    )
    shares: dict[int, float | None] = defaultdict(lambda: None)
    for unit_id, items, with_spec in rows:
        shares[unit_id] = with_spec / items if items else None
    return shares


# -- the daily job ---------------------------------------------------------------------------


def enabled_departments() -> list[Unit]:
    units = db.session.scalars(select(Unit).where(Unit.kind.in_(DEPARTMENT_KINDS))
                               .order_by(Unit.path))
    return [u for u in units if is_enabled(PLUGIN, u)]


#: An overdue notice is sent only for deadlines this recent: installing the plugin in a
#: company with years of history must not flood everyone's inbox.
OVERDUE_NOTICE_DAYS = 31


def send_notices(scheduled_for: datetime | None = None) -> int:
    """Remind before each deadline and report each missed one, once per department and period.

    Runs daily; safe to run twice (the :class:`~.models.Notice` rows are unique).
    """
    on = local_date(scheduled_for or utcnow())
    sent = 0
    year, month = on.year, on.month
    plan_months = [dl.add_months(year, month, d) for d in (0, 1, 2)]
    summary_months = [dl.add_months(year, month, d) for d in (-2, -1, 0)]
    for unit in enabled_departments():
        for subject, months in ((dl.PLAN, plan_months), (dl.SUMMARY, summary_months)):
            for status in statuses([unit], months, on, subjects=(subject,)):
                stage = {dl.DUE_SOON: "reminder", dl.OVERDUE: "overdue"}.get(status.state)
                if stage is None:
                    continue
                if stage == "overdue" and (on - status.deadline.due).days > OVERDUE_NOTICE_DAYS:
                    continue
                sent += _notice(status, stage)
    return sent


def _notice(status: Status, stage: str) -> int:
    unit, deadline = status.unit, status.deadline
    period = period_key(deadline.year, deadline.month)
    exists = db.session.scalar(select(Notice.id).where(
        Notice.unit_id == unit.id, Notice.subject == deadline.subject, Notice.period == period,
        Notice.stage == stage,
    ))
    if exists:
        return 0
    db.session.add(Notice(unit_id=unit.id, subject=deadline.subject, period=period, stage=stage))
    people = holders(f"{PLUGIN}.prepare", unit)
    if status.author is not None:
        people.append(status.author)
    what = (gettext("the plan for %(year)d-%(month)02d", year=deadline.year, month=deadline.month)
            if deadline.subject == dl.PLAN else
            gettext("the summary of %(year)d-%(month)02d", year=deadline.year,
                    month=deadline.month))
    if stage == "reminder":
        subject = gettext("%(unit)s: %(what)s is due on %(due)s", unit=unit.name, what=what,
                          due=deadline.due.isoformat())
        kind = "reminder"
    else:
        subject = gettext("%(unit)s: %(what)s is overdue since %(due)s", unit=unit.name,
                          what=what, due=deadline.due.isoformat())
        kind = "warning"
        company = company_of(unit)
        if company is not None:
            people += holders(f"{PLUGIN}.approve_department_plans", company)
    notify(people, subject, explain(deadline), link=_board_link(deadline), plugin=PLUGIN,
           kind=kind)
    return 1


def _board_link(deadline: dl.Deadline) -> str:
    year, month = deadline.due.year, deadline.due.month
    try:
        return url_for("property_reports.board", month=f"{year}-{month:02d}")
    except RuntimeError:  # no request: the job runs from the command line
        return f"/property_reports/?month={year}-{month:02d}"
