"""The benchmark data generator (``bench/generate.py``) still makes data the app can use.

A tiny county and property company go into an empty database; ``verify`` then logs in as the
manifest's people, opens the pages and approves a generated pending leave through the inbox's
action, so a change to the schema or the engine that the generator does not follow fails here.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def bench_generate():
    spec = importlib.util.spec_from_file_location("bench_generate",
                                                  ROOT / "bench" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generate_and_verify(bench_generate, fresh_database_url, tmp_path):
    target = tmp_path / "manifest.json"
    manifest = bench_generate.generate(fresh_database_url, schools=1, classes=2, students=25,
                                       leaves=60, property_years=1, manifest=target)
    assert json.loads(target.read_text(encoding="utf-8"))["accounts"] == manifest["accounts"]
    assert manifest["counts"]["school_leave_leaves"] == 60
    assert manifest["counts"]["workflow_instances"] >= 60
    assert manifest["counts"]["school_leave_contacts"] == 2 * 25
    assert manifest["counts"]["property_reports_plans"] >= 12
    assert manifest["pending_for_class_teacher"]
    assert set(manifest) >= {"password", "counts", "accounts", "units", "leave_ids",
                             "pending_for_class_teacher", "property"}
    bench_generate.verify(fresh_database_url, manifest)


def test_refuses_a_database_with_tables(bench_generate, fresh_database_url):
    bench_generate.generate(fresh_database_url, schools=1, classes=1, students=25, leaves=30,
                            property_years=1)
    with pytest.raises(SystemExit, match="not empty"):
        bench_generate.generate(fresh_database_url, schools=1, classes=1, students=25,
                                leaves=30, property_years=1)
