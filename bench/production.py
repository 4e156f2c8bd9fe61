"""Production rows of the benchmark (issue 19): the big export as a background task, and the
dashboard served by two app servers against one.

``bench/run.py`` calls the two functions on its generated database; they can also be run on
their own, on a database of their own (the small preset by default, a few seconds of data)::

    .venv/bin/python bench/production.py [--full] [--reuse] [--seconds 10]

:func:`export_task_timing`
    Serves the database with gunicorn (tasks not in the web process) beside one
    ``danwei tasks worker`` on a Redis queue, as ``deploy/`` does; asks for the county's leave
    register of a year as XLSX, which goes to the background past the ``export_task_rows``
    setting (lowered for the run when the data has fewer rows, then put back); follows the
    progress page until the task is done; downloads the result. Time from the request to the
    file being ready, and the task worker's peak resident memory (``VmHWM``).
:func:`two_servers`
    Starts two gunicorn app servers on two ports, both on the same database, Redis and secret
    key, and saturates the principal's dashboard with the same number of users: all on one
    server, then split between the two (the load balancer's round robin, without nginx).
    Requests per second of each, and their ratio. On a machine with few cores the second
    server brings no CPU of its own: the ratio says what the machine, not the layout, allows.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402

PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
DANWEI = str(Path(PYTHON).with_name("danwei"))
PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/15")
OUT = ROOT / "bench" / "out"


def _environment(name: str, **extra: str) -> dict:
    """A production process's environment on database *name* (as bench/run.py's)."""
    return {
        **os.environ,
        "DANWEI_ENV": "production",
        "DANWEI_SECRET_KEY": "bench-only-secret",
        "DANWEI_DATABASE_URL": f"{PG}/{name}",
        "DANWEI_SESSION_COOKIE_SECURE": "false",
        "DANWEI_RUN_JOBS_IN_PROCESS": "false",
        "DANWEI_RATELIMIT_STORAGE_URI": REDIS,
        "DANWEI_LOGIN_RATE_LIMIT": "10000 per minute",
        "DANWEI_LOGIN_ACCOUNT_RATE_LIMIT": "10000 per minute",  # every user is one account
        "DANWEI_RATELIMIT_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        **extra,
    }


class _Processes:
    """gunicorn servers and workers started for one measurement, all stopped at the end."""

    def __init__(self):
        self.started: list[subprocess.Popen] = []

    def __enter__(self) -> _Processes:
        return self

    def gunicorn(self, env: dict, port: int, workers: int, threads: int) -> str:
        url = f"http://127.0.0.1:{port}"
        self.started.append(subprocess.Popen(
            [GUNICORN, "--workers", str(workers), "--worker-class", "gthread", "--threads",
             str(threads), "--bind", f"127.0.0.1:{port}", "--timeout", "300",
             "--log-level", "warning", "bench.wsgi:application"], cwd=ROOT, env=env))
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if load.Client(url).get("/_bare/")[0] == 200:
                    return url
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn on {port} did not start")

    def worker(self, env: dict) -> subprocess.Popen:
        process = subprocess.Popen([DANWEI, "tasks", "worker", "--workers", "1"], cwd=ROOT,
                                   env=env)
        self.started.append(process)
        return process

    def __exit__(self, *exc) -> None:
        for process in self.started:
            process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _setting(name: str, key: str, value: int | None) -> int | None:
    """Set (or, with ``None``, clear) the global core setting *key* of database *name*;
    returns the value stored before (``None``: the default). In a process of its own, as an
    administrator's change would be."""
    code = (
        "import json\n"
        "from core import create_app\n"
        "from core.api import db\n"
        "from core.settings import clear_setting, set_setting, stored_value\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        f"    row = stored_value('core', {key!r}, None)\n"
        "    old = json.loads(row.value_json) if row is not None else None\n"
        f"    if {value!r} is None:\n"
        f"        clear_setting('core', {key!r})\n"
        "    else:\n"
        f"        set_setting('core', {key!r}, {value!r})\n"
        "    db.session.commit()\n"
        "print(json.dumps(old))\n"
    )
    done = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=_environment(name),
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_task_timing(name: str, manifest: dict, year: int, *, port: int = 8102,
                       say=print) -> dict:
    """The county's leave register of *year* as XLSX, made by a background task: seconds
    from the request to the file being ready, rows, and the task worker's peak memory."""
    from openpyxl import load_workbook

    queue = {"DANWEI_TASKS_BACKEND": "redis", "DANWEI_REDIS_URL": REDIS,
             "DANWEI_TASKS_QUEUE_NAME": f"bench-{uuid.uuid4().hex[:8]}",
             "DANWEI_RUN_TASKS_IN_PROCESS": "false"}
    env = _environment(name, **queue)
    path = (f"/reports/school_leave.register/export.xlsx?unit={manifest['units']['county']}"
            f"&period={year}")
    # Past the setting's rows the export leaves the request; small data gets there too.
    old = _setting(name, "export_task_rows", 0)
    try:
        with _Processes() as processes:
            url = processes.gunicorn(env, port, workers=1, threads=4)
            worker = processes.worker(env)
            time.sleep(2)  # the worker loads the application before it takes tasks
            rss_before = _kib(worker.pid, "VmRSS")
            Path(f"/proc/{worker.pid}/clear_refs").write_text("5")  # reset its peak
            client = load.Client(url)
            client.login(manifest["accounts"]["county_admin"], manifest["password"])
            started = time.perf_counter()
            status, response, _, _ = client.get(path)
            assert status == 302, f"the export did not go to the background ({status})"
            progress = "/" + response.getheader("Location").split("://", 1)[-1].split("/", 1)[1]
            while b'data-status="done"' not in (page := client.get(progress)[2]):
                assert b'data-status="failed"' not in page, page[-2000:]
                time.sleep(0.2)
            seconds = time.perf_counter() - started
            peak = _kib(worker.pid, "VmHWM")
            status, _, body, _ = client.get(progress.rstrip("/") + "/result")
            assert status == 200, status
    finally:
        _setting(name, "export_task_rows", old)
    book = load_workbook(io.BytesIO(body), read_only=True)
    rows = sum(1 for _ in book.worksheets[0].iter_rows()) - 1
    figures = {"path": path, "rows": rows, "seconds_to_done": round(seconds, 2),
               "bytes": len(body), "worker_rss_before_mb": round(rss_before / 1024, 1),
               "worker_peak_mb": round(peak / 1024, 1)}
    say(f"  export as a task: {figures}")
    return figures


