"""Plugins in administration: installed list, per-unit enablement, confirmed purge."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from core.models import AuditEvent, PluginState

PLUGIN = '''
from core.api import Permission, hookimpl

#: The plugin's "data": notes per unit id (a real plugin has tables).
NOTES = {}


@hookimpl
def register_permissions():
    return [Permission("{name}.read", "Read notes")]


@hookimpl
def unit_data_export(unit):
    return {"notes": [n for uid, notes in NOTES.items() for n in notes if uid in SUBTREE(unit)]}


@hookimpl
def on_unit_purge(unit):
    for uid in SUBTREE(unit):
        NOTES.pop(uid, None)


def SUBTREE(unit):
    from core.api import db, subtree
    return {u.id for u in db.session.scalars(subtree(unit))}
'''


@pytest.fixture(autouse=True)
def private_instance(tmp_path, monkeypatch):
    """Purge exports go under the instance folder: use a throwaway one."""
    monkeypatch.setenv("DANWEI_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture
def world(make_plugin, make_app):
    """Schools A and B with a class each, the plugin ``adm_plug1`` and a unit admin of A."""
    make_plugin("adm_plug1", PLUGIN.replace("{name}", "adm_plug1"), version="2.3")
    make_plugin("adm_old", "", contract=">=9")
    app = make_app()
    ctx = app.app_context()
    ctx.push()
    from core import roles, units, users
    from core.extensions import db

    u = {code: None for code in ("sa", "sa-c1", "sb", "sb-c1")}
    u["sa"] = units.create_unit("sa", "School A", "school")
    u["sa-c1"] = units.create_unit("sa-c1", "A Class 1", "class", u["sa"])
    u["sb"] = units.create_unit("sb", "School B", "school")
    u["sb-c1"] = units.create_unit("sb-c1", "B Class 1", "class", u["sb"])
    admin = users.create_user("admin_a", "Admin A", "secret123", u["sa"])
    roles.assign(admin, "core.unit_admin", u["sa"])
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "admin_a", "password": "secret123"})
    yield app, client, db, u
    ctx.pop()


def state_of(text, code):
    return text.split(f'data-unit="{code}"')[1].split('data-state="')[1].split('"')[0]


def test_installed_plugins_are_listed_with_their_state(world):
    app, client, db, u = world
    text = client.get("/admin/plugins").text
    row = text.split('id="plugin-adm_plug1"')[1].split("</tr>")[0]
    assert "2.3" in row and "&gt;=1.0,&lt;2" in row and "loaded" in row
    old = text.split('id="plugin-adm_old"')[1]
    assert "failed" in old.split("</tr>")[0]
    assert "supports hook contract &gt;=9" in old
    assert "Traceback" not in text  # details are for superusers


def test_enable_inherit_disable(world):
    app, client, db, u = world
    text = client.get("/admin/plugins/adm_plug1").text
    assert state_of(text, "sa") == "off-off" and "School B" not in text
    assert client.post(f"/admin/plugins/adm_plug1/units/{u['sa'].id}",
                       data={"enabled": "1"}).status_code == 302
    text = client.get("/admin/plugins/adm_plug1").text
    assert state_of(text, "sa") == "here-on"
    assert state_of(text, "sa-c1") == "inherited-on" and "from School A" in text
    client.post(f"/admin/plugins/adm_plug1/units/{u['sa-c1'].id}", data={"enabled": "0"})
    assert state_of(client.get("/admin/plugins/adm_plug1").text, "sa-c1") == "here-off"
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("core.plugin_%")).order_by(AuditEvent.id)).all()
    assert actions == ["core.plugin_enabled", "core.plugin_disabled"]


def test_other_school_and_unknown_plugins_are_404(world):
    app, client, db, u = world
    assert client.post(f"/admin/plugins/adm_plug1/units/{u['sb'].id}",
                       data={"enabled": "1"}).status_code == 404
    assert client.get(f"/admin/plugins/adm_plug1/units/{u['sb'].id}/purge").status_code == 404
    assert client.post(f"/admin/plugins/adm_plug1/units/{u['sb'].id}/purge",
                       data={"confirm": "sb"}).status_code == 404
    assert client.get("/admin/plugins/adm_old").status_code == 404
    assert client.get("/admin/plugins/nothing").status_code == 404
    assert db.session.scalar(select(PluginState)) is None


def test_purge_needs_the_typed_unit_code_and_exports_first(world):
    app, client, db, u = world
    import danwei_adm_plug1 as plugin

    plugin.NOTES.update({u["sa-c1"].id: ["homework"], u["sb-c1"].id: ["keep me"]})
    url = f"/admin/plugins/adm_plug1/units/{u['sa'].id}/purge"
    assert "Type sa." in client.get(url).text
    wrong = client.post(url, data={"confirm": "SA "})
    assert wrong.status_code == 422 and "This is not the unit code." in wrong.text
    assert plugin.NOTES[u["sa-c1"].id] == ["homework"]
    exports = Path(app.instance_path) / "exports"
    assert not exports.exists() or not list(exports.iterdir())

    done = client.post(url, data={"confirm": "sa"}, follow_redirects=True)
    assert "deleted" in done.text
    assert u["sa-c1"].id not in plugin.NOTES and plugin.NOTES[u["sb-c1"].id] == ["keep me"]
    [export] = list(exports.glob("adm_plug1-sa-*.json"))
    assert json.loads(export.read_text("utf-8")) == {"notes": ["homework"]}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "core.plugin_purged"))
    assert event.unit_id == u["sa"].id and event.data == {"export": export.name}


def test_a_plugins_units_go_over_several_pages(world):
    """More units than a page holds: the page links keep the plugin's name in the URL."""
    app, client, db, u = world
    from core import units
    from core.settings import set_setting

    for n in range(4):
        units.create_unit(f"sa-x{n}", f"A Extra {n}", "class", u["sa"])
    set_setting("core", "page_size", 2)
    db.session.commit()
    first = client.get("/admin/plugins/adm_plug1")
    assert first.status_code == 200
    assert "/admin/plugins/adm_plug1?page=2" in first.text
    second = client.get("/admin/plugins/adm_plug1?page=2")
    assert second.status_code == 200 and "/admin/plugins/adm_plug1?page=1" in second.text
