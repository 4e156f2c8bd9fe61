"""Settings pages generated from declared SettingSpecs: global and per-unit values,
inheritance, validation, reset."""

import pytest
from sqlalchemy import select

from core.models import AuditEvent, SettingValue

PLUGIN = '''
from core.api import SettingSpec, hookimpl


@hookimpl
def register_settings():
    return [
        SettingSpec("max_days", "Longest leave (days)", type="int", default=3, min=1, max=30),
        SettingSpec("ratio", "Ratio", type="float", default=0.5, min=0, max=1),
        SettingSpec("notify", "Notify parents", type="bool", default=True),
        SettingSpec("mode", "Mode", type="choice", default="strict",
                    choices=(("strict", "Strict"), ("lenient", "Lenient"))),
        SettingSpec("gate_opens", "Gate opens", type="time", default="07:00"),
        SettingSpec("term_starts", "Term starts", type="date", default="2026-09-01"),
        SettingSpec("motto", "Motto", type="text", default=""),
        SettingSpec("licence", "Licence key", default="", scope="global"),
    ]
'''


@pytest.fixture
def world(make_plugin, make_app):
    make_plugin("adm_set1", PLUGIN)
    app = make_app()
    ctx = app.app_context()
    ctx.push()
    from core import roles, units, users
    from core.extensions import db

    u = {}
    u["sa"] = units.create_unit("sa", "School A", "school")
    u["sa-c1"] = units.create_unit("sa-c1", "A Class 1", "class", u["sa"])
    u["sb"] = units.create_unit("sb", "School B", "school")
    units.set_plugin_state("adm_set1", u["sa"], True)
    admin = users.create_user("admin_a", "Admin A", "secret123", u["sa"])
    roles.assign(admin, "core.unit_admin", u["sa"])
    users.create_user("root", "Root", "secret123", is_superuser=True)
    db.session.commit()

    def client_of(username):
        client = app.test_client()
        client.post("/login", data={"username": username, "password": "secret123"})
        return client

    yield app, client_of, db, u
    ctx.pop()


def card(text, key):
    return text.split(f'data-setting="{key}"')[1].split("</section>")[0]


def get(plugin, key, unit=None):
    from core.settings import get_setting

    return get_setting(plugin, key, unit)


def test_global_values_validation_and_reset(world):
    app, client_of, db, u = world
    root = client_of("root")
    page = root.get("/admin/settings/adm_set1").text
    assert "Longest leave (days)" in card(page, "max_days") and "default" in card(page, "max_days")

    too_big = root.post("/admin/settings/adm_set1/max_days", data={"unit": "", "value": "45"})
    assert too_big.status_code == 422
    assert "Enter 30 or less." in card(too_big.text, "max_days")
    assert 'value="45"' in card(too_big.text, "max_days")  # what was typed stays
    not_number = root.post("/admin/settings/adm_set1/max_days", data={"value": "five"})
    assert "Enter a whole number." in not_number.text
    assert "Enter 0 or more." in root.post("/admin/settings/adm_set1/ratio",
                                           data={"value": "-1"}).text
    assert "Choose one of the listed values." in root.post(
        "/admin/settings/adm_set1/mode", data={"value": "chaos"}).text
    assert "Enter a time as HH:MM" in root.post("/admin/settings/adm_set1/gate_opens",
                                                data={"value": "25:99"}).text
    assert "Enter a date as YYYY-MM-DD" in root.post("/admin/settings/adm_set1/term_starts",
                                                     data={"value": "1/9/2026"}).text
    assert get("adm_set1", "max_days") == 3

    assert root.post("/admin/settings/adm_set1/max_days",
                     data={"value": " 10 "}).status_code == 302
    assert root.post("/admin/settings/adm_set1/notify", data={"value": "0"}).status_code == 302
    assert root.post("/admin/settings/adm_set1/gate_opens",
                     data={"value": "7:30"}).status_code == 302
    assert (get("adm_set1", "max_days"), get("adm_set1", "notify"),
            get("adm_set1", "gate_opens")) == (10, False, "07:30")
    page = root.get("/admin/settings/adm_set1").text
    assert "set here" in card(page, "max_days")
    root.post("/admin/settings/adm_set1/max_days", data={"action": "reset"})
    assert get("adm_set1", "max_days") == 3
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action.like("core.setting_%")).order_by(AuditEvent.id)).all()
    assert actions == ["core.setting_changed"] * 3 + ["core.setting_cleared"]


def test_unit_values_are_inherited_down_the_tree(world):
    app, client_of, db, u = world
    root = client_of("root")
    root.post("/admin/settings/adm_set1/max_days", data={"value": "5"})
    admin = client_of("admin_a")
    school = f"/admin/settings/adm_set1?unit={u['sa'].id}"
    assert "inherited from the global value" in card(admin.get(school).text, "max_days")
    assert admin.post("/admin/settings/adm_set1/max_days",
                      data={"unit": u["sa"].id, "value": "7"}).status_code == 302
    klass = admin.get(f"/admin/settings/adm_set1?unit={u['sa-c1'].id}").text
    assert "inherited from School A" in card(klass, "max_days")
    assert 'data-testid="value">7' in card(klass, "max_days")
    assert get("adm_set1", "max_days", u["sa-c1"]) == 7
    assert get("adm_set1", "max_days", u["sb"]) == 5

    admin.post("/admin/settings/adm_set1/max_days",
               data={"unit": u["sa"].id, "action": "reset"})
    assert get("adm_set1", "max_days", u["sa-c1"]) == 5


def test_unit_admin_is_kept_to_their_units(world):
    app, client_of, db, u = world
    admin = client_of("admin_a")
    page = admin.get("/admin/settings/adm_set1").text  # defaults to their first unit
    assert "School A" in page and "School B" not in page and "Global values" not in page
    assert admin.get(f"/admin/settings/adm_set1?unit={u['sb'].id}").status_code == 404
    assert admin.post("/admin/settings/adm_set1/max_days",
                      data={"unit": u["sb"].id, "value": "9"}).status_code == 404
    assert admin.post("/admin/settings/adm_set1/max_days",
                      data={"unit": "", "value": "9"}).status_code == 403
    # A global-only setting cannot be set per unit.
    assert "This setting has one value for all units." in card(page, "licence")
    assert admin.post("/admin/settings/adm_set1/licence",
                      data={"unit": u["sa"].id, "value": "x"}).status_code == 400
    assert db.session.scalar(select(SettingValue)) is None


def test_core_settings_page(world):
    app, client_of, db, u = world
    root = client_of("root")
    page = root.get("/admin/settings", follow_redirects=True).text
    assert "Intranet name" in page and "adm_set1" in page
    root.post("/admin/settings/core/site_name", data={"value": "实验中学内网"})
    assert "实验中学内网" in root.get("/").text
    assert "Enter 5 or more." in root.post("/admin/settings/core/page_size",
                                           data={"value": "2"}).text
    assert root.get("/admin/settings/nothing").status_code == 404
