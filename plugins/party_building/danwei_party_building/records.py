"""The queries that several pages, the dashboard, the jobs and the annual report share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from core.api import Unit, db

from . import rules
from .models import PartyMeeting, PartyMember, PartyPayChange, PartyPayment
from .settings import number


def active_members(branch: Unit):
    return (select(PartyMember).where(PartyMember.unit_id == branch.id,
                                      PartyMember.left_on.is_(None))
            .order_by(PartyMember.name, PartyMember.id))


def held_dates(unit, year: int) -> dict[str, list]:
    """{kind: [dates]} of the branch's meetings of *year*, in one query."""
    rows = db.session.execute(
        select(PartyMeeting.kind, PartyMeeting.held_on).where(
            PartyMeeting.unit_id == unit.id,
            PartyMeeting.held_on >= date(year, 1, 1), PartyMeeting.held_on <= date(year, 12, 31)))
    held: dict[str, list] = {}
    for kind, day in rows:
        held.setdefault(kind, []).append(day)
    return held


@dataclass(frozen=True)
class Standing:
    """A member's dues for a month and their arrears up to the last complete month."""

    member: PartyMember
    due: Decimal | None
    paid: Decimal | None
    arrears: int
    state: str  # "ok", "warn" (3+ months), "flag" (6+ months)


def standings(unit, month: date, today: date, people=None) -> list[Standing]:
    """Every active member's due and paid amount for *month* and their arrears, in 3 queries."""
    people = people if people is not None else db.session.scalars(active_members(unit)).all()
    ids = [p.id for p in people] or [-1]
    changes: dict[int, list[PartyPayChange]] = {}
    for change in db.session.scalars(select(PartyPayChange).where(
            PartyPayChange.member_id.in_(ids)).order_by(PartyPayChange.from_month)):
        changes.setdefault(change.member_id, []).append(change)
    last_complete = rules.add_months(today.replace(day=1), -1)
    horizon = rules.add_months(last_complete, -24)
    paid: dict[int, dict[date, Decimal]] = {}
    for row in db.session.execute(select(PartyPayment.member_id, PartyPayment.month,
                                         PartyPayment.amount).where(
            PartyPayment.member_id.in_(ids),
            PartyPayment.month >= min(horizon, month))):
        paid.setdefault(row.member_id, {})[row.month] = row.amount
    warn, flag = number("arrears_warn_months", unit), number("arrears_flag_months", unit)
    found = []
    for person in people:
        history = changes.get(person.id, [])
        current = next((c for c in reversed(history) if c.from_month <= month), None)
        due = (rules.monthly_dues(unit, current.category, current.pay, person.hardship,
                                  current.fixed) if current else None)
        owed = 0
        if history:
            start = max(history[0].from_month, horizon)
            owed = rules.arrears(rules.months_between(start, last_complete),
                                 set(paid.get(person.id, {})))
        state = "flag" if owed >= flag else "warn" if owed >= warn else "ok"
        found.append(Standing(person, due, paid.get(person.id, {}).get(month), owed, state))
    return found
