"""The run table: one row per ``(job, slot)``, unique, so that a slot is *claimed* by
inserting its row and however many runners start at once each slot runs exactly once.

A failed slot may be claimed again a few minutes later (``Job.retries`` times), and a slot
whose runner died (still running after ``Job.timeout_minutes``) may be taken over.
"""

from __future__ import annotations

import os
import socket
import threading
from datetime import datetime, timedelta

from sqlalchemy import UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import utcnow
from .registry import Runnable

RUNNING, OK, FAILED = "running", "ok", "failed"
#: A failed slot is tried again after this many minutes, up to ``Job.retries`` times.
RETRY_MINUTES = 5
#: Successful runs older than this are pruned by the ``core.prune_job_runs`` job. It must
#: exceed the longest schedule period (a month), or an old slot could look never run.
KEEP_RUNS_DAYS = 100


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
