"""The re-computed items, each rule on a hand-worked case at its boundary, then a generated
population whose seeded mistakes must all be found, and nothing else."""

from __future__ import annotations

import random
from datetime import date

from danwei_pension_audit.testing import add_rows, make_engagement
from sqlalchemy import select

from core.api import set_setting
from danwei_pension_audit import checks
from danwei_pension_audit.generator import MISTAKES, Population, id_number_for
from danwei_pension_audit.generator import load as load_population
from danwei_pension_audit.models import PensionAuditFinding

# Members of the hand-worked cases (valid ID numbers).
A = id_number_for(date(1970, 3, 15), 11)
B = id_number_for(date(1964, 5, 15), 12)  # turns 60 on 2024-05-15
C = id_number_for(date(1950, 1, 2), 13)


def findings(db, engagement):
    checks.run_checks(engagement)
    db.session.commit()
    rows = db.session.execute(select(
        PensionAuditFinding.rule, PensionAuditFinding.id_number, PensionAuditFinding.period,
        PensionAuditFinding.expected, PensionAuditFinding.found).where(
        PensionAuditFinding.engagement_id == engagement.id)).all()
    return sorted((tuple(r) for r in rows), key=lambda f: (f[0], f[1] or "", f[2]))


def test_reference_arithmetic():
    # 12,345.67 yuan at 1.50 %: 185.185 yuan -> 185.19 (half up).
    assert checks.yearly_interest(1234567, 150) == 18519
    # Sealed all year at 1.50 %: (1 + 0.015/12)^12 - 1 = 0.0151036...; 10,000.00 yuan -> 151.04.
    assert checks.sealed_interest(1000000, 150, 12) == 15104
    # Sealed from October (3 months): 10,000 * (1 + .015 * 9/12) = 10,112.50, then
    # * 1.00125^3 = 1.0037546895 -> 10,150.469 -> 150.47.
    assert checks.sealed_interest(1000000, 150, 3) == 15047
    # 13,900.00 yuan / 139 = 100.00 yuan; 13,900.69 / 139 = 100.0049... -> 100.00.
    assert checks.pension_of(1390000, 139) == 10000
    assert checks.pension_of(1390069, 139) == 10000
    assert checks.pension_of(1390070, 139) == 10001  # 100.005036 -> 100.01


def test_contributions_booked_against_received_per_month(app, db, county):
    e = county.engagement
    add_rows(db, e, "contributions", [
        {"id_number": A, "year": 2024, "tier": 20000, "amount": 20000,
         "booked_on": date(2024, 3, 31)},  # received 04-01: a different month
        {"id_number": C, "year": 2024, "tier": 10000, "amount": 10000,
         "booked_on": date(2024, 5, 1)}])
    add_rows(db, e, "receipts", [
        {"id_number": A, "amount": 20000, "received_on": date(2024, 4, 1)},
        {"id_number": C, "amount": 6000, "received_on": date(2024, 5, 2)},
        {"id_number": C, "amount": 4000, "received_on": date(2024, 5, 31)}])  # 10000 in May
    assert findings(db, e) == [
        ("contribution_received", A, "2024-03", 0, 20000),
        ("contribution_received", A, "2024-04", 20000, 0),
    ]


def test_back_payment_is_tier_times_years(app, db, county):
    e = county.engagement
    base = {"year": 2024, "tier": 20000, "booked_on": date(2024, 6, 1), "kind": "back"}
    add_rows(db, e, "contributions", [
        {**base, "id_number": A, "years": 5, "amount": 100000},
        {**base, "id_number": C, "years": 5, "amount": 99999}])
    add_rows(db, e, "receipts", [
        {"id_number": A, "amount": 100000, "received_on": date(2024, 6, 1)},
        {"id_number": C, "amount": 99999, "received_on": date(2024, 6, 1)}])
    assert findings(db, e) == [("back_payment", C, "2024", 100000, 99999)]


def test_subsidy_counts_from_the_month_after_full_payment(app, db, county):
    e = county.engagement
    add_rows(db, e, "contributions", [
        # A pays in two parts; fully paid on 2024-03-31, so the subsidy counts from April.
        {"id_number": A, "year": 2024, "tier": 20000, "amount": 10000,
         "booked_on": date(2024, 1, 10)},
        {"id_number": A, "year": 2024, "tier": 20000, "amount": 10000,
         "booked_on": date(2024, 3, 31)},
        # C paid only half of the tier: no subsidy is due yet.
        {"id_number": C, "year": 2024, "tier": 20000, "amount": 10000,
         "booked_on": date(2024, 2, 1)}])
    add_rows(db, e, "receipts", [
        {"id_number": A, "amount": 10000, "received_on": date(2024, 1, 10)},
        {"id_number": A, "amount": 10000, "received_on": date(2024, 3, 31)},
        {"id_number": C, "amount": 10000, "received_on": date(2024, 2, 1)}])
    add_rows(db, e, "subsidies", [
        {"id_number": A, "year": 2024, "kind": "fiscal", "amount": 3000,
         "credited_month": date(2024, 4, 1)},
        {"id_number": A, "year": 2024, "kind": "cadre", "amount": 5000,
         "credited_month": date(2024, 3, 1)},  # one month early
        {"id_number": C, "year": 2024, "kind": "fiscal", "amount": 3000,
         "credited_month": date(2024, 3, 1)}])
    assert findings(db, e) == sorted([
        ("subsidy_start", A, "2024", 202404, 202403),
        ("subsidy_start", C, "2024", None, 202403),
    ], key=lambda f: f[:3])


