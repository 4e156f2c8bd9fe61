"""What a branch's dashboard shows, computed in a fixed number of queries whatever its size."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.api import db

from . import rules
from .models import FULL, PartyDevFile, PartyDevStep, PartyMember, PartyPlanItem
from .records import held_dates, standings
from .settings import number

OPEN_STAGES = tuple(s for s in rules.STAGES if s not in (rules.CONVERTED, rules.CANCELLED))
#: Stages from which a person counts as an activist being cultivated (篇四: 2 per branch).
ACTIVIST_STAGES = (rules.ACTIVIST, rules.TARGET, rules.NOTICE)


def branch_summary(unit, today: date) -> dict:
    members = dict(db.session.execute(
        select(PartyMember.status, func.count(PartyMember.id))
        .where(PartyMember.unit_id == unit.id, PartyMember.left_on.is_(None))
        .group_by(PartyMember.status)).all())
    gaps = rules.meeting_gaps(unit, held_dates(unit, today.year), today)
    files = db.session.scalars(
        select(PartyDevFile).options(selectinload(PartyDevFile.steps))
        .where(PartyDevFile.unit_id == unit.id, PartyDevFile.stage.in_(OPEN_STAGES))
        .order_by(PartyDevFile.id)).all()
    warn_until = today + timedelta(days=number("clock_warn_days", unit))
    upcoming = []
    for file in files:
        for clock in rules.clocks(unit, file.stage, rules.History(file.steps)):
            if clock.on <= warn_until:
                upcoming.append((file, clock))
    upcoming.sort(key=lambda pair: pair[1].on)
    by_stage: dict[str, int] = {}
    for file in files:
        by_stage[file.stage] = by_stage.get(file.stage, 0) + 1
    developed = db.session.scalar(
        select(func.count(PartyDevStep.id)).where(
            PartyDevStep.unit_id == unit.id, PartyDevStep.step == rules.ADMITTED,
            PartyDevStep.on >= date(today.year, 1, 1), PartyDevStep.on <= today))
    dues = [s for s in standings(unit, today.replace(day=1), today) if s.state != "ok"]
    plan_due = db.session.scalars(
        select(PartyPlanItem).where(PartyPlanItem.unit_id == unit.id,
                                    PartyPlanItem.progress < 100,
                                    PartyPlanItem.due_on <= warn_until)
        .order_by(PartyPlanItem.due_on).limit(10)).all()
    return {
        "full": members.get(FULL, 0),
        "probationary": sum(n for s, n in members.items() if s != FULL),
        "gaps": gaps,
        "missing": [g for g in gaps if g.state == "missing"],
        "upcoming": upcoming,
        "by_stage": by_stage,
        "activists": sum(by_stage.get(s, 0) for s in ACTIVIST_STAGES),
        "activist_quota": number("activists_per_branch", unit),
        "developed": developed,
        "development_target": number("development_target", unit),
        "arrears": dues,
        "plan_due": plan_due,
        "today": today,
        "labels": rules.STEP_LABELS,
        "kinds": rules.KIND_LABELS,
    }
