"""Background tasks: long work (big exports, bulk imports, checks over many rows) leaves the
request and runs on a worker, with progress the user watches, cancels and comes back to.

The queue is Huey's (:mod:`core.tasks.queue`): a SQLite file for the embedded default, Redis
with several machines. Huey only carries "run task row 42"; the row (:class:`TaskRun`) is the
truth the pages show — status, rows done of how many, the result file and who may fetch it.

A plugin declares a task with ``register_tasks`` returning :class:`Task` objects, and starts one
from a view with :func:`start_task`, then redirects to :func:`progress_url`. The task's
function receives a :class:`TaskContext`: it reports progress, checks for a cancel, writes its
result file. A worker that dies mid-task leaves a row whose heartbeat stops; :func:`recover`
retries it (``Task.retries`` times) or marks it failed with the reason — never "running" forever.
"""

from __future__ import annotations

import json
import logging
import secrets
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app, url_for
from sqlalchemy import select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import Unit, User, utcnow
from ..plugins import CORE, plugin_host

log = logging.getLogger("danwei.tasks")

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)


@dataclass(frozen=True)
class Task:
    """A kind of background work a plugin offers, returned from ``register_tasks``."""

    #: ``<plugin>.<name>``, e.g. ``pension_audit.check_payments``.
    id: str
    #: ``run(task: TaskContext) -> str | None``; the string is a summary shown when done.
    run: Callable
    #: What the progress page calls it; wrap it in ``lazy_gettext``.
    label: str = ""
    #: How many times a run interrupted by a worker crash is started again.
    retries: int = 1


class Cancelled(Exception):
    """Raised inside a task by :meth:`TaskContext.progress` once the user cancelled it."""


class TaskRun(db.Model):
    """One run of a task, for one user: the state the progress page shows."""

    __tablename__ = "task_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(db.String(128), index=True)
    user_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(db.ForeignKey("units.id"))
    params_json: Mapped[str] = mapped_column(db.Text, default="{}")
    status: Mapped[str] = mapped_column(db.String(16), default=QUEUED, index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    message: Mapped[str] = mapped_column(db.String(500), default="")
    error: Mapped[str] = mapped_column(db.Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    #: host:pid of the worker running it, for the administrator.
    worker: Mapped[str] = mapped_column(db.String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: Storage key of the result file (:mod:`core.storage`); None when none or removed.
    result_key: Mapped[str | None] = mapped_column(db.String(200))
    result_name: Mapped[str] = mapped_column(db.String(200), default="")
    result_size: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime | None]

    user: Mapped[User] = db.relationship()
    unit: Mapped[Unit | None] = db.relationship()

    @property
    def params(self) -> dict:
        return json.loads(self.params_json)

    @property
    def percent(self) -> int | None:
        if self.status == DONE:
            return 100
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))

    @property
    def seconds_left(self) -> int | None:
        """Estimated from the rate so far; None until there is a rate to go by."""
        if self.status != RUNNING or not self.total or not self.done or not self.started_at:
            return None
        spent = (utcnow() - self.started_at).total_seconds()
        return int(spent / self.done * max(0, self.total - self.done))

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def result_available(self) -> bool:
        return self.status == DONE and self.result_key is not None and (
            self.expires_at is None or self.expires_at > utcnow())


# -- the registry -------------------------------------------------------------------------------


def registered(app=None) -> dict[str, tuple[str, Task]]:
    """``{task id: (plugin, Task)}`` of core and the loaded plugins (collected once per app)."""
    app = app or current_app
    state = app.extensions.setdefault("danwei_tasks", {})
    if "registry" not in state:
        host = plugin_host(app)
        found: dict[str, tuple[str, Task]] = {}
        for plugin, item in host.collect("register_tasks"):
            if not isinstance(item, Task):
                host.fail(plugin, "register_tasks", f"returned {item!r}, not a Task")
            elif not item.id.startswith(f"{plugin}."):
                host.fail(plugin, "register_tasks", f"task {item.id!r} must be named {plugin}.*")
            elif item.id in found:
                host.fail(plugin, "register_tasks", f"{item.id} is declared twice")
            else:
                found[item.id] = (plugin, item)
        state["registry"] = found
    return state["registry"]


