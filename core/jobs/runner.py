"""Running what is due: claim each due slot (:func:`~.runs.claim`), call the job in its own
transaction, record the outcome. A job that raises is recorded, shown to administrators as its
plugin's error, and retried later; the other jobs go on.
"""

from __future__ import annotations

import inspect
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from ..extensions import db
from ..models import utcnow
from ..plugins import plugin_host
from .registry import Runnable, registered
from .runs import FAILED, OK, JobRun, claim
from .schedules import Deadline, to_local, to_utc

log = logging.getLogger("danwei.jobs")

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
    from ..plugins import PluginError

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
