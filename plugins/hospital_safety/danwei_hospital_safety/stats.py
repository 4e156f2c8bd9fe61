"""Figures for the dashboard, the widgets and the reports, each counted in SQL."""

from __future__ import annotations

import statistics
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select

from core.api import Unit, db, local_today, to_utc, utcnow

from . import rules
from .models import Certificate, DiseaseCase, Hazard, PatrolPoint

DAILY = ("patrol", "boiler")


def start_utc(day: date) -> datetime:
    return to_utc(datetime.combine(day, time()))


def periods(kind: str, high_risk: bool, today: date) -> tuple[date, date]:
    """The start of the current period and of the one before it."""
    current, _end = rules.point_period(kind, high_risk, today)
    previous, _ = rules.point_period(kind, high_risk, current - timedelta(days=1))
    return current, previous


def point_status(point: PatrolPoint, today: date) -> str:
    """``done`` this period, ``due`` (the last period was done), or ``missed``."""
    current, previous = periods(point.kind, point.high_risk, today)
    last = point.last_scan_at
    if last is not None and last >= start_utc(current):
        return "done"
    if last is not None and last >= start_utc(previous):
        return "due"
    return "missed"


def missed_condition(today: date):
    """SQL: the points whose previous period passed without a check."""
    daily = periods("patrol", False, today)[1]
    monthly = periods("hydrant", False, today)[1]
    half = periods("extinguisher", True, today)[1]
    before = lambda day: or_(PatrolPoint.last_scan_at.is_(None),  # noqa: E731
                             PatrolPoint.last_scan_at < start_utc(day))
    return or_(
        and_(PatrolPoint.kind.in_(DAILY), before(daily)),
        and_(PatrolPoint.kind == "extinguisher", PatrolPoint.high_risk.is_(True), before(half)),
        and_(PatrolPoint.kind.not_in(DAILY),
             or_(PatrolPoint.kind != "extinguisher", PatrolPoint.high_risk.is_(False)),
             before(monthly)),
    )


def hazards_by_department(scope):
    """Per unit: open hazards and overdue ones (notified, past the deadline)."""
    now = utcnow()
    open_ = Hazard.state != "closed"
    overdue = and_(Hazard.state == "notified", Hazard.deadline_at < now)
    return db.session.execute(
        select(Unit.name, func.sum(case((open_, 1), else_=0)),
               func.sum(case((overdue, 1), else_=0)))
        .join(Unit, Unit.id == Hazard.unit_id)
        .where(Hazard.unit_id.in_(scope), open_)
        .group_by(Unit.id, Unit.name, Unit.path).order_by(Unit.path)
    ).all()


def rectification(scope, since: datetime, until: datetime | None = None) -> dict:
    """Of the notices issued in the period: how many are closed, the rate and the median
    days from notice to closure."""
    where = [Hazard.unit_id.in_(scope), Hazard.issued_at >= since]
    if until is not None:
        where.append(Hazard.issued_at < until)
    issued, closed = db.session.execute(
        select(func.count(Hazard.id), func.sum(case((Hazard.state == "closed", 1), else_=0)))
        .where(*where)).one()
    spans = db.session.execute(
        select(Hazard.issued_at, Hazard.closed_at).where(*where, Hazard.state == "closed")
    ).all()
    days = [(c - i).total_seconds() / 86400 for i, c in spans]
    return {"issued": issued or 0, "closed": closed or 0,
            "rate": (closed or 0) / issued if issued else None,
            "median_days": statistics.median(days) if days else None}


def case_rates(scope, since: datetime, until: datetime) -> dict:
    """Cases diagnosed in ``[since, until)``: reported, on time (within the applicable
    limit), within the legal limit; the report rate and the timely rate."""
    used = _minutes(DiseaseCase.reported_at, DiseaseCase.diagnosed_at)
    total, reported, timely, legal = db.session.execute(
        select(func.count(DiseaseCase.id),
               func.count(DiseaseCase.reported_at),
               func.sum(case((and_(DiseaseCase.reported_at.is_not(None),
                                   used <= DiseaseCase.limit_minutes), 1), else_=0)),
               func.sum(case((and_(DiseaseCase.reported_at.is_not(None),
                                   used <= DiseaseCase.legal_minutes), 1), else_=0)))
        .where(DiseaseCase.unit_id.in_(scope), DiseaseCase.diagnosed_at >= since,
               DiseaseCase.diagnosed_at < until)).one()
    return {"cases": total or 0, "reported": reported or 0, "timely": timely or 0,
            "legal": legal or 0,
            "report_rate": reported / total if total else None,
            "timely_rate": (timely or 0) / total if total else None}


def _minutes(later, earlier):
    """SQL: minutes between two timestamps, on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 60
    return (func.julianday(later) - func.julianday(earlier)) * 1440


def month_bounds(day: date) -> tuple[datetime, datetime]:
    first = day.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    return start_utc(first), start_utc(after)


def dashboard(scope) -> dict:
    today = local_today()
    since, until = month_bounds(today)
    year_ago = start_utc(today - timedelta(days=365))
    points_missed = db.session.scalar(
        select(func.count(PatrolPoint.id)).where(PatrolPoint.unit_id.in_(scope),
                                                 missed_condition(today)))
    expiring = db.session.scalar(
        select(func.count(Certificate.id)).where(
            Certificate.unit_id.in_(scope),
            Certificate.expires_on <= today + timedelta(days=60)))
    by_department = hazards_by_department(scope)
    return {"by_department": by_department,
            "open_total": sum(r[1] for r in by_department),
            "overdue_total": sum(r[2] for r in by_department),
            "rectification": rectification(scope, year_ago),
            "cases": case_rates(scope, since, until),
            "points_missed": points_missed or 0, "certificates_expiring": expiring or 0}