# -- starting and watching ----------------------------------------------------------------------


def start_task(task_id: str, params: dict | None = None, user: User | None = None,
               unit: Unit | None = None) -> TaskRun:
    """Queue a run of *task_id* for *user* (default: the current user); commits.

    :raise KeyError: no such task is declared
    :raise PermissionError: the task's plugin is not enabled in *unit*
    """
    from flask_login import current_user

    from ..access import is_enabled
    from . import queue

    plugin, _task = registered()[task_id]
    if plugin != CORE and unit is not None and not is_enabled(plugin, unit):
        raise PermissionError(f"{plugin} is not enabled in {unit.code}")
    user = user if user is not None else current_user._get_current_object()
    run = TaskRun(task_id=task_id, user_id=user.id, unit_id=unit.id if unit else None,
                  params_json=json.dumps(params or {}, ensure_ascii=False, default=str))
    db.session.add(run)
    db.session.commit()  # the worker must find the row
    queue.enqueue(run.id)
    return run


def progress_url(run: TaskRun) -> str:
    """The progress page of *run*: where a view that started it redirects the user."""
    return url_for("tasks.progress", run_id=run.id)


def cancel(run: TaskRun) -> None:
    """Ask a run to stop: a queued one stops now, a running one at its next progress report."""
    if run.status == QUEUED:
        run.status, run.finished_at = CANCELLED, utcnow()
    elif run.status == RUNNING:
        run.cancel_requested = True


# -- running (in the worker) --------------------------------------------------------------------


