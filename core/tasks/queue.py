"""The task queue: Huey, with the storage the configuration names (``TASKS_BACKEND``).

Why Huey: it is the established queue that has both a SQLite storage — so ``make run`` needs
no server, and the embedded default runs tasks in a thread of the web process — and a Redis
storage for several machines, with the same task code; it is small (one pure-Python package,
no broker to operate) and long maintained. RQ needs Redis even for one machine; Dramatiq needs
Redis or RabbitMQ; Celery has no supported SQLite broker and brings far more than a queue of
"run row 42" messages. What Huey carries is only a run id: the ``task_runs`` row is the truth.

* ``sqlite`` (default): ``instance/tasks.sqlite``, shared by the processes of one machine;
* ``redis``: ``REDIS_URL``, for app servers and workers on several machines;
* ``immediate``: run in the enqueuing process at once (tests, scripts).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from flask import Flask, current_app
from huey import RedisHuey, SqliteHuey

from ..config import ConfigError

log = logging.getLogger("danwei.tasks")
TASK_NAME = "danwei.run_task"
_STARTING = threading.Lock()


def huey_of(app: Flask | None = None):
    """The app's Huey, built once from its configuration."""
    app = app or current_app._get_current_object()
    state = app.extensions.setdefault("danwei_tasks", {})
    if "huey" not in state:
        state["huey"] = _build(app)
    return state["huey"]


def _build(app: Flask):
    backend = app.config["TASKS_BACKEND"]
    if backend == "redis":
        if not app.config.get("REDIS_URL"):
            raise ConfigError("TASKS_BACKEND is redis but REDIS_URL is not set.")
        huey = RedisHuey(app.config["TASKS_QUEUE_NAME"], url=app.config["REDIS_URL"],
                         results=False)
    elif backend in ("sqlite", "immediate"):
        huey = SqliteHuey("danwei", filename=str(Path(app.instance_path) / "tasks.sqlite"),
                          results=False, immediate=backend == "immediate")
    else:
        raise ConfigError(f"TASKS_BACKEND is {backend!r}: use sqlite, redis or immediate.")

    @huey.task(name=TASK_NAME)
    def run_task(run_id: int) -> None:
        from . import execute

        with app.app_context():
            execute(run_id)

    huey.danwei_run_task = run_task
    return huey


def enqueue(run_id: int) -> None:
    huey_of().danwei_run_task(run_id)


def work(app: Flask, workers: int = 1) -> None:
    """Run Huey's consumer (``danwei tasks worker``), and beside it a thread that retries or
    fails the runs another worker left when it died (every third of ``TASK_STALE_SECONDS``)."""
    threading.Thread(target=_recover_loop, args=(app,), daemon=True,
                     name="danwei-task-recovery").start()
    consumer = huey_of(app).create_consumer(workers=workers, worker_type="thread",
                                            check_worker_health=True)
    consumer.run()


def _recover_loop(app: Flask) -> None:
    from . import recover

    pause = max(1.0, app.config["TASK_STALE_SECONDS"] / 3)
    while True:
        try:
            with app.app_context():
                recovered = recover()
            if recovered:
                log.info("recovered %s interrupted task runs", recovered)
        except Exception:  # noqa: BLE001 - try again next round (database restarting...)
            log.exception("task recovery")
        time.sleep(pause)


def start_in_process(app: Flask) -> None:
    """The embedded default: one thread of the web process takes tasks from the SQLite queue.

    Started by the first request when ``RUN_TASKS_IN_PROCESS`` (like the jobs thread).
    """
    state = app.extensions.setdefault("danwei_tasks", {})
    if (not app.config["RUN_TASKS_IN_PROCESS"] or app.config["TASKS_BACKEND"] == "immediate"
            or state.get("thread")):
        return
    with _STARTING:
        if state.get("thread"):
            return
        thread = threading.Thread(target=_loop, args=(app,), daemon=True, name="danwei-tasks")
        state["thread"] = thread
    thread.start()


def _loop(app: Flask) -> None:
    from . import recover

    huey = huey_of(app)
    last_recover = 0.0
    while True:
        try:
            if time.monotonic() - last_recover > 60:
                with app.app_context():
                    recover()
                last_recover = time.monotonic()
            task = huey.dequeue()
            if task is None:
                time.sleep(1)
                continue
            huey.execute(task)
        except Exception:  # noqa: BLE001 - the thread must outlive one bad message
            log.exception("task thread")
            time.sleep(5)
