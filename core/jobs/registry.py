"""What the runner runs: every job, and each half (reminder, due) of every deadline, of the
loaded plugins, as :class:`Runnable` objects that know which of their slots are due now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

from ..plugins import plugin_host
from .schedules import Deadline, Job, slot_key, to_utc


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
