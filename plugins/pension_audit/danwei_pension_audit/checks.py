"""The re-computed items: the machine redoes the fund's arithmetic for every member.

Each rule is one query over the engagement's imported data, aggregated in SQL where the rule
is a sum or a count, and streamed (``yield_per``) where it needs arithmetic the two databases do
not share (rounding, compound interest): memory stays flat in the number of rows. Each mismatch
becomes a :class:`~.models.PensionAuditFinding` with what the rule expects and what the data
says, inserted in batches.

=====================  ====  ==============================================================
rule                   item  what must hold
=====================  ====  ==============================================================
contribution_received  2     contributions booked = money received, per member and month
back_payment           4     a lump-sum back-payment = the tier × the years paid back
subsidy_start          5     a subsidy counts from the month after the member's own
                             contribution of the year was fully received
interest_yearly        6     yearly interest = opening balance × that year's one-year rate
missing_rate           6     a rate was imported for every year with accounts
not_sealed             7     a member who stopped paying has a sealed account
interest_sealed        7     a sealed account earns interest monthly (compounded)
payment_before_age     8     the first payment is not before the pension age
pension_formula        12    monthly personal-account pension = balance ÷ 139 (a setting)
double_payment         12    nobody (one ID number) is paid twice for one month
paid_after_death       12    nobody is paid for a month after a recorded death
=====================  ====  ==============================================================
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy import delete, insert, literal, select, union_all

from core.api import db, get_setting, utcnow

from .i18n import lazy_gettext as _l
from .models import (
    DATA_MODELS,
    HIGH,
    LOW,
    MEDIUM,
    PensionAuditAccount,
    PensionAuditContribution,
    PensionAuditDeath,
    PensionAuditEngagement,
    PensionAuditFinding,
    PensionAuditMember,
    PensionAuditPayment,
    PensionAuditRate,
    PensionAuditReceipt,
    PensionAuditSubsidy,
    UNRESOLVED,
)

PLUGIN = "pension_audit"
STREAM = 2000

#: rule → (item, severity, what it checks)
RULES = {
    "contribution_received": (2, HIGH, _l("Contributions booked equal the money received, per "
                                          "member and month")),
    "back_payment": (4, MEDIUM, _l("A back-payment equals the tier times the years paid back")),
    "subsidy_start": (5, MEDIUM, _l("A subsidy counts from the month after the member's own "
                                    "contribution of the year was fully received")),
    "interest_yearly": (6, MEDIUM, _l("Yearly interest equals the opening balance times that "
                                      "year's one-year deposit rate")),
    "missing_rate": (6, LOW, _l("A one-year deposit rate is known for every year with "
                                "accounts")),
    "not_sealed": (7, MEDIUM, _l("The account of a member who stopped paying is sealed")),
    "interest_sealed": (7, MEDIUM, _l("A sealed account earns interest monthly")),
    "payment_before_age": (8, HIGH, _l("The pension is not paid before the pension age")),
    "pension_formula": (12, HIGH, _l("The monthly personal-account pension equals the balance "
                                     "at retirement divided by the divisor")),
    "double_payment": (12, HIGH, _l("Nobody is paid twice for one month")),
    "paid_after_death": (12, HIGH, _l("Nobody is paid after a recorded death")),
}


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def yearly_interest(opening: int, rate_bp: int) -> int:
    """Interest of a year on *opening* fen at *rate_bp* basis points, rounded to the fen."""
    return half_up(Decimal(opening) * rate_bp / 10000)


def sealed_interest(opening: int, rate_bp: int, sealed_months: int) -> int:
    """Interest of a year for an account sealed for its last *sealed_months* months: simple
    interest for the months before sealing, then compounded monthly while sealed."""
    rate = Decimal(rate_bp) / 10000
    before = Decimal(opening) * (1 + rate * (12 - sealed_months) / 12)
    after = before * (1 + rate / 12) ** sealed_months
    return half_up(after - opening)


def pension_of(balance: int, divisor: int) -> int:
    return half_up(Decimal(balance) / divisor)


def month_key(day: date) -> int:
    return day.year * 100 + day.month


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def first_pension_month(id_number: str, age: int, offset: int) -> date:
    """The first month a member born on the ID number's date may be paid for."""
    year, month = int(id_number[6:10]) + age, int(id_number[10:12])
    first = date(year, month, 1)
    for _ in range(offset):
        first = next_month(first)
    return first


