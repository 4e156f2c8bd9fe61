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
import importlib.util
import io
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
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

PLUGINS = ROOT / "bench" / "plugins"

#: The targets (issues 7 and 14), checked against the figures. Ratios are of the naive page's
#: throughput (``bench/wsgi.py``), measured saturated in the same run.
TARGETS = {"p95_ms": 100, "dashboard_ratio": 1.0, "read_ratio": 0.5, "dashboard_sql": 5,
           "page_sql": 10, "report_s": 1.0, "export_mb": 200, "startup_s": 2.0}


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
    generate_plugins(name, small, manifest)
    # What autovacuum would have done by the time a real county has this much history.
    _admin("VACUUM ANALYZE", name)
    say(f"generated {name} in {time.perf_counter() - started:.0f} s")
    return json.loads(manifest.read_text("utf-8"))


def plugin_modules(folder: Path = PLUGINS) -> list:
    """Every ``bench/plugins/<name>.py`` (not ``_*.py``), imported, by name."""
    modules = []
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else ():
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"bench_plugin_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if callable(getattr(module, "generate", None)):
            modules.append(module)
    return modules


def run_plugin_generators(app, small: bool, modules: list | None = None,
                          seed: int = 2026) -> dict:
    """Call each plugin's ``generate(app, rng, small)`` in *app*'s context (the core data is
    there); commit after each. Returns ``{"counts": {...}, "pages": [...]}`` of them all."""
    from core.extensions import db

    found: dict = {"counts": {}, "pages": []}
    for module in plugin_modules() if modules is None else modules:
        name = module.__name__.removeprefix("bench_plugin_")
        started = time.perf_counter()
        result = module.generate(app, random.Random(f"{seed}-{name}"), small) or {}
        db.session.commit()
        found["counts"].update({f"{name}: {k}": v for k, v in result.get("counts", {}).items()})
        for page in result.get("pages", ()):
            if not {"name", "user", "path"} <= set(page):
                raise ValueError(f"bench/plugins/{name}.py: a page needs name, user, path: {page}")
            found["pages"].append({"name": page["name"], "user": page["user"],
                                   "path": page["path"], "plugin": name})
        say(f"  plugin {name}: generated in {time.perf_counter() - started:.0f} s")
    return found


def generate_plugins(name: str, small: bool, manifest: Path) -> None:
    """The plugins' benchmark data in database *name*, added to its *manifest*."""
    from bench import generate

    modules = plugin_modules()
    data = json.loads(manifest.read_text("utf-8"))
    data["plugin_counts"], data["plugin_pages"] = {}, []
    if modules:
        app = generate.make_app(database_url(name))
        with generate.closing(app):
            found = run_plugin_generators(app, small, modules)
        data["plugin_counts"], data["plugin_pages"] = found["counts"], found["pages"]
    manifest.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")


# -- the server --------------------------------------------------------------------------------


#: The cache across requests the server uses (``--cache``): Redis, as in production, or
#: per process.
CACHE = {"backend": "redis"}


def environment(name: str) -> dict:
    cache = ({"DANWEI_CACHE_BACKEND": "redis",
              "DANWEI_CACHE_REDIS_URL": "redis://127.0.0.1:6379/15",
              "DANWEI_CACHE_KEY_PREFIX": f"danwei-bench:{name}:{os.getpid()}:"}
             if CACHE["backend"] == "redis" else {"DANWEI_CACHE_BACKEND": CACHE["backend"]})
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
        "DANWEI_LOGIN_ACCOUNT_RATE_LIMIT": "10000 per minute",
        **cache,
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
        # The request log (JSON lines, as in production) goes to a file, not the console.
        self.log = open(OUT / f"gunicorn-{self.url.rsplit(':', 1)[1]}.log", "ab")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
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
            self.log.close()

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()]

    def cpu(self) -> float:
        """CPU seconds (user + system, every thread) used so far by the workers."""
        if not hasattr(self, "_cpu"):
            self._cpu = _CPUTotal()
        return self._cpu(self.workers())


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process *pid* (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime (fields 14, 15)


class _CPUTotal:
    """CPU seconds used by a changing set of processes since the first call: each call adds
    what every process listed used since it was last seen (a process that ended in between
    loses only its last interval)."""

    def __init__(self):
        self.seen: dict[int, float] = {}
        self.total = 0.0

    def __call__(self, pids) -> float:
        for pid in pids:
            now = _cpu_seconds(pid)
            self.total += now - self.seen.get(pid, now if not self.seen else 0.0)
            self.seen[pid] = now
        return self.total


class PostgresCPU:
    """CPU seconds used by the PostgreSQL backends connected to one database.

    ``pg_stat_statements`` is not preloaded on the bench machine (it would need a restart of a
    shared server, and it reports time, not CPU), so this reads ``/proc/<pid>/stat`` of each
    backend that ``pg_stat_activity`` lists for the database: PostgreSQL must run on this
    machine. Backends that ended between two readings are missed (the pool keeps them open).
    """

    def __init__(self, name: str):
        from sqlalchemy import create_engine

        self.engine = create_engine(database_url(name), isolation_level="AUTOCOMMIT")
        self.name = name
        self.total = _CPUTotal()

    def __call__(self) -> float:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            pids = conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :name "
                "AND pid <> pg_backend_pid()"), {"name": self.name}).scalars().all()
        return self.total(pids)

    def close(self) -> None:
        self.engine.dispose()


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


