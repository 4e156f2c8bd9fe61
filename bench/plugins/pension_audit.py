"""Benchmark of the pension audit plugin: a county agency, three township stations, a generated
fund per station, the checks run, one report issued.

``generate(app, rng, small)`` is the shared interface of ``bench/plugins/*.py``. Run as a script
it measures the two heavy operations on a database of its own (PostgreSQL by default)::

    .venv/bin/python bench/plugins/pension_audit.py \\
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/pa_bench] \\
        [--members 100000] [--contributions 200000]

1. importing a CSV of ``--contributions`` contribution rows through the plugin's import
   (parse, check every row, insert in batches, one transaction), and
2. running every check over a fund of ``--members`` members,

each with its wall time and the peak of Python's allocations (``tracemalloc``) and of the
process (``ru_maxrss``); the checks are also measured on a fifth of the members, to show that
their memory does not grow with the number of rows.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PASSWORD = "danwei2026"
MEMBERS = {"full": 20000, "small": 200}  # per station


def generate(app, rng: random.Random, small: bool) -> dict:
    """Create the plugin's benchmark data inside *app* (an app context is active)."""
    from sqlalchemy import select

    from core.api import Unit, assign_role, create_unit, create_user, db
    from danwei_pension_audit.checks import run_checks
    from danwei_pension_audit.generator import Population
    from danwei_pension_audit.generator import load as load_population
    from danwei_pension_audit.models import PensionAuditFinding
    from danwei_pension_audit.testing import make_engagement

    root = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    county = create_unit("pab-county", "基准县社保经办中心", "agency", parent=root)
    towns = [create_unit(f"pab-town{n}", f"基准乡镇{n}社保所", "station", parent=county)
             for n in range(1, 4)]
    db.session.flush()
    _enable(county)
    auditor = create_user("pab_auditor", "基准稽核员", PASSWORD, unit=county)
    verifier = create_user("pab_verifier", "基准复核员", PASSWORD, unit=county)
    station = create_user("pab_station", "基准社保所", PASSWORD, unit=towns[0])
    for user in (auditor, verifier):
        assign_role(user, "pension_audit.auditor", county)
    assign_role(station, "pension_audit.station", towns[0])
    db.session.commit()
    per_town = MEMBERS["small" if small else "full"]
    counts = {"members": 0, "findings": 0}
    engagements = []
    for town in towns:
        engagement = make_engagement(db, town, auditor, verifier)
        rows = load_population(engagement, Population(rng, per_town, 50), auditor.id)
        counts["members"] += rows["members"]
        run_checks(engagement)
        db.session.commit()
        engagements.append(engagement)
    engagements[0].state = "issued"
    db.session.commit()
    counts["findings"] = db.session.query(PensionAuditFinding).count()
    first = engagements[0].id
    return {"counts": counts, "pages": [
        {"name": "pension_audit: engagements", "user": "pab_auditor", "path": "/pension_audit/"},
        {"name": "pension_audit: engagement", "user": "pab_auditor",
         "path": f"/pension_audit/{first}"},
        {"name": "pension_audit: findings", "user": "pab_auditor",
         "path": f"/pension_audit/{first}/findings"},
        {"name": "pension_audit: findings, item 12, page 3", "user": "pab_auditor",
         "path": f"/pension_audit/{first}/findings?item=12&page=3"},
        {"name": "pension_audit: report", "user": "pab_auditor",
         "path": f"/pension_audit/{first}/report"},
        {"name": "pension_audit: station's findings", "user": "pab_station",
         "path": "/pension_audit/findings"},
    ]}


def _enable(unit) -> None:
    """Enable the plugin for *unit* as an administrator does."""
    from core import units  # bench code, not a plugin: core's own switch

    units.set_plugin_state("pension_audit", unit, True)


# -- the measurements ------------------------------------------------------------------------


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(label: str, work, trace: bool = False):
    """Run *work*, print its wall time and memory: the process's peak RSS (without tracing,
    so that the time is real) or, with *trace*, the peak of Python's allocations."""
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{label}: Python allocations peak {peak / 2**20:.1f} MiB (traced run)",
              flush=True)
    else:
        print(f"{label}: {seconds:.1f} s, process peak RSS so far {_rss():.0f} MiB", flush=True)
    return result


def contributions_csv(rng: random.Random, rows: int) -> bytes:
    from danwei_pension_audit.generator import Population

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["身份证号", "年度", "档次", "金额", "入账日期", "类型", "补缴年限"])
    written = 0
    while written < rows:
        for kind, row in Population(rng, 10000, 50).rows():
            if kind != "contributions":
                continue
            writer.writerow([row["id_number"], row["year"], f"{row['tier'] / 100:.2f}",
                             f"{row['amount'] / 100:.2f}", row["booked_on"].isoformat(),
                             "补缴" if row["kind"] == "back" else "正常", row["years"]])
            written += 1
            if written == rows:
                break
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/pa_bench")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--contributions", type=int, default=200_000)
    args = parser.parse_args()

    import sqlalchemy as sa

    if args.database_url.startswith("postgresql"):
        base, name = args.database_url.rsplit("/", 1)
        admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()

    from core import create_app, schema
    from core.api import create_unit, create_user, db

    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "bench",
                      "RUN_JOBS_IN_PROCESS": False, "RUN_TASKS_IN_PROCESS": False})
    with app.app_context():
        schema.upgrade()
        from core import roles
        from core.plugins import plugin_host

        roles.sync_declared_roles(plugin_host(app))
        from danwei_pension_audit import checks, imports
        from danwei_pension_audit.generator import Population
        from danwei_pension_audit.generator import load as load_population
        from danwei_pension_audit.models import PensionAuditImport
        from danwei_pension_audit.testing import make_engagement

        county = create_unit("pab-county", "基准县", "agency")
        town = create_unit("pab-town", "基准乡镇", "station", parent=county)
        auditor = create_user("pab_a", "稽核员", PASSWORD, unit=county)
        verifier = create_user("pab_v", "复核员", PASSWORD, unit=county)
        db.session.commit()
        rng = random.Random(2026)

        data = contributions_csv(rng, args.contributions)
        engagement = make_engagement(db, town, auditor, verifier)
        record = PensionAuditImport(
            engagement_id=engagement.id, kind="contributions", filename="c.csv",
            created_by_id=auditor.id, mapping_json=__import__("json").dumps(
                imports.guess_mapping("contributions", ["身份证号", "年度", "档次", "金额",
                                                        "入账日期", "类型", "补缴年限"]),
                ensure_ascii=False))
        db.session.add(record)
        db.session.flush()

        def do_import():
            # As the background task does: every row checked first, then inserted.
            imports.import_file(record, data, write=False)
            outcome = imports.import_file(record, data)
            db.session.commit()
            return outcome

        outcome = _measure(f"import of {args.contributions} contribution rows "
                                   f"({len(data) / 2**20:.1f} MiB CSV)", do_import)
        print(f"  read {outcome.read}, imported {outcome.imported}, bad {outcome.bad}")
        del data

        for members in (args.members // 5, args.members):
            engagement = make_engagement(db, town, auditor, verifier)
            started = time.perf_counter()
            counts = load_population(engagement, Population(rng, members, 50), auditor.id)
            db.session.commit()
            print(f"generated {members} members, {sum(counts.values())} rows in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)

            def do_checks(engagement=engagement):
                count = checks.run_checks(engagement)
                db.session.commit()
                return count

            count = _measure(f"all checks over {members} members", do_checks)
            _measure(f"all checks over {members} members", do_checks, trace=True)
            print(f"  {count} findings")


if __name__ == "__main__":
    main()