def two_servers(name: str, manifest: dict, *, users: int = 20, seconds: float = 10,
                workers: int = 2, threads: int = 4, ports: tuple[int, int] = (8103, 8104),
                say=print) -> dict:
    """The principal's dashboard saturated by *users*: on one app server, then on two (each
    *workers* × *threads*), same database and Redis. Requests per second and their ratio."""
    env = _environment(name, DANWEI_RUN_TASKS_IN_PROCESS="false")
    account, password = manifest["accounts"]["principal"], manifest["password"]
    step = load.timed_get(lambda n: "/")

    def clients(urls: list[str], count: int = users) -> list[load.Client]:
        made = []
        for i in range(count):
            client = load.Client(urls[i % len(urls)])
            client.login(account, password)
            made.append(client)
        return made

    with _Processes() as processes:
        urls = [processes.gunicorn(env, port, workers, threads) for port in ports]
        for url in urls:  # warm every worker of both servers
            load.run_phase("warm", "saturated", clients([url], 4), step, 2, None)
        one = load.run_phase("dashboard (principal), one server", "saturated",
                             clients(urls[:1]), step, seconds, None)
        two = load.run_phase("dashboard (principal), two servers", "saturated",
                             clients(urls), step, seconds, None)
    figures = {
        "users": users, "seconds": seconds, "server": f"{workers} workers × {threads} threads",
        "one_server": one.as_dict(), "two_servers": two.as_dict(),
        "ratio": round(two.rps / one.rps, 2) if one.rps else None,
        "cores": os.cpu_count(),
    }
    say(f"  dashboard: one server {one.rps:.1f} req/s, two servers {two.rps:.1f} req/s "
        f"(×{figures['ratio']}), errors {one.errors}/{two.errors}")
    return figures


def markdown(figures: dict) -> str:
    """The two rows for bench/results.md, from ``figures["export_task"]`` and
    ``figures["two_servers"]``."""
    lines = ["| production | figure |", "|---|---|"]
    if task := figures.get("export_task"):
        lines.append(f"| {task['rows']:,}-row XLSX export as a background task | "
                     f"{task['seconds_to_done']} s to done, task worker peak "
                     f"{task['worker_peak_mb']} MB (before: {task['worker_rss_before_mb']} MB) |")
    if pair := figures.get("two_servers"):
        lines.append(
            f"| principal's dashboard, {pair['users']} users saturating, {pair['server']} "
            f"per server, {pair['cores']} cores | one server "
            f"{pair['one_server']['rps']} req/s, two servers {pair['two_servers']['rps']} "
            f"req/s (×{pair['ratio']}) |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="the full preset (slow)")
    parser.add_argument("--reuse", action="store_true", help="keep the generated database")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    from bench import generate
    from sqlalchemy import create_engine, text

    scale = "full" if args.full else "small"
    name = f"danwei_bench_production_{scale}"
    OUT.mkdir(parents=True, exist_ok=True)
    manifest_path = OUT / f"manifest-production-{scale}.json"
    if not (args.reuse and manifest_path.exists()):
        admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        sizes = dict(generate.PRESETS[scale])
        # (The small preset's 10 students per class are fewer than the generator now needs.)
        sizes["students"] = max(sizes["students"], len(generate.CADRES) + generate.TEMPLATE_KINDS)
        generate.generate(f"{PG}/{name}", manifest=manifest_path, **sizes)
    manifest = json.loads(manifest_path.read_text("utf-8"))
    engine = create_engine(f"{PG}/{name}")
    with engine.connect() as conn:
        year, count = max(conn.execute(text(
            "SELECT extract(year FROM start_at)::int, count(*) FROM school_leave_leaves "
            "GROUP BY 1")).all(), key=lambda c: c[1])
    engine.dispose()
    figures = {"export_task": export_task_timing(name, manifest, year),
               "two_servers": two_servers(name, manifest, users=args.users,
                                          seconds=args.seconds, workers=args.workers,
                                          threads=args.threads)}
    (OUT / f"production-{scale}.json").write_text(json.dumps(figures, indent=1), "utf-8")
    print(markdown(figures))


if __name__ == "__main__":
    main()
