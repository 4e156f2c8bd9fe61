"""The benchmark: a county's data on PostgreSQL, the intranet under gunicorn, figures in a file.

    make bench                          (= .venv/bin/python bench/run.py)
    .venv/bin/python bench/run.py --reuse --seconds 10

1. Generates two databases with ``bench/generate.py``: ``danwei_bench_small`` (about 1,000
   leave requests) and ``danwei_bench`` (20 schools × 60 classes × 50 students, 500,000 leave
   requests, a property company with 3 years of plans). ``--reuse`` keeps them if they exist.
2. Times the application's start-up (``create_app`` with every plugin, in a new process).
3. Serves the small database and asks each page once: its SQL statement count.
4. Serves the full database and runs ``bench/load.py`` against it: every key page paced and
   saturated with 20 users, the bare endpoint as baseline, the writes.
5. Times the unit monthly report of a school, and a 100,000-row XLSX export with the peak
   memory (resident set) of the gunicorn worker that served it.
6. Writes ``bench/results.md`` and the summary block of the README.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, production  # noqa: E402

OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "results.md"
README = ROOT / "README.md"
PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
SMALL, FULL = "danwei_bench_small", "danwei_bench"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

#: The generated rows named in the figures' heading.
DATA_SHOWN = (("units", "units"), ("users", "users"), ("school_leave_leaves", "leave requests"),
              ("workflow_instances", "workflow requests"), ("workflow_actions", "timeline entries"),
              ("property_reports_plans", "monthly plans"),
              ("property_reports_summaries", "monthly summaries"))

#: The targets of issue 7, checked against the figures.
TARGETS = {"p95_ms": 150, "dashboard_ratio": 0.20, "report_s": 1.0, "export_mb": 200,
           "startup_s": 2.0}


def say(*args) -> None:
    print(*args, flush=True)


# -- databases ---------------------------------------------------------------------------------


def database_url(name: str) -> str:
    return f"{PG}/{name}"


def _admin(sql: str, database: str = "postgres") -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url(database), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def prepare(name: str, small: bool, reuse: bool) -> dict:
    """The manifest of database *name*, generating the data unless it may be reused."""
    from bench import generate

    manifest = OUT / f"manifest-{'small' if small else 'full'}.json"
    if reuse and manifest.exists():
        say(f"reusing {name} ({manifest.relative_to(ROOT)})")
        return json.loads(manifest.read_text("utf-8"))
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    sizes = generate.PRESETS["small" if small else "full"]
    generate.generate(database_url(name), manifest=manifest, **sizes)
    # What autovacuum would have done by the time a real county has this much history.
    _admin("VACUUM ANALYZE", name)
    say(f"generated {name} in {time.perf_counter() - started:.0f} s")
    return json.loads(manifest.read_text("utf-8"))


# -- the server --------------------------------------------------------------------------------


def environment(name: str) -> dict:
    return {
        **os.environ,
        "DANWEI_ENV": "production",
        "DANWEI_SECRET_KEY": "bench-only-secret",
        "DANWEI_DATABASE_URL": database_url(name),
        "DANWEI_SESSION_COOKIE_SECURE": "false",
        "DANWEI_RUN_JOBS_IN_PROCESS": "false",
        "DANWEI_SERVER_TIMING": "true",
        # Production keeps the rate limiter in Redis; the driver logs in 200 times a minute.
        "DANWEI_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "DANWEI_LOGIN_RATE_LIMIT": "10000 per minute",
    }


class Server:
    """gunicorn serving ``bench.wsgi`` on 127.0.0.1."""

    def __init__(self, name: str, port: int, workers: int, threads: int):
        self.url = f"http://127.0.0.1:{port}"
        self.command = [GUNICORN, "--workers", str(workers), "--worker-class", "gthread",
                        "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
                        "--timeout", "300", "--log-level", "warning", "bench.wsgi:application"]
        self.env = environment(name)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, *_ = load.Client(self.url).get("/_bare/")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit("gunicorn did not start")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(30)

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()]


def _status(pid: int, key: str) -> int:
    """A ``/proc/<pid>/status`` figure in KiB (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


# -- single measurements -----------------------------------------------------------------------


def startup(name: str, runs: int = 5) -> dict:
    """Seconds from a new Python process to an application with every plugin installed."""
    code = ("import time; t = time.perf_counter(); from core import create_app; create_app(); "
            "print(time.perf_counter() - t)")
    inside, whole = [], []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=environment(name), check=True,
                             capture_output=True, text=True).stdout
        whole.append(time.perf_counter() - started)
        inside.append(float(out.strip().splitlines()[-1]))
    return {"create_app_s": round(statistics.median(inside), 2),
            "process_s": round(statistics.median(whole), 2)}