# -- the rules -----------------------------------------------------------------------------------


def _stream(query) -> Iterator:
    return db.session.execute(query.execution_options(yield_per=STREAM))


def contribution_received(engagement_id: int, settings: dict) -> Iterator[dict]:
    c, r = PensionAuditContribution, PensionAuditReceipt
    year_c, month_c = sa.extract("year", c.booked_on), sa.extract("month", c.booked_on)
    year_r, month_r = sa.extract("year", r.received_on), sa.extract("month", r.received_on)
    both = union_all(
        select(c.id_number.label("idn"), year_c.label("y"), month_c.label("m"),
               c.amount.label("booked"), literal(0).label("received"))
        .where(c.engagement_id == engagement_id),
        select(r.id_number, year_r, month_r, literal(0), r.amount)
        .where(r.engagement_id == engagement_id),
    ).subquery()
    booked, received = sa.func.sum(both.c.booked), sa.func.sum(both.c.received)
    query = (select(both.c.idn, both.c.y, both.c.m, booked, received)
             .group_by(both.c.idn, both.c.y, both.c.m).having(booked != received))
    for idn, year, month, booked_sum, received_sum in _stream(query):
        yield finding("contribution_received", idn, f"{int(year):04d}-{int(month):02d}",
                      received_sum, booked_sum,
                      severity=HIGH if booked_sum > received_sum else MEDIUM)


def back_payment(engagement_id: int, settings: dict) -> Iterator[dict]:
    c = PensionAuditContribution
    query = select(c.id_number, c.year, c.tier * c.years, c.amount).where(
        c.engagement_id == engagement_id, c.kind == "back", c.amount != c.tier * c.years)
    for idn, year, expected, found in _stream(query):
        yield finding("back_payment", idn, str(year), expected, found)


def subsidy_start(engagement_id: int, settings: dict) -> Iterator[dict]:
    c, s = PensionAuditContribution, PensionAuditSubsidy
    # One join and one GROUP BY per subsidy row (a hash join on PostgreSQL), rather than a
    # join to an aggregated subquery, which the planner may re-aggregate per subsidy.
    query = (select(s.id_number, s.year, s.kind, s.credited_month, sa.func.sum(c.amount),
                    sa.func.max(c.tier), sa.func.max(c.booked_on))
             .outerjoin(c, sa.and_(c.engagement_id == engagement_id,
                                   c.id_number == s.id_number, c.year == s.year,
                                   c.kind == "regular"))
             .where(s.engagement_id == engagement_id)
             .group_by(s.id, s.id_number, s.year, s.kind, s.credited_month))
    for idn, year, kind, credited, paid_sum, tier, last in _stream(query):
        if paid_sum is None or paid_sum < tier:
            yield finding("subsidy_start", idn, str(year), None, month_key(credited), "month",
                          severity=HIGH, description=_l(
                              "%(kind)s subsidy credited while the member's own contribution "
                              "of the year is not fully received.", kind=kind))
            continue
        expected = next_month(last)
        if credited != expected:
            yield finding("subsidy_start", idn, str(year), month_key(expected),
                          month_key(credited), "month",
                          severity=HIGH if credited < expected else LOW,
                          description=_l("%(kind)s subsidy", kind=kind))


def _rate_join(engagement_id: int):
    a, rate = PensionAuditAccount, PensionAuditRate
    return (select(a.id_number, a.year, a.opening_balance, a.interest, a.sealed_from,
                   rate.rate_bp)
            .outerjoin(rate, sa.and_(rate.engagement_id == engagement_id, rate.year == a.year))
            .where(a.engagement_id == engagement_id))


