"""Periodic jobs and deadlines: declared by plugins, run once per slot by `danwei jobs run`,
however many runners start at once, with failures recorded and the other jobs unharmed."""

import sys
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

BEIJING = ZoneInfo("Asia/Shanghai")

JOBS_PLUGIN = '''
import time
from core.api import Job, daily, db, every, hookimpl, monthly

RUNS = []
SLEEP = 0


def tick(slot):
    time.sleep(SLEEP)
    RUNS.append(("tick", slot))


def broken():
    raise RuntimeError("the printer is on fire")


def report(job, scheduled_for):
    RUNS.append(("report", job.id, scheduled_for))


@hookimpl
def register_jobs():
    return [
        Job("{name}.tick", tick, every(5), "Every five minutes"),
        Job("{name}.broken", broken, daily("08:00")),
        Job("{name}.report", report, monthly(31, "06:00")),
    ]
'''

DEADLINE_PLUGIN = '''
from core.api import Deadline, hookimpl, monthly

EVENTS = []


def overdue(deadline, due_at, slot):
    EVENTS.append(("due", deadline.id, due_at, slot))


def remind(due_at):
    EVENTS.append(("remind", due_at))


@hookimpl
def register_deadlines():
    return [
        Deadline("{name}.plans", "Monthly plans", monthly(15, "17:00"), on_due=overdue,
                 on_remind=remind, remind_before=2),
    ]
'''


def utc(*args) -> datetime:
    """A Beijing wall time as naive UTC, the way Danwei stores times."""
    return datetime(*args, tzinfo=BEIJING).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@pytest.fixture
def plugin_app(make_plugin, make_app):
    def build(name, source=JOBS_PLUGIN):
        make_plugin(name, source.format(name=name))
        app = make_app()
        return app, sys.modules[f"danwei_{name}"]

    return build


def test_hook_register_jobs(plugin_app):
    from core import jobs
    from core.cli import main

    app, module = plugin_app("jb_plug1")
    with app.app_context():
        runner = app.test_cli_runner()
        listing = runner.invoke(main, ["jobs", "list"])
        assert "jb_plug1.tick" in listing.output and "every 5 minutes" in listing.output
        assert "monthly on day 31 at 06:00" in listing.output

        now = utc(2026, 4, 30, 9, 7)
        outcomes = {o.job_id: o for o in jobs.run_due(now=now)}
        # Every five minutes from midnight: the 09:05 slot is due; "day 31" in April is the 30th.
        assert sorted(module.RUNS) == [("report", "jb_plug1.report", utc(2026, 4, 30, 6)),
                                       ("tick", "2026-04-30T09:05")]
        # The broken job is recorded; the others still ran.
        assert outcomes["jb_plug1.broken"].status == "failed"
        assert "the printer is on fire" in outcomes["jb_plug1.broken"].error
        assert outcomes["jb_plug1.tick"].status == "ok"

        # Running again in the same slot does nothing; a failed slot waits before its retry.
        again = {o.job_id: o.status for o in jobs.run_due(now=now)}
        assert again["jb_plug1.tick"] == "skipped" and again["jb_plug1.broken"] == "skipped"
        assert len(module.RUNS) == 2
        later = {o.job_id: o.status for o in jobs.run_due(now=utc(2026, 4, 30, 9, 13))}
        assert later["jb_plug1.tick"] == "ok"  # the 09:10 slot
        assert later["jb_plug1.broken"] == "failed"  # retried after five minutes
        run = jobs.last_runs()["jb_plug1.broken"]
        assert run.attempts == 2 and "printer" in run.error

        listing = runner.invoke(main, ["jobs", "list"])
        assert "failed" in listing.output
        result = runner.invoke(main, ["jobs", "run"])
        assert result.exit_code in (0, 1)
        forced = runner.invoke(main, ["jobs", "run", "--job", "jb_plug1.tick", "--force"])
        assert forced.exit_code == 0 and "ok      jb_plug1.tick manual:" in forced.output
        failing = runner.invoke(main, ["jobs", "run", "--job", "jb_plug1.broken", "--force"])
        assert failing.exit_code == 1
        unknown = runner.invoke(main, ["jobs", "run", "--job", "nope.nothing"])
        assert unknown.exit_code == 2


def test_a_job_named_outside_its_plugin_is_refused(make_plugin, make_app):
    from core import jobs

    make_plugin("jb_plug2", '''
from core.api import Job, every, hookimpl

@hookimpl
def register_jobs():
    return [Job("core.sneaky", print, every(1)), Job("jb_plug2.fine", print, every(1))]
''')
    app = make_app()
    with app.app_context():
        registered = jobs.registered()
        assert "jb_plug2.fine" in registered and "core.sneaky" not in registered
        host = app.extensions["danwei"]
        assert any("must be named jb_plug2.*" in e.message for e in host.errors_of("jb_plug2"))


