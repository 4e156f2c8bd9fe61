"""Periodic jobs and deadlines, run by ``danwei jobs run`` (cron), ``danwei jobs worker``, or a
thread of the web process (the embedded default, ``RUN_JOBS_IN_PROCESS``).

- :mod:`.schedules`: what a plugin declares (:class:`Job`, :class:`Deadline`, schedules);
- :mod:`.registry`: the jobs and deadline halves of the loaded plugins, and their due slots;
- :mod:`.runs`: the ``job_runs`` table, where a unique ``(job, slot)`` row claims a slot;
- :mod:`.runner`: run each due slot once, record its outcome;
- :mod:`.worker`: the loop, in its own process or as a thread of the web process.
"""

from .registry import Runnable, deadline, deadlines, registered
from .runner import Outcome, run_due, run_one
from .runs import (
    FAILED,
    KEEP_RUNS_DAYS,
    OK,
    RETRY_MINUTES,
    RUNNING,
    JobRun,
    claim,
    last_runs,
    prune_runs,
    runner_name,
)
from .schedules import (
    Deadline,
    Job,
    Schedule,
    daily,
    every,
    monthly,
    slot_key,
    to_local,
    to_utc,
    weekly,
)
from .worker import WAKE, WORKER_INTERVAL, start_in_process, stop_in_process, work

__all__ = [
    "FAILED",
    "KEEP_RUNS_DAYS",
    "OK",
    "RETRY_MINUTES",
    "RUNNING",
    "WAKE",
    "WORKER_INTERVAL",
    "Deadline",
    "Job",
    "JobRun",
    "Outcome",
    "Runnable",
    "Schedule",
    "claim",
    "daily",
    "deadline",
    "deadlines",
    "every",
    "last_runs",
    "monthly",
    "prune_runs",
    "registered",
    "run_due",
    "run_one",
    "runner_name",
    "slot_key",
    "start_in_process",
    "stop_in_process",
    "to_local",
    "to_utc",
    "weekly",
    "work",
]
