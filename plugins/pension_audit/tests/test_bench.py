"""The benchmark's generator (bench/plugins/pension_audit.py) at its small scale: it makes the
data and every page it lists answers."""

import importlib.util
import random
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "plugins" / "pension_audit.py"


@pytest.mark.skipif(not BENCH.exists(), reason="outside Danwei's checkout")
def test_bench_generate_small(app, db):
    spec = importlib.util.spec_from_file_location("bench_pension_audit", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from core.api import create_unit

    create_unit("bench-root", "基准", "organisation")
    db.session.commit()
    made = module.generate(app, random.Random(1), small=True)
    assert made["counts"]["members"] == 600 and made["counts"]["findings"] > 0
    for page in made["pages"]:
        client = app.test_client()
        response = client.post("/login", data={"username": page["user"],
                                               "password": "danwei2026"})
        assert response.status_code == 302, page
        assert client.get(page["path"]).status_code == 200, page
