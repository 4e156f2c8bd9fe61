"""Tests of the pension_audit plugin, on core's fixtures (``core.testing``, no conftest needed).

Run with ``pytest tests``; ``DANWEI_TEST_DATABASE_URL=postgresql+psycopg://...`` for
PostgreSQL.
"""

from core.api import db
from core.testing_kit import PluginGates

PLUGIN = "pension_audit"


class TestGates(PluginGates):
    """Core's quality gates: migrations, models, translations, URL arguments, the
    authorization matrix over this plugin's routes, junk posted to its forms."""

    plugin = PLUGIN


def test_plugin_is_installed(app, cli):
    assert PLUGIN in app.extensions["danwei"].loaded
    listing = cli("plugins", "list").output
    assert any(line.split()[:1] == [PLUGIN] for line in listing.splitlines())


def test_editor_adds_an_item_and_sees_it(client, unit_tree, enable_plugin, login_as):
    school = unit_tree("s1", kinds=("school",))
    enable_plugin(PLUGIN, school)
    login_as(f"{PLUGIN}.editor", school)
    response = client.post(f"/{PLUGIN}/new", data={"title": "Sports day", "body": "Friday"})
    assert response.status_code == 302, response.text
    detail = client.get(response.headers["Location"])
    assert detail.status_code == 200 and "Sports day" in detail.text
    assert "Sports day" in client.get(f"/{PLUGIN}/").text
    assert "Sports day" in client.get("/").text  # the dashboard widget


def test_form_keeps_junk_out(client, unit_tree, enable_plugin, login_as):
    school = unit_tree("s1", kinds=("school",))
    enable_plugin(PLUGIN, school)
    login_as(f"{PLUGIN}.editor", school)
    assert client.post(f"/{PLUGIN}/new", data={"title": ""}).status_code == 200
    assert client.post(f"/{PLUGIN}/new", data={"title": "x" * 500}).status_code == 200


def test_items_of_another_unit_are_not_found(client, unit_tree, enable_plugin, login_as,
                                              as_user, create_user):
    g1 = unit_tree("s1/g1", kinds=("school", "grade"))
    g2 = unit_tree("s1/g2")
    enable_plugin(PLUGIN, g1.parent)
    writer = as_user(create_user(unit=g1, roles=((f"{PLUGIN}.editor", g1),)))
    response = writer.post(f"/{PLUGIN}/new", data={"title": "Only grade 1"})
    assert response.status_code == 302
    login_as(f"{PLUGIN}.reader", g2)
    assert client.get(response.headers["Location"]).status_code == 404
    assert "Only grade 1" not in client.get(f"/{PLUGIN}/").text
    assert "Only grade 1" not in client.get("/").text


def test_reader_may_not_add(client, unit_tree, enable_plugin, login_as):
    school = unit_tree("s1", kinds=("school",))
    enable_plugin(PLUGIN, school)
    login_as(f"{PLUGIN}.reader", school)
    assert client.get(f"/{PLUGIN}/new").status_code in (403, 404)


def test_demo_data_loads_twice(load_demo):
    load_demo()
    load_demo()
    from danwei_pension_audit.models import PensionAuditItem

    assert db.session.scalar(db.select(db.func.count(PensionAuditItem.id))) == 1
