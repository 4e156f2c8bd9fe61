"""The benchmark generator at its small scale: the data it makes and the pages it names
answer, and a page's statement count does not grow with the rows."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

from core.testing import queries_of

BENCH = Path(__file__).resolve().parents[3] / "bench" / "plugins" / "party_building.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_party_building", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.danwei_config(SERVER_TIMING=True)
def test_generate_small_and_pages_answer(app, create_unit):
    create_unit("bench-root", "基准单位", "organisation")
    result = load_bench().generate(app, random.Random(7), small=True)
    assert result["counts"]["party branches"] == 2
    assert result["counts"]["party members"] == 50
    counts = []
    for page in result["pages"]:
        client = app.test_client()
        client.post("/login", data={"username": page["user"], "password": "danwei2026"})
        with app.app_context():
            response = client.get(page["path"])
        assert response.status_code == 200, page
        counts.append(queries_of(response))
    print("statements per page", counts)
    assert all(c < 60 for c in counts), counts


@pytest.mark.danwei_config(SERVER_TIMING=True)
def test_statement_counts_do_not_grow_with_the_branch(app, create_unit):
    from datetime import timedelta

    from sqlalchemy import insert

    from core.api import db, local_today
    from danwei_party_building.models import (PartyDevFile, PartyDevStep, PartyMember,
                                              PartyPayChange)

    create_unit("bench-root", "基准单位", "organisation")
    result = load_bench().generate(app, random.Random(7), small=True)

    def measure():
        counts = []
        for page in result["pages"][:2]:
            client = app.test_client()
            client.post("/login", data={"username": page["user"], "password": "danwei2026"})
            with app.app_context():
                counts.append(queries_of(client.get(page["path"])))
        return counts

    measure()  # the first requests warm caches kept across requests
    before = measure()
    branch_id = int(result["pages"][0]["path"].rsplit("/", 1)[1])
    today = local_today()
    db.session.execute(insert(PartyMember), [dict(unit_id=branch_id, name=f"加{i}",
                                                  status="full") for i in range(40)])
    db.session.execute(insert(PartyDevFile), [dict(unit_id=branch_id, name=f"档{i}",
                                                   stage="activist") for i in range(15)])
    db.session.flush()
    files = db.session.scalars(db.select(PartyDevFile.id).where(
        PartyDevFile.unit_id == branch_id, PartyDevFile.stage == "activist")).all()
    db.session.execute(insert(PartyDevStep), [
        dict(unit_id=branch_id, file_id=f, step=s, on=today - timedelta(days=d))
        for f in files for s, d in (("applied", 90), ("talked", 80), ("activist", 60))])
    members = db.session.scalars(db.select(PartyMember.id).where(
        PartyMember.unit_id == branch_id)).all()
    db.session.execute(insert(PartyPayChange), [
        dict(unit_id=branch_id, member_id=m, from_month=today.replace(day=1),
             category="employed", pay=4000) for m in members])
    db.session.commit()
    assert measure() == before
