"""A plugin may need another (``DANWEI_REQUIRES``): refused when it is missing or of the wrong
version, refused for a unit where it is not enabled, inert where it gets disabled."""

from __future__ import annotations

import pytest

from core.cli import main
from core.testing import TEST_PASSWORD

BASE = """
from core.api import MenuItem, hookimpl


@hookimpl
def menu_items():
    return [MenuItem("Base menu", "home.index")]
"""

USER = """
from core.api import MenuItem, hookimpl

DANWEI_REQUIRES = {REQUIRES}


@hookimpl
def menu_items():
    return [MenuItem("Needy menu", "home.index")]
"""


def needy(make_plugin, requires):
    make_plugin("rq_needy", USER.replace("{REQUIRES}", repr(requires)))


def listing(app):
    with app.app_context():
        return app.test_cli_runner().invoke(main, ["plugins", "list"]).output


@pytest.mark.parametrize(("requires", "message"), [
    ({"rq_absent": ">=0.1"}, "needs plugin rq_absent >=0.1, which is not installed"),
    ({"rq_base": ">=2"}, "needs plugin rq_base >=2, but 0.1 is installed"),
])
def test_a_plugin_needing_what_is_not_there_is_refused(make_plugin, make_app, requires,
                                                       message):
    make_plugin("rq_base", BASE)
    needy(make_plugin, requires)
    app = make_app()
    host = app.extensions["danwei"]
    assert "rq_base" in host.loaded and "rq_needy" not in host.loaded
    assert f"error in requires: {message}" in listing(app)


def test_needed_plugin_must_be_enabled_first_and_disabling_it_makes_the_other_inert(
        make_plugin, make_app, create_user):
    make_plugin("rq_base", BASE)
    needy(make_plugin, {"rq_base": ">=0.1"})
    app = make_app()
    assert "rq_needy" in app.extensions["danwei"].loaded
    runner = app.test_cli_runner()
    with app.app_context():
        from core import units
        from core.extensions import db

        school = units.create_unit("rq-school", "RQ school", "school")
        db.session.commit()
        school_id = school.id
        refused = runner.invoke(main, ["plugins", "enable", "rq_needy", "--unit", "rq-school"])
        assert refused.exit_code != 0
        assert "rq_needy needs rq_base, which is not enabled for rq-school" in refused.output
        for name in ("rq_base", "rq_needy"):
            assert runner.invoke(main, ["plugins", "enable", name, "--unit",
                                        "rq-school"]).exit_code == 0
        create_user("rq_user", school)
    client = app.test_client()
    client.post("/login", data={"username": "rq_user", "password": TEST_PASSWORD})
    page = client.get("/").text
    assert "Needy menu" in page and "Base menu" in page
    with app.app_context():
        assert runner.invoke(main, ["plugins", "disable", "rq_base", "--unit",
                                    "rq-school"]).exit_code == 0
        from core.access import enabled_unit_ids
        from core.extensions import db

        assert school_id not in set(db.session.scalars(enabled_unit_ids("rq_needy")))
    page = client.get("/").text
    assert "Needy menu" not in page and "Base menu" not in page
