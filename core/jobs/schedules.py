"""What a plugin declares: :class:`Job` (``register_jobs``) and :class:`Deadline`
(``register_deadlines``), each with a :class:`Schedule` built by :func:`every`, :func:`daily`,
:func:`weekly` or :func:`monthly`.

A schedule divides time into *slots*: the moments it falls due (``2026-03-15T23:59``). Times in
schedules are local wall-clock times (``BABEL_DEFAULT_TIMEZONE``); stored times and the
datetimes handed to jobs are naive UTC, as everywhere in Danwei.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .. import workdays
from ..models import utcnow


def _hhmm(at: str) -> time:
    try:
        hours, minutes = (int(p) for p in at.split(":"))
        return time(hours, minutes)
    except (ValueError, AttributeError):
        raise ValueError(f"expected a time as 'HH:MM', got {at!r}") from None


@dataclass(frozen=True)
class Schedule:
    """When a job is due. Build one with :func:`every`, :func:`daily`, :func:`weekly` or
    :func:`monthly`; all times are local wall-clock times."""

    kind: str
    minutes: int = 0
    at: str = "00:00"
    weekday: int = 0
    day: int = 1

    def __post_init__(self):
        _hhmm(self.at)
        if self.kind == "every" and self.minutes < 1:
            raise ValueError("every(minutes=...) needs at least one minute")
        if self.kind == "monthly" and not 1 <= self.day <= 31:
            raise ValueError("monthly(day=...) takes a day of the month, 1–31")
        if self.kind == "weekly" and not 0 <= self.weekday <= 6:
            raise ValueError("weekly(weekday=...) takes 0 (Monday) to 6 (Sunday)")

    def __str__(self) -> str:
        if self.kind == "every":
            return "every minute" if self.minutes == 1 else f"every {self.minutes} minutes"
        if self.kind == "daily":
            return f"daily at {self.at}"
        if self.kind == "weekly":
            return f"weekly on {calendar.day_name[self.weekday]} at {self.at}"
        return f"monthly on day {self.day} at {self.at}"

    def _on(self, d: date) -> datetime:
        return datetime.combine(d, _hhmm(self.at))

    def _in_month(self, year: int, month: int) -> datetime:
        last = calendar.monthrange(year, month)[1]
        return self._on(date(year, month, min(self.day, last)))

    def latest(self, now: datetime) -> datetime:
        """The last scheduled local time at or before *now* (local, naive)."""
        if self.kind == "every":
            midnight = datetime.combine(now.date(), time())
            minutes = int((now - midnight).total_seconds() // 60)
            return midnight + timedelta(minutes=minutes - minutes % self.minutes)
        if self.kind == "daily":
            today = self._on(now.date())
            return today if today <= now else today - timedelta(days=1)
        if self.kind == "weekly":
            back = (now.weekday() - self.weekday) % 7
            moment = self._on(now.date() - timedelta(days=back))
            return moment if moment <= now else moment - timedelta(days=7)
        moment = self._in_month(now.year, now.month)
        if moment <= now:
            return moment
        year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
        return self._in_month(year, month)

    def preceding(self, moment: datetime) -> datetime:
        """The scheduled time before *moment* (which is itself a scheduled time)."""
        return self.latest(moment - timedelta(minutes=1))

    def following(self, moment: datetime) -> datetime:
        """The first scheduled time after *moment*."""
        if self.kind == "every":
            return self.latest(moment) + timedelta(minutes=self.minutes)
        if self.kind == "daily":
            return self.latest(moment) + timedelta(days=1)
        if self.kind == "weekly":
            return self.latest(moment) + timedelta(days=7)
        latest = self.latest(moment)
        year, month = (latest.year, latest.month + 1) if latest.month < 12 else (latest.year + 1, 1)
        return self._in_month(year, month)


def every(minutes: int) -> Schedule:
    """Every *minutes* minutes, counted from local midnight (``every(15)``: :00, :15, ...)."""
    return Schedule("every", minutes=minutes)


def daily(at: str = "00:00") -> Schedule:
    """Every day at *at* (``"HH:MM"``, local time)."""
    return Schedule("daily", at=at)


def weekly(weekday: int, at: str = "00:00") -> Schedule:
    """Every week on *weekday* (0 = Monday … 6 = Sunday) at *at*."""
    return Schedule("weekly", weekday=weekday, at=at)


def monthly(day: int, at: str = "00:00") -> Schedule:
    """Every month on *day* (the last day in shorter months) at *at*."""
    return Schedule("monthly", day=day, at=at)


# -- declarations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """A periodic job, returned from ``register_jobs``.

    *func* is called inside an application context and a transaction that is committed when
    it returns (and rolled back when it raises). It takes any of these keyword arguments, by
    name: ``job`` (this object), ``slot`` (the slot's key, e.g. ``"2026-03-15T08:00"``) and
    ``scheduled_for`` (the slot's time, naive UTC). A job must be idempotent for its slot.
    """

    #: ``<plugin>.<name>``, e.g. ``school_leave.overdue``.
    id: str
    func: Callable
    schedule: Schedule
    description: str = ""
    #: Times a failed slot is tried again, :data:`~.runs.RETRY_MINUTES` apart.
    retries: int = 2
    #: A run still marked running after this long is taken to have died and may be re-run.
    timeout_minutes: int = 60


@dataclass(frozen=True)
class Deadline:
    """A recurring due date, returned from ``register_deadlines``: "plans due on the 15th".

    The *schedule* gives the nominal due moment of each period (``monthly(15, "23:59")``). When
    *shift* says so and that day is not a working day, the deadline moves to the next working
    day at the same time. *on_due* runs once per period when the deadline has passed;
    *on_remind* runs once, *remind_before* working days before it, at *remind_at*. Both take,
    by name, any of ``deadline``, ``due_at`` (naive UTC) and ``slot`` (the period's key).
    """

    id: str
    label: str
    schedule: Schedule
    on_due: Callable | None = None
    on_remind: Callable | None = None
    remind_before: int = 1
    remind_at: str = "08:00"
    #: None: follow the core setting ``deadline_shift``; True/False: always/never shift;
    #: ``"plugin.key"``: follow that (boolean) setting of the plugin.
    shift: bool | str | None = None
    description: str = ""

    def shifts(self) -> bool:
        from ..settings import get_setting

        if isinstance(self.shift, bool):
            return self.shift
        plugin, key = ("core", "deadline_shift") if self.shift is None else self.shift.split(".", 1)
        return bool(get_setting(plugin, key))

    def due_local(self, nominal: datetime) -> datetime:
        """The real due moment (local) of the period whose nominal moment is *nominal*."""
        if not self.shifts() or workdays.is_working_day(nominal.date()):
            return nominal
        return datetime.combine(workdays.next_working_day(nominal.date()), nominal.time())

    def remind_local(self, due: datetime) -> datetime:
        day = due.date()
        for _ in range(self.remind_before):
            day = workdays.previous_working_day(day, include_today=False)
        return datetime.combine(day, _hhmm(self.remind_at))

    def next_due(self, after: datetime | None = None) -> datetime:
        """The first due moment (naive UTC) after *after* (default: now), shift included."""
        now = to_local(after or utcnow())
        # Start two periods back: a shifted deadline may still lie ahead.
        nominal = self.schedule.preceding(self.schedule.latest(now))
        while self.due_local(nominal) <= now:
            nominal = self.schedule.following(nominal)
        return to_utc(self.due_local(nominal))


# -- local wall time and slots ------------------------------------------------------------------


def to_local(moment: datetime) -> datetime:
    """Naive UTC → naive local wall time."""
    zone = workdays.local_zone()
    return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def to_utc(wall: datetime) -> datetime:
    """Naive local wall time → naive UTC."""
    aware = wall.replace(tzinfo=workdays.local_zone())
    return aware.astimezone(UTC).replace(tzinfo=None)


def slot_key(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")
