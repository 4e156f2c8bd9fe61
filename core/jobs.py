"""Periodic jobs and deadlines, run by ``danwei jobs run`` (cron), ``danwei jobs worker``, or a
thread of the web process (the embedded default, ``RUN_JOBS_IN_PROCESS``).

A plugin returns :class:`Job` objects from ``register_jobs`` and :class:`Deadline` objects from
``register_deadlines``. Each schedule divides time into *slots* (``2026-03-15T23:59``); a
runner claims a slot by inserting a ``(job, slot)`` row into ``job_runs``, which is unique, so
however many runners start at once each slot runs exactly once. A job that raises is recorded
(and retried a couple of times, a few minutes apart); the other jobs go on.

Times in schedules are local wall-clock times (``BABEL_DEFAULT_TIMEZONE``); stored times and
the datetimes handed to jobs are naive UTC, as everywhere in Danwei.
"""

from __future__ import annotations

import calendar
import inspect
import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic

from flask import Flask, current_app
from sqlalchemy import UniqueConstraint, delete, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import workdays
from .extensions import db
from .models import utcnow
from .plugins import plugin_host

log = logging.getLogger("danwei.jobs")

RUNNING, OK, FAILED = "running", "ok", "failed"
#: Seconds between two looks at the schedule in ``danwei jobs worker`` and the web thread.
WORKER_INTERVAL = 30
#: A failed slot is tried again after this many minutes, up to ``Job.retries`` times.
RETRY_MINUTES = 5
#: Successful runs older than this are pruned by the ``core.prune_job_runs`` job. It must
#: exceed the longest schedule period (a month), or an old slot could look never run.
KEEP_RUNS_DAYS = 100


# -- schedules ----------------------------------------------------------------------------------


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
    #: Times a failed slot is tried again, :data:`RETRY_MINUTES` apart.
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
        from .settings import get_setting

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


@dataclass
class Runnable:
    """What the runner schedules: a job, or one half (remind/due) of a deadline."""

    id: str
    plugin: str
    func: Callable
    describe: str
    retries: int = 2
    timeout_minutes: int = 60
    source: Job | Deadline | None = None
    #: ``now_local → [(slot key, scheduled local time, extra kwargs)]`` of the slots due now.
    due: Callable = field(default=lambda now: [])


def _job_runnable(plugin: str, job: Job) -> Runnable:
    def due(now):
        moment = job.schedule.latest(now)
        return [(slot_key(moment), moment, {})]

    return Runnable(job.id, plugin, job.func, str(job.schedule), job.retries,
                    job.timeout_minutes, job, due)


def _deadline_runnables(plugin: str, deadline: Deadline) -> list[Runnable]:
    schedule = deadline.schedule
    made = []
    if deadline.on_due is not None:
        def due(now):
            latest = schedule.latest(now)
            slots = []
            # The previous period is still in play when a shift (a long holiday) pushed its
            # due moment past the start of the latest one; older periods are settled.
            previous = schedule.preceding(latest)
            if deadline.due_local(previous) > latest:
                candidates = (previous, latest)
            else:
                candidates = (latest,)
            for nominal in candidates:
                moment = deadline.due_local(nominal)
                if moment <= now:
                    slots.append((slot_key(nominal), moment, {"due_at": to_utc(moment)}))
            return slots

        made.append(Runnable(f"{deadline.id}:due", plugin, deadline.on_due,
                             f"deadline {schedule}", 2, 60, deadline, due))
    if deadline.on_remind is not None:
        def remind(now):
            slots = []
            nominal = schedule.latest(now)
            for _ in range(3):
                moment = deadline.due_local(nominal)
                if deadline.remind_local(moment) <= now < moment:
                    slots.append((slot_key(nominal), deadline.remind_local(moment),
                                  {"due_at": to_utc(moment)}))
                nominal = schedule.following(nominal)
            return slots

        made.append(Runnable(f"{deadline.id}:remind", plugin, deadline.on_remind,
                             f"reminder {deadline.remind_before} working days before", 2, 60,
                             deadline, remind))
    return made


def registered(app: Flask | None = None) -> dict[str, Runnable]:
    """Every job and deadline half of the loaded plugins, by id (collected once per app)."""
    app = app or current_app
    state = app.extensions.setdefault("danwei_jobs", {})
    if "registry" not in state:
        host = plugin_host(app)
        found: dict[str, Runnable] = {}
        for hook, kind in (("register_jobs", Job), ("register_deadlines", Deadline)):
            for plugin, item in host.collect(hook):
                problem = None
                if not isinstance(item, kind):
                    problem = f"{hook} returned {item!r}, not a {kind.__name__}"
                elif not item.id.startswith(f"{plugin}."):
                    problem = f"{kind.__name__.lower()} {item.id!r} must be named {plugin}.*"
                if problem:
                    host.fail(plugin, hook, problem)
                    continue
                runnables = (
                    [_job_runnable(plugin, item)] if kind is Job
                    else _deadline_runnables(plugin, item)
                )
                for runnable in runnables:
                    if runnable.id in found:
                        host.fail(plugin, hook, f"{runnable.id} is declared twice")
                        continue
                    found[runnable.id] = runnable
        state["registry"] = found
    return state["registry"]


