"""What core owns for every plugin (contract 1.1): local time, the request cache, pagination,
subtree conditions and role holders, driven through a throwaway plugin as a plugin uses them."""

from __future__ import annotations

from datetime import datetime

import pytest

PROBE = '''
from flask import Blueprint, render_template_string

from core.api import (Permission, RoleSpec, Unit, db, hookimpl, login_required_only, paginate,
                      request_cache)

bp = Blueprint("cm_probe", __name__)


@bp.route("/cache")
@login_required_only
def cached():
    """How many times this request asked: a request never sees the one before it."""
    hits = request_cache("cm_probe.hits")
    hits["n"] = hits.get("n", 0) + 1
    return str(hits["n"])


@bp.route("/units/<int:unit_id>")
@login_required_only
def units(unit_id):
    """Units below one, a page at a time."""
    parent = db.session.get(Unit, unit_id)
    page = paginate(db.select(Unit).where(Unit.is_within(parent)).order_by(Unit.code),
                    per_page=1)
    return render_template_string(
        "{% from '_macros.html' import pagination %}"
        "{% for u in page %}<i>{{ u.code }}</i>{% endfor %}"
        "{{ pagination(page, unit_id=unit_id) }}", page=page, unit_id=unit_id)


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_permissions():
    return [Permission("cm_probe.view", "View"), Permission("cm_probe.sign", "Sign")]


@hookimpl
def register_roles():
    return [RoleSpec("cm_probe.head", "Head", ("cm_probe.view", "cm_probe.sign")),
            RoleSpec("cm_probe.member", "Member", ("cm_probe.view",))]
'''


@pytest.fixture
def probe(make_plugin, make_app):
    make_plugin("cm_probe", PROBE, contract=">=1.1,<2")
    app = make_app()
    with app.app_context():
        yield app


def test_a_request_cache_starts_empty_on_every_request(probe, create_user, login):
    client = probe.test_client()
    login(create_user("cm_user"), using=client)
    assert [client.get("/cm_probe/cache").text for _ in range(3)] == ["1", "1", "1"]


def test_paginate_and_the_pagination_macro_keep_arguments_and_filters(probe, unit_tree,
                                                                       create_user, login):
    leaf = unit_tree("cm-s/cm-a")
    unit_tree("cm-s/cm-b")
    school = leaf.parent
    client = probe.test_client()
    login(create_user("cm_user"), using=client)
    first = client.get(f"/cm_probe/units/{school.id}?q=x").text
    assert "<i>cm-a</i>" in first and "<i>cm-b</i>" not in first
    assert f'href="/cm_probe/units/{school.id}?q=x&amp;page=2"' in first
    assert "Page 1 of 3" in first
    last = client.get(f"/cm_probe/units/{school.id}?page=3").text
    assert "<i>cm-s</i>" in last and "Previous" in last and "Next" not in last
    beyond = client.get(f"/cm_probe/units/{school.id}?page=99")
    assert beyond.status_code == 200 and "<i>" not in beyond.text  # a page past the end


def test_holders_of_a_role_up_and_down_the_tree(probe, unit_tree, create_user, enable_plugin,
                                                db):
    from core.api import User, holders, permission_holders

    cls = unit_tree("cm-s/cm-g/cm-c")
    grade, school = cls.parent, cls.parent.parent
    enable_plugin("cm_probe", school)
    create_user("head", school, roles=(("cm_probe.head", school),))
    create_user("member", cls, roles=(("cm_probe.member", cls),))
    create_user("gone", cls, roles=(("cm_probe.member", cls),), active=False)

    def names(query):
        return [u.username for u in db.session.scalars(query.order_by(User.username))]

    assert names(holders("cm_probe.head", cls)) == ["head"]  # held above, applies here
    assert names(holders("cm_probe.head", cls, include_ancestors=False)) == []
    assert names(holders("cm_probe.member", school)) == []
    assert names(holders("cm_probe.member", school, include_subtree=True)) == ["member"]
    assert names(permission_holders("cm_probe.view", cls)) == ["head", "member"]
    assert names(permission_holders("cm_probe.sign", cls)) == ["head"]
    assert names(permission_holders("cm_probe.view", cls).where(User.unit_id == cls.id)) \
        == ["member"]
    enable_plugin("cm_probe", grade, False)
    assert names(holders("cm_probe.head", cls)) == []  # a disabled plugin's roles are inert
    assert names(holders("cm_probe.head", school)) == ["head"] and cls.is_within(school)


@pytest.mark.danwei_config(BABEL_DEFAULT_TIMEZONE="Europe/London")
def test_local_time_follows_the_configured_zone(app):
    from core.api import local_date, local_zone, to_local, to_utc

    assert local_zone().key == "Europe/London"
    summer = datetime(2026, 7, 1, 23, 30)  # stored UTC: 00:30 on 2 July in London
    assert to_local(summer) == datetime(2026, 7, 2, 0, 30)
    assert to_utc(to_local(summer)) == summer
    assert str(local_date(summer)) == "2026-07-02"
    assert to_local(None) is None and to_utc(None) is None


def test_local_time_is_beijing_time_by_default(app):
    from core.api import local_zone, to_local

    assert local_zone().key == "Asia/Shanghai"
    assert to_local(datetime(2026, 1, 1, 16, 0)) == datetime(2026, 1, 2, 0, 0)