class TaskContext:
    """What a task's function gets: its parameters, and ways to report and to finish."""

    def __init__(self, run: TaskRun, scratch: Path):
        self.run_id = run.id
        self.params: dict = run.params
        self.user: User = run.user
        self.unit: Unit | None = run.unit
        self._scratch = scratch
        self._result: tuple[Path, str] | None = None
        self._last_report = 0.0

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        """Record how far the task is (at most a few times a second; cheap to call per row).

        :raise Cancelled: the user cancelled the run; let it propagate.
        """
        now = time.monotonic()
        if now - self._last_report < 0.5 and (total is None or done < total):
            return
        self._last_report = now
        values = {"done": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["total"] = total
        if message:
            values["message"] = message[:500]
        with db.engine.begin() as connection:  # outside the task's own transaction
            connection.execute(update(TaskRun).where(TaskRun.id == self.run_id).values(values))
            wanted = connection.scalar(
                select(TaskRun.cancel_requested).where(TaskRun.id == self.run_id))
        if wanted:
            raise Cancelled()

    def result_file(self, filename: str) -> Path:
        """A path to write the result to; *filename* is what the user's download is called."""
        path = self._scratch / f"result{Path(filename).suffix}"
        self._result = (path, filename)
        return path


def execute(run_id: int) -> None:
    """Run task row *run_id* (called by the Huey worker inside an app context)."""
    run = db.session.get(TaskRun, run_id)
    if run is None or run.status != QUEUED:
        return  # cancelled while queued, or already taken by another worker after a retry
    from ..jobs import runner_name

    claimed = db.session.execute(
        update(TaskRun).where(TaskRun.id == run_id, TaskRun.status == QUEUED).values(
            status=RUNNING, attempts=TaskRun.attempts + 1, started_at=utcnow(),
            heartbeat_at=utcnow(), worker=runner_name()[:128]))
    db.session.commit()
    if claimed.rowcount != 1:
        return
    plugin, task = registered()[run.task_id]
    db.session.refresh(run)
    beat = _Heartbeat(current_app._get_current_object(), run_id)
    beat.start()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            context = TaskContext(run, Path(scratch))
            try:
                summary = task.run(context)
            except Cancelled:
                db.session.rollback()
                _finish(run_id, CANCELLED)
                return
            except Exception as exc:  # noqa: BLE001 - recorded on the row the user watches
                db.session.rollback()
                log.exception("task %s (run %s) failed", run.task_id, run_id)
                _finish(run_id, FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
                plugin_host().fail(plugin, f"task {run.task_id}", exc)
                return
            db.session.commit()
            _finish(run_id, DONE, summary=summary or "", result=context._result)
    finally:
        beat.stop()


def _finish(run_id: int, status: str, error: str = "", summary: str = "",
            result: tuple[Path, str] | None = None) -> None:
    from .. import storage
    from ..settings import get_setting

    run = db.session.get(TaskRun, run_id)
    run.status, run.finished_at, run.error = status, utcnow(), error
    if summary:
        run.message = str(summary)[:500]
    if status == DONE and run.total is not None:
        run.done = max(run.done, run.total)
    if result is not None and result[0].is_file():
        path, filename = result
        key = f"tasks/{run_id}/{secrets.token_hex(8)}{path.suffix}"
        storage.backend().import_file(key, path)
        run.result_key, run.result_name, run.result_size = key, filename, path.stat().st_size
        run.expires_at = utcnow() + timedelta(days=get_setting(CORE, "task_result_days"))
    db.session.commit()


class _Heartbeat(threading.Thread):
    """Marks the run alive every ``TASK_HEARTBEAT_SECONDS`` while the task's code works, even
    through a long step that reports no progress (one slow query, a password hash)."""

    def __init__(self, app, run_id: int):
        super().__init__(daemon=True, name=f"heartbeat-{run_id}")
        self.app, self.run_id, self.stopped = app, run_id, threading.Event()

    def run(self) -> None:
        every = self.app.config["TASK_HEARTBEAT_SECONDS"]
        with self.app.app_context():
            while not self.stopped.wait(every):
                try:
                    with db.engine.begin() as connection:
                        connection.execute(update(TaskRun).where(
                            TaskRun.id == self.run_id, TaskRun.status == RUNNING
                        ).values(heartbeat_at=utcnow()))
                except Exception:  # noqa: BLE001 - a busy database: beat again next time
                    log.warning("heartbeat of task run %s missed", self.run_id, exc_info=True)

    def stop(self) -> None:
        self.stopped.set()


# -- crashes and clean-up -----------------------------------------------------------------------


def recover() -> int:
    """Retry or fail the runs whose worker stopped beating; returns how many were handled.

    Called by every worker when it starts and between tasks, and by the progress page.
    """
    from . import queue

    stale = utcnow() - timedelta(seconds=current_app.config["TASK_STALE_SECONDS"])
    runs = db.session.scalars(select(TaskRun).where(
        TaskRun.status == RUNNING, TaskRun.heartbeat_at < stale)).all()
    retry = []
    for run in runs:
        entry = registered().get(run.task_id)
        allowed = 1 + (entry[1].retries if entry else 0)
        # Claim it with the status we saw, so two workers recovering at once act only once.
        if run.attempts < allowed and not run.cancel_requested:
            values = {"status": QUEUED}  # the page shows the attempt number
            retry.append(run.id)
        else:
            values = {"status": FAILED, "finished_at": utcnow(),
                      "error": f"the worker stopped during attempt {run.attempts} "
                               f"(crash or restart) and no retry is left"}
        db.session.execute(update(TaskRun).where(
            TaskRun.id == run.id, TaskRun.status == RUNNING,
            TaskRun.heartbeat_at == run.heartbeat_at).values(values))
    db.session.commit()
    for run_id in retry:
        queue.enqueue(run_id)
    return len(runs)


def prune_results(scheduled_for=None) -> int:
    """Remove result files past their keeping time (the ``core.prune_task_results`` job)."""
    from .. import storage

    expired = db.session.scalars(select(TaskRun).where(
        TaskRun.result_key.is_not(None), TaskRun.expires_at <= utcnow())).all()
    backend = storage.backend()
    for run in expired:
        backend.delete(run.result_key)
        run.result_key = None
    db.session.commit()
    return len(expired)
