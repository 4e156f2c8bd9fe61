"""Two app servers (gunicorn, two workers each) on one PostgreSQL and one Redis, uploads in a
real S3-compatible server (moto's, started here), a task worker: what a county deploys.

Proves that a session made on one server works on the other, that the login rate limit is
counted across both, that a file uploaded through one downloads through the other, that a job
slot runs once across both, and that a task started on one is done by the worker and its
result served by the other. PostgreSQL only: SQLite is the one-process embedded default.
"""

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

pytestmark = pytest.mark.skipif(
    not os.environ.get("DANWEI_TEST_DATABASE_URL", "sqlite").startswith("postgresql"),
    reason="several app servers need PostgreSQL",
)

REDIS = "redis://127.0.0.1:6379/0"
BIN = Path(sys.executable).parent

PLUGIN = '''
import os, time
from flask import Blueprint, redirect, render_template_string, request
from core.api import (AttachmentKind, Job, Permission, RoleSpec, Task, Unit, current_unit,
                      db, every, hookimpl, permission_required, progress_url, save_attachment,
                      start_task)
from core.api import AttachmentRejected

bp = Blueprint("ts_two", __name__)


@bp.route("/token")
@permission_required("ts_two.use")
def token():
    return render_template_string("{{ csrf_token() }}")


@bp.route("/upload", methods=["POST"])
@permission_required("ts_two.use")
def upload():
    attachment = save_attachment(request.files["file"], "ts_two.doc", ("doc", 1), current_unit())
    db.session.commit()
    return str(attachment.id)


@bp.route("/count", methods=["POST"])
@permission_required("ts_two.use")
def count():
    run = start_task("ts_two.count", {"rows": 50}, unit=current_unit())
    return redirect(progress_url(run))


def counting(task):
    with open(task.result_file("count.txt"), "w") as out:
        for i in range(1, 51):
            out.write(f"{i} by {os.getpid()}\\n")
            task.progress(i, 50)
    return "counted"


def tick(scheduled_for):
    time.sleep(1)  # a slow job: the other servers' runners try the same slot meanwhile
    with open(os.environ["TS_TWO_JOB_LOG"], "a") as log:
        log.write(f"{scheduled_for.isoformat()} {os.getpid()}\\n")


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_permissions():
    return [Permission("ts_two.use", "Use")]


@hookimpl
def register_roles():
    return [RoleSpec("ts_two.user", "User", ("ts_two.use",))]


@hookimpl
def register_attachment_kinds():
    return [AttachmentKind("ts_two.doc", "Doc", types=("pdf",), permission="ts_two.use")]


@hookimpl
def register_tasks():
    return [Task("ts_two.count", counting, "Count")]


@hookimpl
def register_jobs():
    return [Job("ts_two.tick", tick, every(1), "Tick")]
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=10)
            return
        except requests.RequestException:  # not listening yet, or still loading the app
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


class Servers:
    """Starts processes and stops them all at the end, whatever happened."""

    def __init__(self, logs: Path):
        self.logs, self.processes = logs, []

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        with (self.logs / f"{name}.log").open("ab") as out:
            process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.logs.glob("*.log"))


def csrf(session: requests.Session, url: str) -> str:
    page = session.get(url).text
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page)
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1) if tag else page.strip()


def log_in(session: requests.Session, base: str, username: str, password: str, ip: str):
    session.headers["X-Forwarded-For"] = ip
    return session.post(f"{base}/login", allow_redirects=False, data={
        "username": username, "password": password, "csrf_token": csrf(session, f"{base}/login")})


@pytest.fixture
def county(make_plugin, make_app, create_unit, create_user, tmp_path):
    """The deployment: S3 server, two app servers, a worker; yields their addresses."""
    import boto3

    from core import units
    from core.extensions import db

    logs = tmp_path / "logs"
    logs.mkdir()
    servers = Servers(logs)
    s3_port, ports = free_port(), (free_port(), free_port())
    bucket, tag = f"danwei-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:8]
    s3 = {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
          "S3_BUCKET": bucket, "S3_ACCESS_KEY": "test", "S3_SECRET_KEY": "test"}
    queue = {"TASKS_BACKEND": "redis", "REDIS_URL": REDIS, "TASKS_QUEUE_NAME": f"ts-{tag}"}
    try:
        servers.start("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)],
                      dict(os.environ))
        wait_for(s3["S3_ENDPOINT_URL"])
        boto3.client("s3", endpoint_url=s3["S3_ENDPOINT_URL"], aws_access_key_id="test",
                     aws_secret_access_key="test", region_name="us-east-1"
                     ).create_bucket(Bucket=bucket)

        make_plugin("ts_two", PLUGIN)
        app = make_app(**s3, **queue)
        with app.app_context():
            unit = create_unit("ts-school", "School")
            units.set_plugin_state("ts_two", unit, True)
            db.session.commit()
            create_user("ts-teacher", unit=unit, roles=(("ts_two.user", unit),))

        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path / "site"), *sys.path]),
                   DANWEI_SECRET_KEY="one key for every server",
                   DANWEI_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                   DANWEI_RATELIMIT_STORAGE_URI=REDIS, DANWEI_RATELIMIT_KEY_PREFIX=f"ts-{tag}",
                   DANWEI_LOGIN_RATE_LIMIT="8 per minute", DANWEI_PROXY_COUNT="1",
                   DANWEI_RUN_JOBS_IN_PROCESS="true", DANWEI_RUN_TASKS_IN_PROCESS="false",
                   DANWEI_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
                   DANWEI_SESSION_COOKIE_SECURE="false", DANWEI_DEFAULT_LOCALE="en",
                   TS_TWO_JOB_LOG=str(tmp_path / "jobs.log"),
                   **{f"DANWEI_{k}": v for k, v in {**s3, **queue}.items()})
        bases = []
        for name, port in zip("ab", ports, strict=True):
            # each server its own instance and upload folders: only S3 and the database are shared
            own = dict(env, DANWEI_INSTANCE_PATH=str(tmp_path / f"instance-{name}"),
                       DANWEI_UPLOAD_DIR=str(tmp_path / f"uploads-{name}"))
            servers.start(f"app-{name}", [str(BIN / "gunicorn"), "-w", "2", "-b",
                                          f"127.0.0.1:{port}", "core:create_app()"], own)
            bases.append(f"http://127.0.0.1:{port}")
        servers.start("worker", [str(BIN / "danwei"), "tasks", "worker", "--workers", "1"],
                      dict(env, DANWEI_INSTANCE_PATH=str(tmp_path / "instance-w")))
        for base in bases:
            wait_for(f"{base}/healthz")
        yield app, bases, servers, tmp_path, s3
    finally:
        servers.stop()


def test_two_app_servers_share_sessions_limits_files_jobs_and_tasks(county):
    from core.extensions import db
    from core.jobs import JobRun
    from core.testing import TEST_PASSWORD

    app, (a, b), servers, tmp_path, s3 = county
    for base in (a, b):
        ready = requests.get(f"{base}/readyz").json()
        assert ready["status"] == "ok", ready

    # a session made on A works on B
    on_a = requests.Session()
    assert log_in(on_a, a, "ts-teacher", TEST_PASSWORD, "10.0.0.1").status_code == 302
    on_b = requests.Session()
    on_b.headers["X-Forwarded-For"] = "10.0.0.1"
    on_b.cookies.update(on_a.cookies)
    home = on_b.get(f"{b}/", allow_redirects=False)
    assert home.status_code == 200 and "ts-teacher" in home.text

    # the login rate limit (8 per minute per address) is counted across both servers
    statuses = [log_in(requests.Session(), (a, b)[i % 2], "nobody", "wrong", "10.0.0.2")
                .status_code for i in range(9)]
    assert statuses[:8] == [200] * 8 and statuses[8] == 429, statuses

    # a file uploaded through A downloads through B (from the object store: not from a folder)
    pdf = b"%PDF-1.4\n" + os.urandom(2048) + b"\n%%EOF\n"
    uploaded = on_a.post(f"{a}/ts_two/upload", files={"file": ("plan.pdf", pdf)},
                         data={"csrf_token": csrf(on_a, f"{a}/ts_two/token")})
    assert uploaded.status_code == 200, uploaded.text[:500]
    download = on_b.get(f"{b}/attachments/{uploaded.text}")
    assert download.status_code == 200 and download.content == pdf
    assert not any(p.is_file() for p in (tmp_path / "uploads-a").rglob("*"))

    # a task started on A is done by the worker; B shows its progress and serves the result
    started = on_a.post(f"{a}/ts_two/count", allow_redirects=False,
                        data={"csrf_token": csrf(on_a, f"{a}/ts_two/token")})
    assert started.status_code == 302, started.text[:500]
    page = started.headers["Location"].split("://", 1)[-1].split("/", 1)[-1]
    deadline = time.monotonic() + 60
    while 'data-status="done"' not in (shown := on_b.get(f"{b}/{page}").text):
        assert time.monotonic() < deadline, servers.log()
        time.sleep(0.5)
    assert "50 / 50" in shown
    result = on_b.get(f"{b}/{page}/result")
    assert result.status_code == 200 and result.text.startswith("1 by ")
    assert result.text.split("\n")[0] == f"1 by {servers.processes[-1].pid}"  # the worker

    # a job slot runs once across both servers' job threads (four gunicorn workers)
    job_log = tmp_path / "jobs.log"
    deadline = time.monotonic() + 90
    while not job_log.exists():
        assert time.monotonic() < deadline, servers.log()
        time.sleep(1)
    time.sleep(3)  # let every runner that saw the slot try it
    slots = [line.split()[0] for line in job_log.read_text().splitlines()]
    assert slots and len(slots) == len(set(slots)), slots
    with app.app_context():
        runs = db.session.scalars(select(JobRun).where(JobRun.job_id == "ts_two.tick")).all()
        assert len(runs) == len(slots) and all(r.status == "ok" for r in runs)
