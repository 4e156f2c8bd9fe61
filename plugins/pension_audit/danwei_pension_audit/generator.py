"""A generated county fund: members with realistic ages and contribution histories, and
mistakes of every kind the checks find, seeded on members of their own.

Used by the demo data, by the tests (the seeded mistakes must all be found and nothing else
flagged) and by the benchmark. Rows are produced member by member and inserted in batches, so
memory stays flat however many members are generated.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

from sqlalchemy import insert

from core.api import db

from .checks import first_pension_month, next_month, pension_of, sealed_interest, yearly_interest
from .models import DATA_MODELS, PensionAuditImport
from .values import check_character

#: The mistakes seeded, one rule each (the checks' rule names).
MISTAKES = ("contribution_received", "back_payment", "subsidy_start", "interest_yearly",
            "interest_sealed", "not_sealed", "payment_before_age", "pension_formula",
            "double_payment", "paid_after_death")
YEARS = (2022, 2023, 2024)
TIERS = (10000, 20000, 30000, 50000)  # 100 to 500 yuan a year, in fen
RATE_BP = 150  # the PBoC one-year deposit benchmark rate since 2015: 1.50 %
REGION = "410621"
VILLAGES = ("东村", "西村", "南庄", "北坡", "河湾", "李家寨")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "秀英桂兰建国建华志强丽娟玉梅海燕德明春生金花文军红霞国庆"


def id_number_for(birth: date, sequence: int) -> str:
    first17 = f"{REGION}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_character(first17)


def _day(rng: random.Random, year: int, months=(3, 11)) -> date:
    return date(year, rng.randint(*months), rng.randint(1, 28))


class Population:
    """Generates the fund's data; ``expected`` collects ``(rule, id_number, period)`` of every
    mistake it seeded, as the checks should report them."""

    def __init__(self, rng: random.Random, members: int, mistakes_every: int = 50):
        self.rng, self.members, self.every = rng, members, mistakes_every
        self.expected: set[tuple[str, str, str]] = set()
        self.used: set[str] = set()

    def _id(self, birth: date) -> str:
        for _ in range(1000):
            number = id_number_for(birth, self.rng.randrange(1000))
            if number not in self.used:
                self.used.add(number)
                return number
        raise RuntimeError("no free ID number")

    def rows(self) -> Iterator[tuple[str, dict]]:
        """``(kind, values)`` of every record, member by member."""
        rng = self.rng
        for year in YEARS:
            yield "rates", {"id_number": "", "year": year, "rate_bp": RATE_BP}
        for n in range(self.members):
            mistake = MISTAKES[(n // self.every) % len(MISTAKES)] if n % self.every == 0 \
                else None
            yield from self._member(rng, n, mistake)

    def _member(self, rng, n, mistake):
        if mistake == "payment_before_age":
            birth = date(1964, 6, rng.randint(1, 28))  # turns 60 in June 2024
        elif mistake in ("pension_formula", "double_payment", "paid_after_death"):
            birth = date(rng.randint(1940, 1960), rng.randint(1, 12), rng.randint(1, 28))
        elif mistake == "back_payment":
            birth = date(rng.randint(1966, 1975), rng.randint(1, 12), rng.randint(1, 28))
        elif mistake is not None:  # the mistakes of contributing members
            birth = date(rng.randint(1966, 1990), rng.randint(1, 12), rng.randint(1, 28))
        else:
            birth = date(rng.randint(1940, 1995), rng.randint(1, 12), rng.randint(1, 28))
        idn = self._id(birth)
        receiving = birth.year + 60 < 2024 or mistake == "payment_before_age"
        stopped = (mistake in ("interest_sealed", "not_sealed")
                   or (not receiving and mistake is None and rng.random() < 0.04))
        status = "receiving" if receiving else "stopped" if stopped else "paying"
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
        member = {"id_number": idn, "name": name, "birth_date": birth,
                  "village": rng.choice(VILLAGES), "status": status,
                  "balance_at_retirement": None, "account_pension": None}
        payments = []
        if receiving:
            balance = rng.randint(2000, 40000) * 100
            pension = pension_of(balance, 139)
            if mistake == "pension_formula":
                pension += 100
                self.expected.add(("pension_formula", idn, ""))
            member.update(balance_at_retirement=balance, account_pension=pension)
            first = first_pension_month(idn, 60, 1)
            if mistake == "payment_before_age":
                first = date(1964 + 60, 6, 1)
                self.expected.add(("payment_before_age", idn, "2024-06"))
            month = max(first, date(2024, 1, 1))
            died = None
            if mistake == "paid_after_death":
                died = date(2024, 5, 10)
            elif mistake is None and rng.random() < 0.01:
                died = date(2024, rng.randint(1, 11), rng.randint(1, 28))
            while month <= date(2024, 12, 1):
                if died and month > died.replace(day=1):
                    if mistake == "paid_after_death" and month == date(2024, 6, 1):
                        self.expected.add(("paid_after_death", idn, "2024-06"))
                    else:
                        break
                payments.append({"id_number": idn, "month": month, "amount": 12300 + pension,
                                 "prepared_by": "clerk"})
                month = next_month(month)
            if mistake == "double_payment" and payments:
                again = dict(rng.choice(payments))
                payments.append(again)
                self.expected.add(("double_payment", idn, f"{again['month']:%Y-%m}"))
            yield "members", member
            if died:
                yield "deaths", {"id_number": idn, "died_on": died}
            for payment in payments:
                yield "payments", payment
            return
        yield "members", member
        tier = rng.choice(TIERS)
        sealed_from = date(2023, rng.randint(2, 12), 1) if stopped else None
        balance = rng.randint(500, 20000) * 100
        for year in YEARS:
            paid_this_year = sealed_from is None or year < sealed_from.year
            if paid_this_year:
                booked = _day(rng, year)
                amount = tier
                if mistake == "contribution_received" and year == 2023:
                    amount = tier + 10000
                    self.expected.add(("contribution_received", idn, f"{booked:%Y-%m}"))
                yield "contributions", {"id_number": idn, "year": year, "tier": tier,
                                        "amount": amount, "booked_on": booked,
                                        "kind": "regular", "years": 1}
                yield "receipts", {"id_number": idn, "amount": tier, "received_on": booked}
                credited = next_month(booked)
                if mistake == "subsidy_start" and year == 2024:
                    credited = booked.replace(day=1)
                    self.expected.add(("subsidy_start", idn, "2024"))
                yield "subsidies", {"id_number": idn, "year": year, "kind": "fiscal",
                                    "amount": 3000, "credited_month": credited}
            sealed = sealed_from if (mistake != "not_sealed" and sealed_from
                                     and sealed_from.year <= year) else None
            if sealed:
                months = 12 if sealed.year < year else 13 - sealed.month
                interest = sealed_interest(balance, RATE_BP, months)
                if mistake == "interest_sealed" and year == 2024:
                    interest += 300
                    self.expected.add(("interest_sealed", idn, "2024"))
            else:
                interest = yearly_interest(balance, RATE_BP)
                if mistake == "interest_yearly" and year == 2023:
                    interest += 500
                    self.expected.add(("interest_yearly", idn, "2023"))
            yield "accounts", {"id_number": idn, "year": year, "opening_balance": balance,
                               "interest": interest,
                               "sealed_from": sealed_from if mistake != "not_sealed" else None}
            balance += interest + (tier + 3000 if paid_this_year else 0)
        if mistake == "not_sealed":
            self.expected.add(("not_sealed", idn, ""))
        if mistake == "back_payment":
            years = rng.randint(2, 10)
            booked = _day(rng, 2024)
            yield "contributions", {"id_number": idn, "year": 2024, "tier": tier,
                                    "amount": tier * years - 5000, "booked_on": booked,
                                    "kind": "back", "years": years}
            yield "receipts", {"id_number": idn, "amount": tier * years - 5000,
                               "received_on": booked}
            self.expected.add(("back_payment", idn, "2024"))


def load(engagement, population: Population, user_id: int, batch: int = 5000) -> dict:
    """Insert the population's rows into *engagement*, one import record per kind."""
    records = {}
    for kind in DATA_MODELS:
        record = PensionAuditImport(engagement_id=engagement.id, kind=kind, source="generated",
                                    filename=f"{kind}.csv", state="imported",
                                    created_by_id=user_id)
        db.session.add(record)
        records[kind] = record
    db.session.flush()
    pending: dict[str, list] = {kind: [] for kind in DATA_MODELS}
    counts = dict.fromkeys(DATA_MODELS, 0)
    for kind, values in population.rows():
        counts[kind] += 1
        values = dict(values, engagement_id=engagement.id, import_id=records[kind].id,
                      line=counts[kind] + 1)
        pending[kind].append(values)
        if len(pending[kind]) >= batch:
            db.session.execute(insert(DATA_MODELS[kind]), pending[kind])
            pending[kind] = []
    for kind, rows in pending.items():
        if rows:
            db.session.execute(insert(DATA_MODELS[kind]), rows)
    for kind, record in records.items():
        record.rows_read = record.rows_imported = counts[kind]
    return counts
