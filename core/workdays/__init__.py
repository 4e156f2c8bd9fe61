"""The working-day calendar: weekends, Chinese public holidays and make-up working days (调休).

Holidays are data (:class:`Holiday`), seeded by a migration and edited by administrators on the
calendar page. A day is a working day when it is marked ``workday`` (a make-up Saturday), or
when it is a Monday–Friday not marked ``holiday``. Every due time in Danwei is computed here.

Working time only flows on working days: ``add_working_days(friday_10am, 1)`` is Monday 10:00,
and half a day is twelve hours of working time. Naive datetimes are UTC, like every stored
datetime in Danwei; calendar days are those of the intranet's zone (:mod:`core.localtime`),
so a deadline computed at 23:30 UTC on a Sunday already counts from Monday in Beijing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..localtime import local_zone, to_local, to_utc
from ..models import utcnow

HOLIDAY = "holiday"
WORKDAY = "workday"
KINDS = (HOLIDAY, WORKDAY)

#: Seconds a process trusts its copy of the calendar; edits made here clear it at once.
CACHE_SECONDS = 60
#: Longest run of non-working days searched before giving up (a misconfigured calendar).
MAX_GAP_DAYS = 366


class Holiday(db.Model):
    """A date that breaks the weekly rhythm: a public holiday, or a make-up working day."""

    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    #: ``holiday`` (a day off, even on a weekday) or ``workday`` (调休: work, even on a weekend).
    kind: Mapped[str] = mapped_column(db.String(16))
    name: Mapped[str] = mapped_column(db.String(100), default="")
    #: Estimated before the State Council notice; shown so administrators check it.
    provisional: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Holiday {self.day} {self.kind}>"


# -- the calendar of this process ---------------------------------------------------------------


@dataclass
class _Cache:
    days: dict[date, str]
    loaded_at: float


def _special_days() -> dict[date, str]:
    """``{day: kind}`` for every recorded date, cached per application for a short while."""
    if not has_app_context():
        return {}
    store = current_app.extensions.setdefault("danwei_workdays", {})
    cache = store.get("cache")
    if cache is None or time.monotonic() - cache.loaded_at > CACHE_SECONDS:
        rows = db.session.execute(select(Holiday.day, Holiday.kind)).all()
        cache = _Cache({day: kind for day, kind in rows}, time.monotonic())
        store["cache"] = cache
    return cache.days


def forget_cache() -> None:
    """Drop this process's copy of the calendar (after an edit)."""
    if has_app_context():
        current_app.extensions.setdefault("danwei_workdays", {}).pop("cache", None)


def is_working_day(d: date) -> bool:
    """Whether people work on *d*: weekdays unless a holiday, weekends only when made up."""
    if isinstance(d, datetime):
        d = d.date()
    kind = _special_days().get(d)
    if kind == HOLIDAY:
        return False
    if kind == WORKDAY:
        return True
    return d.weekday() < 5


def day_kind(d: date) -> str | None:
    """``holiday``, ``workday`` or None when *d* follows the weekly rhythm."""
    return _special_days().get(d)


def next_working_day(d: date, include_today: bool = True) -> date:
    """The first working day on or after *d* (after it, with ``include_today=False``)."""
    day = d if include_today else d + timedelta(days=1)
    for _ in range(MAX_GAP_DAYS):
        if is_working_day(day):
            return day
        day += timedelta(days=1)
    raise ValueError(f"no working day within {MAX_GAP_DAYS} days of {d}")


def previous_working_day(d: date, include_today: bool = True) -> date:
    """The last working day on or before *d* (before it, with ``include_today=False``)."""
    day = d if include_today else d - timedelta(days=1)
    for _ in range(MAX_GAP_DAYS):
        if is_working_day(day):
            return day
        day -= timedelta(days=1)
    raise ValueError(f"no working day within {MAX_GAP_DAYS} days before {d}")


# -- working time -------------------------------------------------------------------------------


def _to_local(moment: datetime) -> tuple[datetime, bool]:
    """*moment* as a naive local wall time, and whether it came in naive (i.e. UTC)."""
    return to_local(moment), moment.tzinfo is None


def _from_local(wall: datetime, naive: bool, like: datetime) -> datetime:
    if naive:
        return to_utc(wall)
    return wall.replace(tzinfo=local_zone()).astimezone(like.tzinfo)


def _midnight(d: date) -> datetime:
    return datetime.combine(d, datetime.min.time())


def add_working_days(start: datetime, days: float, unit=None) -> datetime:
    """The moment *days* working days after *start*; negative *days* go back.

    Working time flows only on working days, 24 hours each: Friday 10:00 plus one working day
    is Monday 10:00 (or Tuesday, if Monday is a holiday), plus half a day is Friday 22:00. A
    start on a non-working day counts from the beginning of the next working day. A *start*
    given as a :class:`~datetime.date` counts from that day's start and returns a datetime.

    Naive datetimes are UTC (Danwei stores UTC) and the result is naive UTC too; aware ones keep
    their time zone. Days are those of the local calendar (``BABEL_DEFAULT_TIMEZONE``).

    :param unit: the organisation unit the deadline is for. Every unit shares the national
        calendar today; callers pass it so that unit calendars need no change on their side.
    """
    if isinstance(start, datetime):
        wall, naive = _to_local(start)
    else:  # a calendar day: its local midnight
        wall, naive = _midnight(start), True
    remaining = timedelta(days=abs(days))
    if days >= 0:
        while True:
            if not is_working_day(wall.date()):
                wall = _midnight(next_working_day(wall.date()))
                continue
            day_end = _midnight(wall.date() + timedelta(days=1))
            if remaining < day_end - wall:
                wall += remaining
                break
            remaining -= day_end - wall
            wall = day_end
            if not remaining:  # due at the very end of a working day: the next one's start
                wall = _midnight(next_working_day(wall.date()))
                break
    else:
        while True:
            day = (wall - timedelta(microseconds=1)).date()
            if not is_working_day(day):
                wall = _midnight(previous_working_day(day) + timedelta(days=1))
                continue
            day_start = _midnight(day)
            if remaining <= wall - day_start:
                wall -= remaining
                break
            remaining -= wall - day_start
            wall = day_start
    return _from_local(wall, naive, start)