def report_timing(server: Server, manifest: dict, runs: int = 10) -> dict:
    """The unit monthly report of one school for last month, requested *runs* times."""
    today = date.today()
    month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    client = load.Client(server.url)
    client.login(manifest["accounts"]["principal"], manifest["password"])
    path = f"/reports/period?unit={manifest['units']['school']}&period={month:%Y-%m}"
    times, queries = [], None
    for _ in range(runs + 1):
        status, response, _, seconds = client.get(path)
        assert status == 200, (status, path)
        times.append(seconds)
        queries = load.queries(response)
    times = sorted(times[1:])  # the first warms the worker
    return {"path": path, "runs": runs, "p50_s": round(statistics.median(times), 3),
            "max_s": round(times[-1], 3), "queries": queries}


def export_year(name: str, target: int = 100_000) -> tuple[int, int]:
    """The calendar year whose leave count in the county is nearest *target*: (year, rows)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url(name))
    with engine.connect() as conn:
        counts = conn.execute(text(
            "SELECT extract(year FROM start_at)::int, count(*) FROM school_leave_leaves "
            "GROUP BY 1")).all()
    engine.dispose()
    return min(counts, key=lambda c: abs(c[1] - target))


def export_timing(server: Server, manifest: dict, year: int) -> dict:
    """A year of the county's leave register as XLSX: time, size, rows, worker peak memory."""
    client = load.Client(server.url)
    client.login(manifest["accounts"]["county_admin"], manifest["password"])
    path = (f"/reports/school_leave.register/export.xlsx?unit={manifest['units']['county']}"
            f"&period={year}")
    workers = server.workers()
    before = {pid: _status(pid, "VmRSS") for pid in workers}
    for pid in workers:  # reset each worker's high-water mark of resident memory
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    status, response, body, seconds = client.get(path)
    if status == 302:  # past export_task_rows: a background task (core/tasks); time to done
        page = response.getheader("Location").split("://", 1)[-1]
        page = "/" + page.split("/", 1)[1] if "://" in response.getheader("Location") else page
        started = time.perf_counter() - seconds
        while b'data-status="done"' not in (shown := client.get(page)[2]):
            assert b'data-status="failed"' not in shown, shown[-2000:]
            time.sleep(0.5)
        status, _, body, _ = client.get(page.rstrip("/") + "/result")
        seconds = time.perf_counter() - started
    assert status == 200, (status, path)
    peaks = {pid: _status(pid, "VmHWM") for pid in workers}
    worker = max(peaks, key=lambda pid: peaks[pid] - before[pid])
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True)
    rows = sum(1 for _ in book.worksheets[0].iter_rows()) - 1
    return {"path": path, "rows": rows, "seconds": round(seconds, 1),
            "bytes": len(body), "worker_rss_before_mb": round(before[worker] / 1024, 1),
            "worker_peak_mb": round(peaks[worker] / 1024, 1)}


# -- the report --------------------------------------------------------------------------------


def _row(r: dict, base_rps: float) -> str:
    ratio = f"{r['rps'] / base_rps:.0%}" if r["mode"] == "saturated" and base_rps else ""
    return (f"| {r['page']} | {r['mode']} | {r['requests']} | {r['rps']} | {r['p50_ms']} | "
            f"{r['p95_ms']} | {r['queries']} | {ratio} | {r['errors']} |")


def write(figures: dict) -> str:
    results = figures["load"]["results"]
    base = next(r for r in results if r["page"].startswith("bare") and r["mode"] == "saturated")
    lines = [
        f"# Benchmark figures — {figures['when']}",
        "",
        f"`make bench` on {figures['machine']}; PostgreSQL; gunicorn "
        f"{figures['server']}; {figures['load']['users']} concurrent users. "
        f"Data: {figures['data']}.",
        "",
        "| page | mode | requests | req/s | p50 ms | p95 ms | SQL/request | vs bare | errors |",
        "|---|---|---|---|---|---|---|---|---|",
        *(_row(r, base["rps"]) for r in results),
        "",
        "*paced*: each user thinks 0.5–1.5 s between requests (the latency people see); "
        "*saturated*: no pause (the most the server does); *vs bare*: throughput as a share "
        "of the bare Flask endpoint served by the same gunicorn in the same run.",
        "",
        "| SQL statements per request | small (~1,000 leaves) | full (500,000 leaves) |",
        "|---|---|---|",
        *(f"| {page} | {figures['queries_small'].get(page)} | {figures['queries_full'].get(page)} |"
          for page in figures["queries_full"]),
        "",
        f"- Unit monthly report of a school (`{figures['report']['path']}`): "
        f"median {figures['report']['p50_s']} s, slowest {figures['report']['max_s']} s "
        f"over {figures['report']['runs']} requests, {figures['report']['queries']} SQL statements.",
        f"- XLSX export of the county's leave register (`{figures['export']['path']}`): "
        f"{figures['export']['rows']:,} rows, {figures['export']['bytes'] / 2**20:.1f} MiB in "
        f"{figures['export']['seconds']} s; the worker's resident memory went from "
        f"{figures['export']['worker_rss_before_mb']} MB to a peak of "
        f"{figures['export']['worker_peak_mb']} MB.",
        f"- Start-up with every plugin: `create_app()` {figures['startup']['create_app_s']} s "
        f"(imports included), a whole new process {figures['startup']['process_s']} s.",
        f"- The load driver used {figures['load']['driver_cpu_seconds']} s of CPU "
        "on the same 2 cores.",
        "",
        "## Targets",
        "",
        *(f"- {line}" for line in figures["verdicts"]),
        "",
    ]
    return "\n".join(lines)


