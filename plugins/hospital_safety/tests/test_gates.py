"""Core's quality gates on this plugin, its demo data and its benchmark generator."""

import random

from sqlalchemy import func, select

from core.api import db
from core.testing_kit import PluginGates

PLUGIN = "hospital_safety"


class TestGates(PluginGates):
    """Migrations, models against migrations, translations, URL arguments, the authorization
    matrix over this plugin's routes, junk posted to its forms."""

    plugin = PLUGIN


def test_plugin_is_installed(app, cli):
    assert PLUGIN in app.extensions["danwei"].loaded


def test_demo_has_every_state_one_late_report_and_one_unexplained_difference(load_demo):
    from danwei_hospital_safety.models import DiseaseCase, DrugCount, Hazard

    load_demo()
    load_demo()
    states = dict(db.session.execute(
        select(Hazard.state, func.count(Hazard.id)).group_by(Hazard.state)).all())
    assert set(states) == {"reported", "notified", "fixed", "closed"}
    assert db.session.scalar(select(func.count(Hazard.id)).where(
        Hazard.state == "notified", Hazard.deadline_at < func.now())) >= 1
    assert db.session.scalar(select(func.count(DrugCount.id)).where(
        DrugCount.state == "open")) == 1
    late = db.session.scalars(select(DiseaseCase).where(DiseaseCase.reported_at.is_not(None))).all()
    assert sum((c.reported_at - c.diagnosed_at).total_seconds() / 60 > c.limit_minutes
               for c in late) == 1


def test_bench_generator_small(app):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "bench" / "plugins" / "hospital_safety.py"
    spec = importlib.util.spec_from_file_location("bench_hospital_safety", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from core.api import create_unit

    create_unit("bench-root", "Bench", "organisation")
    db.session.commit()
    result = module.generate(app, random.Random(1), small=True)
    assert result["counts"]["hazards"] > 0
    client = app.test_client()
    for page in result["pages"]:
        client.post("/logout")
        assert client.post("/login", data={"username": page["user"],
                                           "password": "danwei2026"}).status_code == 302
        assert client.get(page["path"]).status_code == 200, page
