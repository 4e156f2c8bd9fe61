"""Background tasks: declared by a plugin, started from a view, watched on a progress page
that survives a reload, their result for the user who asked only, and never left "running"
when their worker dies."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

PLUGIN = '''
import time
from flask import Blueprint, redirect
from core.api import (Permission, RoleSpec, Task, current_unit, hookimpl, permission_required,
                      progress_url, start_task)

bp = Blueprint("{name}", __name__)


def count(task):
    total = task.params["rows"]
    with open(task.result_file("counted.csv"), "w", encoding="utf-8") as out:
        for i in range(1, total + 1):
            out.write(f"{{i}},{{task.user.username}}\\n")
            time.sleep(task.params.get("pause", 0))
            task.progress(i, total)
    return f"{{total}} rows counted"


def broken(task):
    raise RuntimeError("the abacus broke")


@bp.route("/count/<int:rows>", methods=["POST"])
@permission_required("{name}.count")
def start(rows):
    run = start_task("{name}.count", {{"rows": rows}}, unit=current_unit())
    return redirect(progress_url(run))


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_permissions():
    return [Permission("{name}.count", "Count")]


@hookimpl
def register_roles():
    return [RoleSpec("{name}.counter", "Counter", ("{name}.count",))]


@hookimpl
def register_tasks():
    return [Task("{name}.count", count, "Count rows", retries={retries}),
            Task("{name}.broken", broken, "Broken"), "not a task"]
'''


def _plugin_app(make_plugin, make_app, name, retries=1, **config):
    make_plugin(name, PLUGIN.format(name=name, retries=retries))
    return make_app(**config)


def _enable(name, unit):
    from core import units
    from core.extensions import db

    units.set_plugin_state(name, unit, True)
    db.session.commit()


def test_hook_register_tasks(make_plugin, make_app, create_unit, create_user, login):
    from core.api import set_setting, start_task
    from core.extensions import db
    from core.tasks import DONE, FAILED, TaskRun, prune_results, registered

    app = _plugin_app(make_plugin, make_app, "tk_plug1")
    with app.app_context():
        assert {"tk_plug1.count", "tk_plug1.broken", "core.export_report"} <= set(registered())
        school = create_unit("tk-s", "School")
        other_school = create_unit("tk-o", "Other")
        _enable("tk_plug1", school)
        owner = create_user("tk-owner", unit=school, roles=(("tk_plug1.counter", school),))
        stranger = create_user("tk-stranger", unit=school,
                               roles=(("tk_plug1.counter", school),))
        client, other = app.test_client(), app.test_client()
        login(owner, using=client)
        login(stranger, using=other)

        started = client.post("/tk_plug1/count/30")
        assert started.status_code == 302 and "/tasks/" in started.location
        page = client.get(started.location)  # a reload shows the same run
        assert page.status_code == 200
        assert 'data-status="done"' in page.text and "100%" in page.text
        assert "30 / 30" in page.text and "30 rows counted" in page.text
        run = db.session.scalars(select(TaskRun)).one()
        with client.get(f"/tasks/{run.id}/result") as result:
            assert result.status_code == 200 and result.data.startswith(b"1,tk-owner\n")
            assert "counted.csv" in result.headers["Content-Disposition"]
        # only the user who asked sees the run and its result
        assert other.get(started.location).status_code == 404
        assert other.get(f"/tasks/{run.id}/result").status_code == 404
        assert "Count rows" in client.get("/tasks/").text

        # kept for the setting's number of days, then removed by the job
        set_setting("core", "task_result_days", 3)
        db.session.commit()
        assert run.expires_at - run.finished_at > timedelta(days=6)  # the default, 7
        assert prune_results() == 0
        run.expires_at = run.finished_at - timedelta(seconds=1)
        db.session.commit()
        assert prune_results() == 1
        assert client.get(f"/tasks/{run.id}/result").status_code == 404
        assert "removed after its keeping time" in client.get(started.location).text

        # a failure is recorded with its reason; a disabled plugin's task is refused
        failed = start_task("tk_plug1.broken", user=owner, unit=school)
        db.session.refresh(failed)
        assert failed.status == FAILED and "the abacus broke" in failed.error
        assert "the abacus broke" in client.get(f"/tasks/{failed.id}").text
        with pytest.raises(PermissionError):
            start_task("tk_plug1.count", {"rows": 1}, user=owner, unit=other_school)
        assert db.session.get(TaskRun, run.id).status == DONE


def test_cancel_a_queued_and_a_running_task(make_plugin, make_app, create_unit, create_user,
                                            login, tmp_path):
    from core.api import start_task
    from core.extensions import db
    from core.tasks import CANCELLED, RUNNING, Cancelled, TaskContext, TaskRun

    app = _plugin_app(make_plugin, make_app, "tk_plug2", TASKS_BACKEND="sqlite")
    with app.app_context():
        school = create_unit("tk-c", "School")
        _enable("tk_plug2", school)
        owner = create_user("tk-c-owner", unit=school, roles=(("tk_plug2.counter", school),))
        client = app.test_client()
        login(owner, using=client)
        queued = start_task("tk_plug2.count", {"rows": 5}, user=owner, unit=school)
        page = client.get(f"/tasks/{queued.id}")
        assert 'data-status="queued"' in page.text and 'http-equiv="refresh"' in page.text
        assert client.post(f"/tasks/{queued.id}/cancel").status_code == 302
        db.session.refresh(queued)
        assert queued.status == CANCELLED

        running = TaskRun(task_id="tk_plug2.count", user_id=owner.id, status=RUNNING)
        db.session.add(running)
        db.session.commit()
        client.post(f"/tasks/{running.id}/cancel")
        with pytest.raises(Cancelled):
            TaskContext(running, tmp_path).progress(1, 5)


def _worker(app, site: Path, log: Path) -> subprocess.Popen:
    """``danwei tasks worker`` in its own process, configured like *app*."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), *sys.path]),
               DANWEI_INSTANCE_PATH=app.instance_path, DANWEI_SECRET_KEY="test",
               DANWEI_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               DANWEI_UPLOAD_DIR=app.config["UPLOAD_DIR"], DANWEI_TASKS_BACKEND="sqlite",
               DANWEI_TASK_HEARTBEAT_SECONDS="1", DANWEI_TASK_STALE_SECONDS="3",
               DANWEI_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000", DANWEI_LOG_JSON="true")
    danwei = Path(sys.executable).with_name("danwei")
    with log.open("ab") as out:
        return subprocess.Popen([str(danwei), "tasks", "worker", "--workers", "1"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)


def _wait(check, seconds=60, what="condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("retries", [1, 0])
def test_a_task_whose_worker_is_killed_is_retried_or_failed_never_left_running(
        make_plugin, make_app, create_unit, create_user, tmp_path, retries):
    from core.api import start_task
    from core.extensions import db
    from core.tasks import DONE, FAILED, RUNNING, TaskRun

    name = f"tk_crash{retries}"
    app = _plugin_app(make_plugin, make_app, name, retries=retries, TASKS_BACKEND="sqlite",
                      TASK_HEARTBEAT_SECONDS=1, TASK_STALE_SECONDS=3)
    log = tmp_path / "worker.log"
    with app.app_context():
        school = create_unit(f"tk-k{retries}", "School")
        _enable(name, school)
        owner = create_user(f"tk-k{retries}-owner", unit=school)
        run = start_task(f"{name}.count", {"rows": 400, "pause": 0.02}, user=owner, unit=school)

        def state():
            db.session.expire_all()
            return db.session.get(TaskRun, run.id)

        first = _worker(app, tmp_path / "site", log)
        try:
            _wait(lambda: state().status == RUNNING and state().done >= 50, what="progress")
            first.send_signal(signal.SIGKILL)  # a crash: no clean-up of any kind
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        killed_at = state()
        assert killed_at.status == RUNNING and killed_at.done < 400

        second = _worker(app, tmp_path / "site", log)
        try:
            wanted = DONE if retries else FAILED
            _wait(lambda: state().status == wanted, what=wanted + "\n" + log.read_text())
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(20)
            except subprocess.TimeoutExpired:
                second.kill()
        final = state()
        if retries:
            assert final.attempts == 2 and final.done == 400 and final.result_available
        else:
            assert final.attempts == 1 and "worker stopped" in final.error
            assert not final.result_available
