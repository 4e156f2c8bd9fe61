"""The loop that runs due jobs: ``danwei jobs worker`` in its own process, or a daemon thread
of the web process (the embedded default, ``RUN_JOBS_IN_PROCESS``), started by the first
request. A commit that queued notification deliveries wakes the loop at once.
"""

from __future__ import annotations

import logging
import threading
from time import monotonic

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from .runner import run_due

log = logging.getLogger("danwei.jobs")

#: Seconds between two looks at the schedule in ``danwei jobs worker`` and the web thread.
WORKER_INTERVAL = 30


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
    from ..notifications import deliver_pending

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