def interest(engagement_id: int, settings: dict) -> Iterator[dict]:
    tolerance = settings["tolerance_fen"]
    for idn, year, opening, credited, sealed_from, bp in _stream(_rate_join(engagement_id)):
        if bp is None:
            continue  # missing_rate reports the year once
        sealed_months = 0
        if sealed_from is not None and sealed_from.year <= year:
            sealed_months = 12 if sealed_from.year < year else 13 - sealed_from.month
        if sealed_months:
            expected, rule = sealed_interest(opening, bp, sealed_months), "interest_sealed"
        else:
            expected, rule = yearly_interest(opening, bp), "interest_yearly"
        if abs(expected - credited) > tolerance:
            yield finding(rule, idn, str(year), expected, credited)


def missing_rate(engagement_id: int, settings: dict) -> Iterator[dict]:
    a, rate = PensionAuditAccount, PensionAuditRate
    query = (select(a.year, sa.func.count())
             .outerjoin(rate, sa.and_(rate.engagement_id == engagement_id, rate.year == a.year))
             .where(a.engagement_id == engagement_id, rate.id.is_(None))
             .group_by(a.year))
    for year, accounts in _stream(query):
        yield finding("missing_rate", None, str(year), None, accounts, "count",
                      description=_l("No one-year deposit rate was imported for %(y)s: the "
                                     "interest of %(n)s accounts was not checked.",
                                     y=year, n=accounts))


def not_sealed(engagement_id: int, settings: dict) -> Iterator[dict]:
    m, a = PensionAuditMember, PensionAuditAccount
    # NOT EXISTS, not NOT IN: an anti-join, where NOT IN may rescan the accounts per member.
    sealed = (select(a.id).where(a.engagement_id == engagement_id, a.id_number == m.id_number,
                                 a.sealed_from.is_not(None)))
    query = select(m.id_number).where(m.engagement_id == engagement_id, m.status == "stopped",
                                      ~sealed.exists())
    for (idn,) in _stream(query):
        yield finding("not_sealed", idn, "", 1, 0, "flag")


def payment_before_age(engagement_id: int, settings: dict) -> Iterator[dict]:
    p = PensionAuditPayment
    query = (select(p.id_number, sa.func.min(p.month)).where(p.engagement_id == engagement_id)
             .group_by(p.id_number))
    age, offset = settings["pension_age"], settings["first_payment_offset"]
    for idn, first in _stream(query):
        allowed = first_pension_month(idn, age, offset)
        if first < allowed:
            yield finding("payment_before_age", idn, f"{first:%Y-%m}", month_key(allowed),
                          month_key(first), "month")


def pension_formula(engagement_id: int, settings: dict) -> Iterator[dict]:
    m = PensionAuditMember
    query = select(m.id_number, m.balance_at_retirement, m.account_pension).where(
        m.engagement_id == engagement_id, m.balance_at_retirement.is_not(None),
        m.account_pension.is_not(None))
    divisor, tolerance = settings["divisor"], settings["tolerance_fen"]
    for idn, balance, pension in _stream(query):
        expected = pension_of(balance, divisor)
        if abs(expected - pension) > tolerance:
            yield finding("pension_formula", idn, "", expected, pension)


def double_payment(engagement_id: int, settings: dict) -> Iterator[dict]:
    p = PensionAuditPayment
    query = (select(p.id_number, p.month, sa.func.count())
             .where(p.engagement_id == engagement_id)
             .group_by(p.id_number, p.month).having(sa.func.count() > 1))
    for idn, month, times in _stream(query):
        yield finding("double_payment", idn, f"{month:%Y-%m}", 1, times, "count")


