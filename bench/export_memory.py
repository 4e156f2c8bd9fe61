"""Peak memory of a streamed report export: 100,000 rows to XLSX (and CSV) through HTTP.

    .venv/bin/python bench/export_memory.py [ROWS ...]     (default: 10000 100000)

A throwaway plugin owns a table of ROWS generated rows and declares a report whose table is a
SQL ``select``; the export is requested through the test client and read chunk by chunk, the
way a browser downloads it. ``tracemalloc`` measures the peak of Python allocations during the
request only. Streaming means the peak stays roughly flat as ROWS grows tenfold; building the
workbook in memory would grow with it.
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
import time
import tracemalloc
from datetime import date, timedelta
from importlib import invalidate_caches
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLUGIN = """
import sqlalchemy as sa
from core.api import DataColumn, DataTable, Permission, Report, Unit, hookimpl

rows = sa.Table(
    "bench_export_rows", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("unit_id", sa.Integer),
    sa.Column("day", sa.Date),
    sa.Column("name", sa.String(100)),
    sa.Column("minutes", sa.Integer),
    sa.Column("amount", sa.Numeric(10, 2)),
)


def everything(ctx):
    query = (sa.select(Unit.name, rows.c.day, rows.c.name, rows.c.minutes, rows.c.amount,
                       rows.c.minutes / 480.0)
             .join(Unit, Unit.id == rows.c.unit_id)
             .where(ctx.in_scope(rows.c.unit_id))
             .order_by(rows.c.id))
    return [DataTable(id="rows", title="Rows", rows=query, columns=[
        DataColumn("unit", "Unit"), DataColumn("day", "Day", "date"),
        DataColumn("name", "Name"), DataColumn("minutes", "Minutes", "int"),
        DataColumn("amount", "Amount", "decimal"), DataColumn("share", "Share of day", "percent"),
    ])]


@hookimpl
def register_permissions():
    return [Permission("bench_export.view", "View")]


@hookimpl
def register_reports():
    return [Report("bench_export.all", "All rows", "bench_export.view", everything, periods=())]
"""

MIGRATION = """
import sqlalchemy as sa
from alembic import op

revision = "bench_export_0001"
down_revision = None


def upgrade():
    op.create_table(
        "bench_export_rows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("amount", sa.Numeric(10, 2), nullable=False),
    )


def downgrade():
    op.drop_table("bench_export_rows")
"""


def install_plugin(site: Path) -> None:
    """Write the plugin as an installed distribution, as ``make_plugin`` does in tests."""
    package = site / "danwei_bench_export"
    (package / "migrations" / "versions").mkdir(parents=True)
    (package / "__init__.py").write_text('DANWEI_CONTRACT = ">=1.0,<2"\n' + PLUGIN, "utf-8")
    (package / "migrations" / "env.py").write_text(
        "from core.api import run_migrations\n\nrun_migrations()\n", "utf-8")
    (package / "migrations" / "script.py.mako").write_text("", "utf-8")
    (package / "migrations" / "versions" / "0001_rows.py").write_text(
        textwrap.dedent(MIGRATION), "utf-8")
    dist = site / "danwei_bench_export-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: danwei-bench-export\nVersion: 0.1\n", "utf-8")
    (dist / "entry_points.txt").write_text(
        "[danwei.plugins]\nbench_export = danwei_bench_export\n", "utf-8")
    sys.path.insert(0, str(site))
    invalidate_caches()


def measure(client, url: str) -> tuple[int, float, float]:
    """Download *url* chunk by chunk; ``(bytes, seconds, peak MiB of Python allocations)``.

    A big XLSX export answers with its task's progress page: the task runs at once here
    (``TASKS_BACKEND = "immediate"``, in this process, as a worker would run it), and the time
    is the time to done, result downloaded.
    """
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    if response.status_code == 302:  # a background task: done by now; fetch its result
        response.close()
        response = client.get(response.location.rstrip("/") + "/result", buffered=False)
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return size, seconds, peak


def run(count: int, workdir: Path) -> None:
    from core import create_app, roles, schema, units, users
    from core.extensions import db

    app = create_app({
        "SECRET_KEY": "bench", "DEFAULT_LOCALE": "en", "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RUN_JOBS_IN_PROCESS": False, "TASKS_BACKEND": "immediate",
        "RUN_TASKS_IN_PROCESS": False, "LOG_JSON": False,
        "DATABASE_URL": f"sqlite:///{workdir / f'bench-{count}.sqlite'}",
    })
    with app.app_context():
        from danwei_bench_export import rows

        schema.upgrade()
        roles.sync_declared_roles(app.extensions["danwei"])
        unit = units.create_unit("bench", "Bench unit", "unit")
        units.set_plugin_state("bench_export", unit, True)
        users.create_user("bench", "Bench", "bench1234", unit, is_superuser=True)
        db.session.commit()
        start = date(2026, 1, 1)
        for offset in range(0, count, 10_000):
            db.session.execute(rows.insert(), [
                {"unit_id": unit.id, "day": start + timedelta(days=i % 365),
                 "name": f"张三 {i}", "minutes": i % 480, "amount": i % 100000 / 100}
                for i in range(offset, min(offset + 10_000, count))
            ])
        db.session.commit()

    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench1234"})
    for fmt in ("xlsx", "csv"):
        size, seconds, peak = measure(client, f"/reports/bench_export.all/export.{fmt}")
        how = "task" if fmt == "xlsx" and count > 20_000 else "request"
        print(f"{count:>8} rows  {fmt:<4} {how:<7}  {size / 2**20:7.1f} MiB file  "
              f"{seconds:6.1f} s  peak {peak:6.1f} MiB", flush=True)


def main(argv: list[str]) -> None:
    counts = [int(a) for a in argv] or [10_000, 100_000]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        install_plugin(workdir / "site")
        for count in counts:
            run(count, workdir)


if __name__ == "__main__":
    main(sys.argv[1:])