def verdicts(figures: dict) -> list[str]:
    results = figures["load"]["results"]
    base = next(r for r in results if r["page"].startswith("bare") and r["mode"] == "saturated")
    paced = [r for r in results if r["mode"] == "paced" and not r["page"].startswith("bare")]
    worst = max(paced, key=lambda r: r["p95_ms"])
    dashboards = [r for r in results if r["page"].startswith("dashboard")
                  and r["mode"] == "saturated"]
    ratio = min(r["rps"] for r in dashboards) / base["rps"]
    same = all(figures["queries_small"].get(p) == q for p, q in figures["queries_full"].items())

    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    return [
        f"p95 under {TARGETS['p95_ms']} ms on every interactive page (paced): "
        f"{mark(worst['p95_ms'] < TARGETS['p95_ms'])}, worst {worst['p95_ms']} ms ({worst['page']}).",
        f"SQL statements per request the same at ~1,000 and 500,000 leaves: {mark(same)}.",
        f"Dashboard throughput at least {TARGETS['dashboard_ratio']:.0%} of the bare endpoint: "
        f"{mark(ratio >= TARGETS['dashboard_ratio'])}, {ratio:.0%}.",
        f"Unit monthly report of a school under {TARGETS['report_s']} s: "
        f"{mark(figures['report']['max_s'] < TARGETS['report_s'])}.",
        f"100,000-row export streamed with peak memory under {TARGETS['export_mb']} MB: "
        f"{mark(figures['export']['worker_peak_mb'] < TARGETS['export_mb'])}.",
        f"Start-up with all plugins under {TARGETS['startup_s']} s: "
        f"{mark(figures['startup']['create_app_s'] < TARGETS['startup_s'])}.",
    ]


def update_readme(summary: str) -> None:
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    text = README.read_text("utf-8")
    if start in text and end in text:
        head, rest = text.split(start, 1)
        README.write_text(head + start + "\n" + summary + "\n" + end + rest.split(end, 1)[1],
                          "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="Danwei's benchmark (see bench/run.py).")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the generated databases if their manifests exist")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20,
                        help="length of each paced phase (saturated phases take half)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)

    small = prepare(SMALL, small=True, reuse=args.reuse)
    full = prepare(FULL, small=False, reuse=args.reuse)
    figures: dict = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} "
                   f"{platform.python_version()}",
        "server": f"{args.workers} workers × {args.threads} threads (gthread)",
        "data": ", ".join(f"{full['counts'][k]:,} {label}" for k, label in DATA_SHOWN),
    }
    say("start-up…")
    figures["startup"] = startup(FULL)
    say(f"  {figures['startup']}")
    say("SQL statements per page, small data…")
    with Server(SMALL, 8101, 1, 1) as server:
        figures["queries_small"] = load.probe(server.url, small)
    with Server(FULL, 8100, args.workers, args.threads) as server:
        say("SQL statements per page, full data…")
        figures["queries_full"] = load.probe(server.url, full)
        say("load…")
        figures["load"] = load.measure(server.url, full, args.users, args.seconds,
                                       args.seconds / 2, say=say)
        say("monthly report…")
        figures["report"] = report_timing(server, full)
        say(f"  {figures['report']}")
        year, count = export_year(FULL)
        say(f"export of {year} ({count:,} leaves)…")
        figures["export"] = export_timing(server, full, year)
        say(f"  {figures['export']}")
    figures["export_task"] = production.export_task_timing(FULL, full, year, say=say)
    figures["two_servers"] = production.two_servers(FULL, full, users=args.users, say=say)
    figures["verdicts"] = verdicts(figures)
    text = write(figures)
    RESULTS.write_text(text, "utf-8")
    (OUT / "results.json").write_text(json.dumps(figures, indent=1, ensure_ascii=False), "utf-8")
    update_readme(text.split("\n", 2)[2].replace("## Targets", "Targets:"))
    say(text)
    say(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