def paid_after_death(engagement_id: int, settings: dict) -> Iterator[dict]:
    p, d = PensionAuditPayment, PensionAuditDeath
    query = (select(p.id_number, p.month, sa.func.sum(p.amount), d.died_on)
             .join(d, sa.and_(d.engagement_id == engagement_id, d.id_number == p.id_number))
             .where(p.engagement_id == engagement_id)
             .group_by(p.id_number, p.month, d.died_on))
    for idn, month, amount, died_on in _stream(query):
        if month > died_on.replace(day=1):
            yield finding("paid_after_death", idn, f"{month:%Y-%m}", 0, amount,
                          description=_l("Died on %(d)s.", d=died_on.isoformat()))


CHECKS = (contribution_received, back_payment, subsidy_start, interest, missing_rate,
          not_sealed, payment_before_age, pension_formula, double_payment, paid_after_death)


def finding(rule: str, id_number: str | None, period: str, expected, found,
            measure: str = "fen", severity: str | None = None, description="") -> dict:
    item, default_severity, _label = RULES[rule]
    return {"item": item, "rule": rule, "severity": severity or default_severity,
            "id_number": id_number, "period": period,
            "expected": None if expected is None else int(expected),
            "found": None if found is None else int(found), "measure": measure,
            "description": str(description)}


def settings_for(engagement: PensionAuditEngagement) -> dict:
    unit = engagement.unit
    return {key: get_setting(PLUGIN, key, unit)
            for key in ("divisor", "pension_age", "first_payment_offset", "tolerance_fen")}


def run_checks(engagement: PensionAuditEngagement, progress=None) -> int:
    """Replace the engagement's automatic findings with those of the data as it is now.

    Returns how many findings there are. Runs in the caller's transaction.
    """
    settings = settings_for(engagement)
    if db.engine.dialect.name == "postgresql":
        # Freshly imported rows have no statistics yet: without them the planner picks nested
        # loops over hundreds of thousands of rows. ANALYZE samples, so it stays quick.
        for model in DATA_MODELS.values():
            db.session.execute(sa.text(f"ANALYZE {model.__tablename__}"))
    if progress is not None:
        progress(0, len(CHECKS))
        if db.engine.dialect.name == "sqlite":
            progress = None  # one writer: the progress row cannot be updated beside ours
    db.session.execute(delete(PensionAuditFinding).where(
        PensionAuditFinding.engagement_id == engagement.id,
        PensionAuditFinding.automatic.is_(True)))
    previous = _previous_open(engagement)
    now, count, batch = utcnow(), 0, []
    for done, check in enumerate(CHECKS):
        for row in check(engagement.id, settings):
            row.update(engagement_id=engagement.id, unit_id=engagement.unit_id, automatic=True,
                       state="open", created_at=now,
                       previous_finding_id=previous.get((row["rule"], row["id_number"],
                                                         row["period"])))
            batch.append(row)
            if len(batch) >= STREAM:
                db.session.execute(insert(PensionAuditFinding), batch)
                count += len(batch)
                batch = []
        if progress is not None:
            progress(done + 1, len(CHECKS))
    if batch:
        db.session.execute(insert(PensionAuditFinding), batch)
        count += len(batch)
    engagement.checked_at = now
    return count


def _previous_open(engagement: PensionAuditEngagement) -> dict:
    """The unresolved findings of the previous audit, by what they are about."""
    if engagement.previous_id is None:
        return {}
    f = PensionAuditFinding
    rows = db.session.execute(select(f.rule, f.id_number, f.period, f.id).where(
        f.engagement_id == engagement.previous_id, f.state.in_(UNRESOLVED)))
    return {(rule, idn, period): fid for rule, idn, period, fid in rows}


def run_checks_task(task) -> str:
    """The background task: run every check of one engagement."""
    engagement = db.session.get(PensionAuditEngagement, task.params["engagement_id"])
    count = run_checks(engagement, task.progress)
    from core.api import audit

    audit("pension_audit.checked", subject=engagement, unit=engagement.unit,
          summary=f"{count}", actor=task.user)
    return str(_l("%(n)s findings", n=count))
