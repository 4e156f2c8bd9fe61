"""The numbers of section 5, as functions of the settings: disease-report limits, prescription
caps, patrol clocks and extinguisher life. Pure functions, so each boundary is tested on its own.

Where today's national rule is stricter than the seed (篇八), the rule is the default and the
seed's figure is kept here as ``SUPERSEDED`` to be shown beside it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from core.api import get_setting

from .i18n import lazy_gettext as _l

PLUGIN = "hospital_safety"

#: The seed's figures that today's rules replaced, shown as superseded.
SUPERSEDED = {
    "class_a_rural_hours": (6, _l("Seed line 776: 6 hours in rural areas for class A; "
                                  "superseded by the 2015 reporting rules (2 hours everywhere).")),
    "injection_days": (2, _l("Seed line 748: 2 days of injections; superseded by article 23 of "
                             "the prescription rules (one usual dose).")),
    "extinguisher_checks_per_year": (2, _l("Seed line 652: extinguishers checked twice a year; "
                                           "GB 50444-2008 §5.2.1 asks monthly (kept as well as "
                                           "the twice-yearly general check).")),
}


# --- infectious-disease report clock -------------------------------------------------------

DISEASE_CLASSES = ("A", "A_managed", "B", "C")


@dataclass(frozen=True)
class ReportLimit:
    """The limit that applies to a case (the unit's target, minutes) and the legal one."""

    minutes: int
    legal_minutes: int


def report_limit(disease_class: str, rural: bool, unit=None) -> ReportLimit:
    """Class A and managed as A: 2 h everywhere. Other class B: the unit's target (6 h town,
    12 h rural, the seed's figures) with the legal 24 h beside it. Class C: 24 h."""
    hours = lambda key: get_setting(PLUGIN, key, unit)  # noqa: E731
    if disease_class in ("A", "A_managed"):
        limit = round(hours("class_a_hours") * 60)
        return ReportLimit(limit, limit)
    if disease_class == "B":
        target = hours("class_b_rural_hours" if rural else "class_b_town_hours")
        legal = hours("class_b_legal_hours")
        return ReportLimit(round(min(target, legal) * 60), round(legal * 60))
    limit = round(hours("class_c_hours") * 60)
    return ReportLimit(limit, limit)


def clock(diagnosed_at: datetime, limit_minutes: int, now: datetime,
          reported_at: datetime | None = None, unit=None) -> dict:
    """Where a case's clock stands: minutes used and left, and the level (``ok``, ``half``,
    ``four_fifths``, ``overdue``; for a reported case ``on_time`` or ``late``)."""
    end = reported_at or now
    used = (end - diagnosed_at).total_seconds() / 60
    left = limit_minutes - used
    if reported_at is not None:
        level = "on_time" if used <= limit_minutes else "late"
    elif used > limit_minutes:
        level = "overdue"
    elif used >= limit_minutes * get_setting(PLUGIN, "warn_second", unit):
        level = "four_fifths"
    elif used >= limit_minutes * get_setting(PLUGIN, "warn_first", unit):
        level = "half"
    else:
        level = "ok"
    return {"used": used, "left": left, "level": level}


# --- prescription caps (处方管理办法) ----------------------------------------------------------

@dataclass(frozen=True)
class Cap:
    """The most a prescription may give, in ``doses`` or ``days``, and the article."""

    amount: Decimal
    measure: str  # "doses" | "days"
    article: str
    setting: str


def prescription_cap(category: str, form: str, *, inpatient: bool = False,
                     cancer_pain: bool = False, unit=None) -> Cap | None:
    """The cap for a drug of *category* and *form*; ``None`` when none applies (toxic)."""
    value = lambda key: Decimal(str(get_setting(PLUGIN, key, unit)))  # noqa: E731
    if category in ("narcotic", "psych1"):
        if inpatient:
            return Cap(value("cap_inpatient_days"), "days",
                       _l("Prescription rules, article 27: for in-patients, one day's usual dose "
                          "per prescription."), "cap_inpatient_days")
        if cancer_pain:
            key = {"injection": "cap_pain_injection_days",
                   "controlled": "cap_pain_controlled_days"}.get(form, "cap_pain_other_days")
            return Cap(value(key), "days",
                       _l("Prescription rules, article 24: cancer and chronic pain patients, "
                          "injections at most 3 days, controlled-release at most 15 days, other "
                          "forms at most 7 days."), key)
        if form == "injection":
            return Cap(value("cap_injection_doses"), "doses",
                       _l("Prescription rules, article 23: narcotic and class-1 psychotropic "
                          "injections, one usual dose per prescription."), "cap_injection_doses")
        key = "cap_controlled_days" if form == "controlled" else "cap_other_days"
        return Cap(value(key), "days",
                   _l("Prescription rules, article 23: controlled-release forms at most 7 days, "
                      "other forms at most 3 days."), key)
    if category == "psych2":
        return Cap(value("cap_psych2_days"), "days",
                   _l("Prescription rules, article 23: class-2 psychotropics at most 7 days."),
                   "cap_psych2_days")
    return None


def over_cap(cap: Cap | None, *, days: Decimal | None, doses: int | None) -> bool:
    """True when the prescription asks more than *cap* (a missing amount counts as over)."""
    if cap is None:
        return False
    asked = doses if cap.measure == "doses" else days
    return asked is None or Decimal(str(asked)) > cap.amount


def keep_until(category: str, day: date, unit=None) -> date:
    """Prescriptions kept 3 years (narcotic, class 1) or 2 years (class 2, toxic)."""
    years = get_setting(PLUGIN, "keep_years_narcotic" if category in ("narcotic", "psych1")
                        else "keep_years_other", unit)
    return add_years(day, years)


def add_years(day: date, years: int) -> date:
    """*day* in *years* years (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- patrol clocks -------------------------------------------------------------------------

def point_period(kind: str, high_risk: bool, day: date) -> tuple[date, date]:
    """The check period containing local *day*: ``[start, end)``.

    Extinguishers: the calendar month, or the half month (1–15, 16–end) in high-risk places
    (GB 50444 §5.2.1–5.2.2); hydrants, oxygen stores: the month; boiler rooms and patrol
    points: the day (daily fire patrol, 公安部令第61号 article 25)."""
    if kind in ("patrol", "boiler"):
        return day, day + timedelta(days=1)
    first = day.replace(day=1)
    last = calendar.monthrange(day.year, day.month)[1]
    after = first + timedelta(days=last)
    if kind == "extinguisher" and high_risk:
        middle = first.replace(day=16)
        return (first, middle) if day < middle else (middle, after)
    return first, after


def extinguisher_life(manufactured_on: date, today: date, unit=None) -> dict:
    """Pressure tests 5 years after manufacture then every 2 years; scrapped at 10 years."""
    first = get_setting(PLUGIN, "pressure_test_first_years", unit)
    every = get_setting(PLUGIN, "pressure_test_every_years", unit)
    scrap = add_years(manufactured_on, get_setting(PLUGIN, "scrap_years", unit))
    test = add_years(manufactured_on, first)
    while test <= today and add_years(test, every) < scrap:
        test = add_years(test, every)
    return {"next_test": test if test < scrap else None, "scrap_on": scrap,
            "scrapped": today >= scrap}