def test_interest_yearly_and_sealed_with_the_tolerance(app, db, county):
    e = county.engagement
    add_rows(db, e, "rates", [{"year": 2023, "rate_bp": 150}, {"year": 2024, "rate_bp": 150}])
    add_rows(db, e, "accounts", [
        {"id_number": A, "year": 2024, "opening_balance": 1234567, "interest": 18520,
         "sealed_from": None},  # one fen off: within the tolerance (setting, 1 fen)
        {"id_number": C, "year": 2024, "opening_balance": 1234567, "interest": 18521,
         "sealed_from": None},  # two fen off
        {"id_number": B, "year": 2024, "opening_balance": 1000000, "interest": 15000,
         "sealed_from": date(2023, 7, 1)},  # sealed all year: monthly, 151.04 expected
        {"id_number": B, "year": 2023, "opening_balance": 1000000, "interest": 15047,
         "sealed_from": date(2023, 10, 1)},  # sealed from October: right
        {"id_number": A, "year": 2022, "opening_balance": 100, "interest": 0,
         "sealed_from": None}])  # no rate for 2022
    assert findings(db, e) == [
        ("interest_sealed", B, "2024", 15104, 15000),
        ("interest_yearly", C, "2024", 18519, 18521),
        ("missing_rate", None, "2022", None, 1),
    ]
    set_setting("pension_audit", "tolerance_fen", 0)
    db.session.commit()
    assert ("interest_yearly", A, "2024", 18519, 18520) in findings(db, e)


def test_stopped_members_must_be_sealed(app, db, county):
    e = county.engagement
    add_rows(db, e, "members", [
        {"id_number": A, "name": "甲", "birth_date": date(1970, 3, 15), "status": "stopped"},
        {"id_number": C, "name": "丙", "birth_date": date(1950, 1, 2), "status": "stopped"},
        {"id_number": B, "name": "乙", "birth_date": date(1964, 5, 15), "status": "paying"}])
    add_rows(db, e, "rates", [{"year": 2024, "rate_bp": 150}])
    add_rows(db, e, "accounts", [
        {"id_number": C, "year": 2024, "opening_balance": 0, "interest": 0,
         "sealed_from": date(2024, 2, 1)}])
    assert findings(db, e) == [("not_sealed", A, "", 1, 0)]


def test_first_payment_not_before_the_pension_age(app, db, county):
    e = county.engagement
    add_rows(db, e, "payments", [
        {"id_number": B, "month": date(2024, 5, 1), "amount": 20000},  # the birthday month
        {"id_number": C, "month": date(2024, 1, 1), "amount": 20000}])
    assert findings(db, e) == [("payment_before_age", B, "2024-05", 202406, 202405)]
    set_setting("pension_audit", "first_payment_offset", 0)  # a region paying from that month
    db.session.commit()
    assert findings(db, e) == []


def test_pension_is_balance_divided_by_the_divisor(app, db, county):
    e = county.engagement
    add_rows(db, e, "members", [
        {"id_number": C, "name": "丙", "birth_date": date(1950, 1, 2), "status": "receiving",
         "balance_at_retirement": 1390070, "account_pension": 10001},
        {"id_number": B, "name": "乙", "birth_date": date(1964, 5, 15), "status": "receiving",
         "balance_at_retirement": 1390000, "account_pension": 10002}])
    assert findings(db, e) == [("pension_formula", B, "", 10000, 10002)]
    set_setting("pension_audit", "divisor", 100)
    db.session.commit()
    assert findings(db, e) == [("pension_formula", C, "", 13901, 10001),
                               ("pension_formula", B, "", 13900, 10002)]  # C's ID sorts first


def test_nobody_paid_twice_or_after_death(app, db, county):
    e = county.engagement
    add_rows(db, e, "payments", [
        {"id_number": C, "month": date(2024, 3, 1), "amount": 20000},
        {"id_number": C, "month": date(2024, 3, 1), "amount": 20000},
        {"id_number": C, "month": date(2024, 4, 1), "amount": 20000},
        {"id_number": C, "month": date(2024, 5, 1), "amount": 20000}])
    add_rows(db, e, "deaths", [{"id_number": C, "died_on": date(2024, 4, 30)}])
    assert findings(db, e) == [("double_payment", C, "2024-03", 1, 2),
                               ("paid_after_death", C, "2024-05", 0, 20000)]


def test_generated_population_every_mistake_found_and_nothing_else(app, db, county):
    population = Population(random.Random(7), 600, mistakes_every=20)
    load_population(county.engagement, population, county.auditor.id, batch=700)
    db.session.commit()
    found = {(rule, idn or "", period) for rule, idn, period, _e, _f in findings(
        db, county.engagement)}
    assert {rule for rule, _i, _p in population.expected} == set(MISTAKES)
    assert found == population.expected


def test_rerunning_replaces_the_findings_and_links_the_previous_audit(app, db, county):


    e = county.engagement
    add_rows(db, e, "payments", [{"id_number": C, "month": date(2024, 3, 1), "amount": 1}] * 2)
    assert len(findings(db, e)) == 1 and len(findings(db, e)) == 1
    later = make_engagement(db, county.town1, county.auditor, county.verifier, previous=e.id)
    add_rows(db, later, "payments", [{"id_number": C, "month": date(2024, 3, 1), "amount": 1}] * 2)
    findings(db, later)
    new = db.session.scalar(select(PensionAuditFinding).where(
        PensionAuditFinding.engagement_id == later.id))
    old = db.session.scalar(select(PensionAuditFinding).where(
        PensionAuditFinding.engagement_id == e.id))
    assert new.previous_finding_id == old.id