def deadlines(plugin: str | None = None) -> list[Deadline]:
    """The declared deadlines (of *plugin*), e.g. to show "due 2026-02-24" on a page."""
    seen = {}
    for runnable in registered().values():
        if isinstance(runnable.source, Deadline) and plugin in (None, runnable.plugin):
            seen[runnable.source.id] = runnable.source
    return list(seen.values())


def deadline(deadline_id: str) -> Deadline:
    for found in deadlines():
        if found.id == deadline_id:
            return found
    raise KeyError(f"no deadline {deadline_id!r} is declared")


# -- the run table ------------------------------------------------------------------------------


class JobRun(db.Model):
    """One slot of one job: claimed, then finished ok or failed."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(db.String(128), index=True)
    slot: Mapped[str] = mapped_column(db.String(64))
    status: Mapped[str] = mapped_column(db.String(16), default=RUNNING)
    attempts: Mapped[int] = mapped_column(default=1)
    #: Which process ran it (host:pid), for the administrator chasing a stuck job.
    runner: Mapped[str] = mapped_column(db.String(128), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(db.Text, default="")


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


def _insert_ignoring_conflict(values: dict) -> int:
    """Insert a run row unless ``(job_id, slot)`` exists; returns the number inserted (0/1)."""
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = (
            insert(JobRun.__table__)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["job_id", "slot"])
            .returning(JobRun.__table__.c.id)
        )
        return len(db.session.execute(statement).all())
    try:  # other databases: let the unique constraint refuse the second runner
        with db.session.begin_nested():
            db.session.add(JobRun(**values))
        return 1
    except IntegrityError:
        return 0


def claim(runnable: Runnable, slot: str, now: datetime) -> bool:
    """Take *slot* of *runnable* for this runner; False when another has (or had) it."""
    runner = runner_name()
    inserted = _insert_ignoring_conflict(
        {"job_id": runnable.id, "slot": slot, "status": RUNNING, "attempts": 1,
         "runner": runner, "started_at": now, "error": ""}
    )
    if not inserted:
        # Retry a failed slot a few minutes later, or take over one whose runner died.
        inserted = db.session.execute(
            update(JobRun)
            .where(
                JobRun.job_id == runnable.id,
                JobRun.slot == slot,
                ((JobRun.status == FAILED)
                 & (JobRun.attempts <= runnable.retries)
                 & (JobRun.started_at <= now - timedelta(minutes=RETRY_MINUTES)))
                | ((JobRun.status == RUNNING)
                   & (JobRun.started_at <= now - timedelta(minutes=runnable.timeout_minutes))),
            )
            .values(status=RUNNING, attempts=JobRun.attempts + 1, runner=runner, started_at=now,
                    finished_at=None)
        ).rowcount
    db.session.commit()
    return inserted == 1


def _call(func: Callable, offered: dict):
    """Call *func* with the offered keyword arguments it names (all, if it takes ``**kw``)."""
    params = inspect.signature(func).parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return func(**offered)
    return func(**{p.name: offered[p.name] for p in params if p.name in offered})


@dataclass
class Outcome:
    job_id: str
    slot: str
    status: str  # ok, failed, skipped
    error: str = ""


def run_one(runnable: Runnable, slot: str, scheduled_local: datetime, extra: dict,
            now: datetime) -> Outcome:
    """Claim and run one slot; the job's own transaction commits or rolls back on its own."""
    if not claim(runnable, slot, now):
        return Outcome(runnable.id, slot, "skipped")
    offered = {"slot": slot, "scheduled_for": to_utc(scheduled_local), **extra}
    source = runnable.source
    offered["deadline" if isinstance(source, Deadline) else "job"] = source
    try:
        _call(runnable.func, offered)
        db.session.commit()
        status, error = OK, ""
    except Exception:  # noqa: BLE001 - a failing job must not stop the others
        db.session.rollback()
        status, error = FAILED, traceback.format_exc()
        log.error("job %s slot %s failed:\n%s", runnable.id, slot, error)
        host = plugin_host()
        problem = _plugin_error(runnable, error)  # shown to administrators, latest only
        host.errors[:] = [e for e in host.errors if e.where != problem.where] + [problem]
    db.session.execute(
        update(JobRun)
        .where(JobRun.job_id == runnable.id, JobRun.slot == slot)
        .values(status=status, finished_at=utcnow(), error=error[-4000:])
    )
    db.session.commit()
    return Outcome(runnable.id, slot, status, error)