def working_days_between(a: date | datetime, b: date | datetime, unit=None) -> float:
    """How much working time lies between *a* and *b*, in working days (negative if b < a).

    With two dates it counts the working days in ``[a, b)``: Monday to the next Monday is 5.
    With datetimes it is exact and the inverse of :func:`add_working_days`, e.g. 1.5.
    """
    if b < a:
        return -working_days_between(b, a, unit)
    if not isinstance(a, datetime) and not isinstance(b, datetime):
        count, day = 0, a
        while day < b:
            count += is_working_day(day)
            day += timedelta(days=1)
        return count
    wall_a = _to_local(a)[0] if isinstance(a, datetime) else _midnight(a)
    wall_b = _to_local(b)[0] if isinstance(b, datetime) else _midnight(b)
    total, cursor = timedelta(), wall_a
    while cursor < wall_b:
        day_end = _midnight(cursor.date() + timedelta(days=1))
        stop = min(day_end, wall_b)
        if is_working_day(cursor.date()):
            total += stop - cursor
        cursor = stop
    return total / timedelta(days=1)


# -- editing ------------------------------------------------------------------------------------


def holidays_of(year: int) -> list[Holiday]:
    return list(
        db.session.scalars(
            select(Holiday)
            .where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))
            .order_by(Holiday.day)
        )
    )


def set_day(day: date, kind: str, name: str = "", provisional: bool = False) -> Holiday:
    """Record *day* as a holiday or a make-up working day (replacing what was there)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    row = db.session.scalar(select(Holiday).where(Holiday.day == day))
    if row is None:
        row = Holiday(day=day)
        db.session.add(row)
    row.kind, row.name, row.provisional = kind, name, provisional
    forget_cache()
    return row


def parse_lines(text: str) -> tuple[list[tuple[date, str, str]], list[str]]:
    """Parse ``YYYY-MM-DD[..YYYY-MM-DD] holiday|workday name`` lines (commas or spaces).

    Returns the entries and the problems, each naming its line, so an import is all or nothing.
    """
    entries, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace(",", " ").replace("\t", " ").split(None, 2)]
        if len(parts) < 2:
            problems.append(f"line {number}: expected a date and holiday/workday")
            continue
        span, kind = parts[0], parts[1].lower()
        name = parts[2] if len(parts) > 2 else ""
        if kind not in KINDS:
            problems.append(f"line {number}: {parts[1]!r} is neither holiday nor workday")
            continue
        try:
            first, _, last = span.partition("..")
            start = date.fromisoformat(first)
            end = date.fromisoformat(last) if last else start
        except ValueError:
            problems.append(f"line {number}: {span!r} is not a date (YYYY-MM-DD)")
            continue
        if end < start or (end - start).days > 31:
            problems.append(f"line {number}: the range {span} is reversed or too long")
            continue
        day = start
        while day <= end:
            entries.append((day, kind, name))
            day += timedelta(days=1)
    return entries, problems


def import_year(year: int, entries, replace: bool = True, provisional: bool = False) -> int:
    """Store *entries* (``(day, kind, name)``) for *year*; with *replace*, drop the rest first."""
    outside = [d for d, _, _ in entries if d.year != year]
    if outside:
        raise ValueError(f"{outside[0]} is not in {year}")
    if replace:
        for row in holidays_of(year):
            db.session.delete(row)
        db.session.flush()
    for day, kind, name in entries:
        set_day(day, kind, name, provisional)
    forget_cache()
    return len(entries)


#: Built-in calendars, in the import format; the same data the c0c1 migration seeded.
#: 2026 follows the State Council notice (国办发明电〔2025〕7号); 2027 is an estimate made from
#: the statutory days alone (no make-up working days) until the notice is published.
BUILTIN = {
    2026: (
        False,
        """
        2026-01-01..2026-01-03 holiday 元旦
        2026-01-04 workday 元旦调休
        2026-02-14 workday 春节调休
        2026-02-15..2026-02-23 holiday 春节
        2026-02-28 workday 春节调休
        2026-04-04..2026-04-06 holiday 清明节
        2026-05-01..2026-05-05 holiday 劳动节
        2026-05-09 workday 劳动节调休
        2026-06-19..2026-06-21 holiday 端午节
        2026-09-20 workday 国庆节调休
        2026-09-25..2026-09-27 holiday 中秋节
        2026-10-01..2026-10-07 holiday 国庆节
        2026-10-10 workday 国庆节调休
        """,
    ),
    2027: (
        True,
        """
        2027-01-01..2027-01-03 holiday 元旦
        2027-02-05..2027-02-10 holiday 春节
        2027-04-03..2027-04-05 holiday 清明节
        2027-05-01..2027-05-04 holiday 劳动节
        2027-06-09 holiday 端午节
        2027-09-15 holiday 中秋节
        2027-10-01..2027-10-05 holiday 国庆节
        """,
    ),
}


def import_builtin(year: int) -> int:
    """Restore the built-in calendar of *year* (2026, 2027), replacing that year's entries."""
    provisional, text = BUILTIN[year]
    entries, problems = parse_lines(text)
    assert not problems, problems
    return import_year(year, entries, replace=True, provisional=provisional)