def apply_after(name: str, manifest: dict) -> str | None:
    """The last day the manifest's applying student has leave on (an earlier run's)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url(name))
    with engine.connect() as conn:
        last = conn.execute(text(
            "SELECT max(l.end_at) FROM school_leave_leaves l JOIN users u ON u.id = l.student_id "
            "WHERE u.username = :name"), {"name": manifest["accounts"]["student"]}).scalar()
    engine.dispose()
    return (last + timedelta(days=1)).date().isoformat() if last else None


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


def _naive(results: list[dict]) -> dict:
    return next(r for r in results if r["page"] == load.NAIVE and r["mode"] == "saturated")


def _is_baseline(page: str) -> bool:
    return page == load.NAIVE or page.startswith("bare endpoint")


def _row(r: dict, naive_rps: float) -> str:
    ratio = (f"{r['rps'] / naive_rps:.2f}×" if r["mode"] == "saturated" and naive_rps
             and not r["page"].startswith("bare") else "")
    return (f"| {r['page']} | {r['mode']} | {r['requests']} | {r['rps']} | {r['p50_ms']} | "
            f"{r['p95_ms']} | {r['queries']} | {r.get('server_cpu_ms', '–')} | "
            f"{r.get('pg_cpu_ms', '–')} | {ratio} | {r['errors']} |")


def write(figures: dict) -> str:
    results = figures["load"]["results"]
    naive = _naive(results)
    lines = [
        f"# Benchmark figures — {figures['when']}",
        "",
        f"`make bench` on {figures['machine']}; PostgreSQL; gunicorn "
        f"{figures['server']}; {figures['load']['users']} concurrent users. "
        f"Data: {figures['data']}.",
        "",
        "| page | mode | requests | req/s | p50 ms | p95 ms | SQL/request | server CPU ms | "
        "PostgreSQL CPU ms | vs naive | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *(_row(r, naive["rps"]) for r in results),
        "",
        "*paced*: each user thinks 0.5–1.5 s between requests (the latency people see); "
        "*saturated*: no pause (the most the server does); *CPU ms*: CPU per request of the "
        "gunicorn workers and of the PostgreSQL backends serving the database (from "
        "`/proc/<pid>/stat`; `pg_stat_statements` is not preloaded on this server); "
        "*vs naive*: throughput as a multiple of the naive one-query page (`/_naive/`, "
        "`bench/wsgi.py`) served by the same gunicorn in the same run. The bare endpoint is "
        "information only: the Python load driver limits it.",
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
        *((f"- Plugins' benchmark data: " + ", ".join(
            f"{n:,} {label}" for label, n in figures["plugin_counts"].items()) + ".")
          if figures.get("plugin_counts") else ()),
        "",
        "## Targets",
        "",
        *(f"- {line}" for line in figures["verdicts"]),
        "",
    ]
    return "\n".join(lines)


def _is_dashboard(page: str) -> bool:
    return "dashboard" in page


def verdicts(figures: dict) -> list[str]:
    results = figures["load"]["results"]
    naive = _naive(results)
    paced = [r for r in results if r["mode"] == "paced" and not _is_baseline(r["page"])]
    worst = max(paced, key=lambda r: r["p95_ms"])
    saturated = [r for r in results if r["mode"] == "saturated" and not _is_baseline(r["page"])]
    dashboards = [r for r in saturated if _is_dashboard(r["page"])]
    others = [r for r in saturated if not _is_dashboard(r["page"])]
    small, full = figures["queries_small"], figures["queries_full"]
    same = [p for p, q in full.items() if small.get(p) != q]

    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    def ratios(rows: list[dict], target: float) -> str:
        low = [r for r in rows if r["rps"] / naive["rps"] < target]
        text = ", ".join(f"{r['page']} {r['rps'] / naive['rps']:.2f}×" for r in rows)
        return f"{mark(not low)} ({text})"

    def statements(pages: list[str], limit: int) -> str:
        over = [f"{p} {full[p]}" for p in pages if (full[p] or 0) > limit]
        return f"{mark(not over)}" + (f" ({', '.join(over)})" if over else "")

    pages = [p for p in full if not _is_baseline(p)]
    return [
        f"Paced p95 under {TARGETS['p95_ms']} ms on every page, the POSTs included: "
        f"{mark(worst['p95_ms'] < TARGETS['p95_ms'])}, worst {worst['p95_ms']} ms "
        f"({worst['page']}).",
        f"Every dashboard at ≥ {TARGETS['dashboard_ratio']:.1f}× the naive page's throughput "
        f"({naive['rps']} req/s): {ratios(dashboards, TARGETS['dashboard_ratio'])}.",
        f"Every other read page at ≥ {TARGETS['read_ratio']:.1f}× the naive page: "
        f"{ratios(others, TARGETS['read_ratio'])}.",
        f"SQL statements per request ≤ {TARGETS['dashboard_sql']} on a dashboard (warm cache): "
        f"{statements([p for p in pages if _is_dashboard(p)], TARGETS['dashboard_sql'])}; "
        f"≤ {TARGETS['page_sql']} on any other page: "
        f"{statements([p for p in pages if not _is_dashboard(p)], TARGETS['page_sql'])}.",
        f"SQL statements per request the same at ~1,000 and 500,000 leaves: {mark(not same)}"
        + (f" ({', '.join(same)})" if same else "") + ".",
        f"Unit monthly report of a school under {TARGETS['report_s']} s: "
        f"{mark(figures['report']['max_s'] < TARGETS['report_s'])}.",
        f"100,000-row export streamed with peak memory under {TARGETS['export_mb']} MB: "
        f"{mark(figures['export']['worker_peak_mb'] < TARGETS['export_mb'])}.",
        f"Start-up with all plugins under {TARGETS['startup_s']} s: "
        f"{mark(figures['startup']['create_app_s'] < TARGETS['startup_s'])}.",
    ]


def forget_cache() -> None:
    """Delete this run's keys from the bench's Redis (the generations never expire)."""
    if CACHE["backend"] != "redis":
        return
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    for key in client.scan_iter(match=f"danwei-bench:*:{os.getpid()}:*"):
        client.delete(key)


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

    parser.add_argument("--small-only", action="store_true",
                        help="measure the small database only (to iterate); the figures go to "
                             "bench/out/results-small.md, not to the README")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--cache", choices=("redis", "simple", "null"), default="redis",
                        help="the cache across requests: Redis as in production (default), "
                             "per process, or none")
    args = parser.parse_args()
    CACHE["backend"] = args.cache
    OUT.mkdir(parents=True, exist_ok=True)

    small = prepare(SMALL, small=True, reuse=args.reuse)
    full_name = SMALL if args.small_only else FULL
    full = small if args.small_only else prepare(FULL, small=False, reuse=args.reuse)
    figures: dict = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} "
                   f"{platform.python_version()}",
        "server": f"{args.workers} workers × {args.threads} threads (gthread), cache "
                  f"{args.cache}",
        "data": ", ".join(f"{full['counts'][k]:,} {label}" for k, label in DATA_SHOWN),
        "plugin_counts": full.get("plugin_counts", {}),
    }
    say("start-up…")
    figures["startup"] = startup(full_name)
    say(f"  {figures['startup']}")
    say("SQL statements per page, small data…")
    with Server(SMALL, args.port + 1, 1, 1) as server:
        figures["queries_small"] = load.probe(server.url, small)
    with Server(full_name, args.port, args.workers, args.threads) as server:
        say("SQL statements per page, full data…")
        figures["queries_full"] = load.probe(server.url, full)
        say("load…")
        full["apply_after"] = apply_after(full_name, full)
        pg = PostgresCPU(full_name)
        figures["load"] = load.measure(server.url, full, args.users, args.seconds,
                                       args.seconds / 2, say=say,
                                       meter=lambda: (server.cpu(), pg()))
        pg.close()
        say("monthly report…")
        figures["report"] = report_timing(server, full)
        say(f"  {figures['report']}")
        year, count = export_year(full_name)
        say(f"export of {year} ({count:,} leaves)…")
        figures["export"] = export_timing(server, full, year)
        say(f"  {figures['export']}")
    if not args.small_only:  # bench/production.py: the production issue's rows
        figures["export_task"] = production.export_task_timing(FULL, full, year, say=say)
        figures["two_servers"] = production.two_servers(FULL, full, users=args.users, say=say)
    forget_cache()
    figures["verdicts"] = verdicts(figures)
    text = write(figures)
    if args.small_only:
        (OUT / "results-small.md").write_text(text, "utf-8")
        say(text)
        return
    RESULTS.write_text(text, "utf-8")
    (OUT / "results.json").write_text(json.dumps(figures, indent=1, ensure_ascii=False), "utf-8")
    update_readme(text.split("\n", 2)[2].replace("## Targets", "Targets:"))
    say(text)
    say(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