def test_two_runners_at_once_run_each_slot_once(plugin_app):
    """Two runners (threads with their own connections) race for the same slots."""
    from core import jobs
    from core.extensions import db

    app, module = plugin_app("jb_race1")
    module.SLEEP = 0.3
    now = utc(2026, 6, 1, 10, 2)
    barrier = threading.Barrier(2)
    results = []

    def runner():
        with app.app_context():
            barrier.wait()
            results.append(jobs.run_due(now=now, only="jb_race1.tick"))
            db.session.remove()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    statuses = sorted(o.status for outcomes in results for o in outcomes)
    assert statuses == ["ok", "skipped"]
    assert module.RUNS == [("tick", "2026-06-01T10:00")]
    with app.app_context():
        rows = db.session.scalars(db.select(jobs.JobRun).where(
            jobs.JobRun.job_id == "jb_race1.tick")).all()
        assert [(r.slot, r.status) for r in rows] == [("2026-06-01T10:00", "ok")]


def test_hook_register_deadlines(plugin_app):
    """Plans due on the 15th: in February 2026 that is a Sunday inside the Spring Festival."""
    from core import workdays
    from core.api import db, get_deadline, set_setting
    from core.jobs import run_due

    app, module = plugin_app("jb_dl1", DEADLINE_PLUGIN)
    with app.app_context():
        workdays.import_builtin(2026)
        db.session.commit()
        deadline = get_deadline("jb_dl1.plans")
        # Sunday 15 February → the next working day, Tuesday 24 February (23rd is a holiday).
        assert deadline.next_due(utc(2026, 2, 1)) == utc(2026, 2, 24, 17)

        # The first run settles the latest period that is past due (January's), once.
        run_due(now=utc(2026, 2, 12, 9))
        assert module.EVENTS == [("due", "jb_dl1.plans", utc(2026, 1, 15, 17),
                                  "2026-01-15T17:00")]
        module.EVENTS.clear()
        # Two working days before the 24th: Saturday 14th (调休) and Friday 13th.
        run_due(now=utc(2026, 2, 13, 9))
        assert module.EVENTS == [("remind", utc(2026, 2, 24, 17))]
        run_due(now=utc(2026, 2, 16, 10))
        run_due(now=utc(2026, 2, 24, 16, 59))
        assert len(module.EVENTS) == 1  # not due yet: the shift holds it back
        run_due(now=utc(2026, 2, 24, 17, 1))
        run_due(now=utc(2026, 2, 25, 9))
        assert module.EVENTS[1:] == [("due", "jb_dl1.plans", utc(2026, 2, 24, 17),
                                      "2026-02-15T17:00")]

        # Administrators may keep deadlines on the calendar date instead.
        set_setting("core", "deadline_shift", False)
        db.session.commit()
        assert deadline.next_due(utc(2026, 2, 1)) == utc(2026, 2, 15, 17)
        assert deadline.next_due(utc(2026, 3, 15, 17, 30)) == utc(2026, 4, 15, 17)


def test_schedules():
    from core.jobs import daily, every, monthly, weekly

    now = datetime(2026, 3, 10, 7, 59)  # a Tuesday, local time
    assert every(15).latest(now) == datetime(2026, 3, 10, 7, 45)
    assert daily("08:00").latest(now) == datetime(2026, 3, 9, 8)
    assert daily("08:00").following(now) == datetime(2026, 3, 10, 8)
    assert weekly(0, "09:00").latest(now) == datetime(2026, 3, 9, 9)
    assert weekly(1, "09:00").latest(now) == datetime(2026, 3, 3, 9)
    assert monthly(15).latest(now) == datetime(2026, 2, 15)
    assert monthly(31).following(datetime(2026, 1, 31)) == datetime(2026, 2, 28)
    assert monthly(1, "06:30").latest(datetime(2026, 1, 1, 6)) == datetime(2025, 12, 1, 6, 30)
    assert str(monthly(15, "23:59")) == "monthly on day 15 at 23:59"
    with pytest.raises(ValueError):
        daily("25:00")
    with pytest.raises(ValueError):
        every(0)


def test_the_web_process_runs_jobs_in_a_thread_only_when_configured(make_app):
    from core import jobs
    from core.extensions import db

    quiet = make_app()
    quiet.test_client().get("/login")
    assert "thread" not in quiet.extensions.get("danwei_jobs", {})  # never in tests

    app = make_app(TESTING=False, RUN_JOBS_IN_PROCESS=True)
    try:
        app.test_client().get("/login")  # the first request starts it
        thread = app.extensions["danwei_jobs"]["thread"]
        assert thread.is_alive()
        deadline = time.monotonic() + 15
        ran = []
        while time.monotonic() < deadline and not ran:
            with app.app_context():
                ran = db.session.scalars(db.select(jobs.JobRun.job_id)).all()
                db.session.remove()
            time.sleep(0.2)
        assert "core.deliver_notifications" in ran
    finally:
        jobs.stop_in_process(app)
    assert not app.extensions["danwei_jobs"]["thread"].is_alive()