def _plugin_error(runnable: Runnable, error: str):
    from .plugins import PluginError

    last = error.strip().splitlines()[-1] if error.strip() else "failed"
    return PluginError(runnable.plugin, f"job {runnable.id}", last, error)


def run_due(now: datetime | None = None, only: str | None = None,
            force: bool = False) -> list[Outcome]:
    """Run every slot that is due and not yet run; returns what happened to each.

    *only* restricts the run to one job id; *force* runs it now, in an extra ``manual`` slot,
    whatever its schedule says.
    """
    now = now or utcnow()
    local_now = to_local(now)
    jobs = registered()
    if only is not None and only not in jobs:
        raise KeyError(f"no job {only!r}; see `danwei jobs list`")
    outcomes = []
    for job_id, runnable in sorted(jobs.items()):
        if only is not None and job_id != only:
            continue
        if force:
            slots = [(f"manual:{now.isoformat(timespec='seconds')}", local_now, {})]
        else:
            try:
                slots = runnable.due(local_now)
            except Exception:  # noqa: BLE001 - a broken schedule (or setting) skips one job
                log.exception("job %s: cannot compute its slots", job_id)
                continue
        for slot, scheduled, extra in slots:
            outcomes.append(run_one(runnable, slot, scheduled, extra, now))
    return outcomes


def last_runs() -> dict[str, JobRun]:
    """The latest run of each job, by job id."""
    latest: dict[str, JobRun] = {}
    for run in db.session.scalars(select(JobRun).order_by(JobRun.started_at, JobRun.id)):
        latest[run.job_id] = run
    return latest


def prune_runs(scheduled_for: datetime | None = None) -> int:
    """Delete successful runs older than :data:`KEEP_RUNS_DAYS` (a minutely job makes many)."""
    cutoff = (scheduled_for or utcnow()) - timedelta(days=KEEP_RUNS_DAYS)
    return db.session.execute(
        delete(JobRun).where(JobRun.status == OK, JobRun.started_at < cutoff)
    ).rowcount


# -- the worker, in its own process or as a thread of the web process ---------------------------

#: Set when a transaction queued notification deliveries: the worker sends them at once.
WAKE = threading.Event()


@event.listens_for(Session, "after_commit")
def _wake_on_deliveries(session):
    if session.info.pop("danwei_deliveries_queued", False):
        WAKE.set()


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session, previous_transaction):
    session.info.pop("danwei_deliveries_queued", None)


def work(app: Flask, interval: float = WORKER_INTERVAL, stop: threading.Event | None = None,
         rounds: int | None = None) -> None:
    """Run due jobs every *interval* seconds until *stop* is set (or *rounds* are done).

    Between rounds, a commit that queued notification deliveries wakes the loop early so that
    e-mails and webhook messages go out within seconds.
    """
    from .notifications import deliver_pending

    stop = stop or threading.Event()
    done = 0
    next_round = 0.0
    while not stop.is_set() and (rounds is None or done < rounds):
        with app.app_context():
            try:
                if monotonic() >= next_round:
                    run_due()
                    next_round = monotonic() + interval
                    done += 1
                else:
                    deliver_pending()
            except Exception:  # noqa: BLE001 - the worker outlives a database hiccup
                log.exception("job runner round failed")
                db.session.rollback()
            finally:
                db.session.remove()
        if rounds is not None and done >= rounds:
            break
        WAKE.wait(max(0.0, next_round - monotonic()))
        WAKE.clear()


_thread_lock = threading.Lock()


def start_in_process(app: Flask) -> threading.Thread | None:
    """Start the web process's job thread once, unless configured off (or testing)."""
    if not app.config.get("RUN_JOBS_IN_PROCESS") or app.config.get("TESTING"):
        return None
    state = app.extensions.setdefault("danwei_jobs", {})
    if state.get("thread") is not None and state["thread"].is_alive():
        return state["thread"]  # the usual case: every request after the first
    with _thread_lock:
        thread = state.get("thread")
        if thread is None or not thread.is_alive():
            state["stop"] = threading.Event()
            thread = threading.Thread(target=work, args=(app,), name="danwei-jobs", daemon=True,
                                      kwargs={"stop": state["stop"]})
            state["thread"] = thread
            thread.start()
    return thread


def stop_in_process(app: Flask, timeout: float = 10) -> None:
    """Stop the web process's job thread (tests, and a clean shutdown)."""
    state = app.extensions.get("danwei_jobs", {})
    if "stop" in state:
        state["stop"].set()
        WAKE.set()
        state["thread"].join(timeout)
