"""Roles held in a unit apply to its subtree only, for single objects and for lists."""

import pytest

PLUGIN = '''
from flask import Blueprint, abort
from core.api import (Permission, RoleSpec, MenuItem, db, hookimpl, permission_required,
                      require, unit_ids_where, Unit)

bp = Blueprint("{name}", __name__)


@bp.route("/units")
@permission_required("{name}.view")
def units():
    rows = db.session.scalars(
        db.select(Unit.code).where(Unit.id.in_(unit_ids_where("{name}.view"))).order_by(Unit.code)
    )
    return ",".join(rows)


@bp.route("/units/<code>")
@permission_required("{name}.view")
def unit(code):
    found = db.session.scalar(db.select(Unit).where(Unit.code == code))
    require("{name}.view", found)
    return found.name


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_permissions():
    return [Permission("{name}.view", "View")]


@hookimpl
def register_roles():
    return [RoleSpec("{name}.teacher", "Teacher", ("{name}.view",))]


@hookimpl
def menu_items():
    return [MenuItem("Scoped thing", "{name}.units", "{name}.view")]
'''


@pytest.fixture
def school(make_plugin, make_app):
    contexts = []

    def build(name):
        make_plugin(name, PLUGIN.format(name=name))
        app = make_app()
        ctx = app.app_context()
        ctx.push()
        contexts.append(ctx)
        from core import units

        s = units.create_unit("s", "School", "school")
        g1 = units.create_unit("g1", "Grade 1", "grade", s)
        a = units.create_unit("a", "Class A", "class", g1)
        b = units.create_unit("b", "Class B", "class", g1)
        units.set_plugin_state(name, s, True)
        from core.extensions import db

        db.session.commit()
        return app, {"s": s, "g1": g1, "a": a, "b": b}

    yield build
    for ctx in reversed(contexts):
        ctx.pop()


def test_class_teacher_sees_own_class_only(school):
    app, u = school("scoped1")
    from core import roles, users
    from core.extensions import db

    t = users.create_user("ta", "Teacher A", "secret123", u["a"])
    roles.assign(t, "scoped1.teacher", u["a"])
    g = users.create_user("gh", "Grade head", "secret123", u["g1"])
    roles.assign(g, "scoped1.teacher", u["g1"])
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "ta", "password": "secret123"})
    assert client.get("/scoped1/units").text == "a"
    assert client.get("/scoped1/units/a").status_code == 200
    assert client.get("/scoped1/units/b").status_code == 404
    assert "Scoped thing" in client.get("/").text

    head = app.test_client()
    head.post("/login", data={"username": "gh", "password": "secret123"})
    assert head.get("/scoped1/units").text == "a,b,g1"


def test_disabled_below_an_enabled_ancestor_is_inert(school):
    app, u = school("scoped2")
    from core import roles, units, users
    from core.extensions import db

    units.set_plugin_state("scoped2", u["b"], False)
    g = users.create_user("gh2", "Grade head", "secret123", u["g1"])
    roles.assign(g, "scoped2.teacher", u["g1"])
    tb = users.create_user("tb", "Teacher B", "secret123", u["b"])
    roles.assign(tb, "scoped2.teacher", u["b"])
    db.session.commit()
    head = app.test_client()
    head.post("/login", data={"username": "gh2", "password": "secret123"})
    assert head.get("/scoped2/units").text == "a,g1"
    assert head.get("/scoped2/units/b").status_code == 404

    teacher_b = app.test_client()
    teacher_b.post("/login", data={"username": "tb", "password": "secret123"})
    assert teacher_b.get("/scoped2/units").status_code == 404  # the plugin does not exist for B
    assert "Scoped thing" not in teacher_b.get("/").text


def test_scopes_worked_out_in_python_agree_with_the_sql_on_any_tree(school):
    """``can_anywhere`` and the listed scopes of ``unit_ids_where`` are worked out in Python
    (they run on every page); they must give the same units as the SQL subquery, for any tree
    of enable/disable records and any roles."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from sqlalchemy import delete

    app, u = school("scoped9")
    from core import access, roles, units, users
    from core.extensions import db
    from core.models import PluginState, RoleAssignment

    c1 = units.create_unit("c1", "Class C1", "class", u["a"])
    every = [u["s"], u["g1"], u["a"], u["b"], c1]
    user = users.create_user("anyw", "Someone", "secret123", u["s"])
    db.session.commit()
    states = st.dictionaries(st.sampled_from(range(len(every))), st.booleans(), max_size=4)
    held = st.sets(st.sampled_from(range(len(every))), max_size=3)

    @settings(max_examples=60, derandomize=True, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(states, held)
    def check(recorded, holders):
        db.session.execute(delete(PluginState).where(PluginState.plugin == "scoped9"))
        db.session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == user.id))
        for index, enabled in recorded.items():
            db.session.add(PluginState(plugin="scoped9", unit_id=every[index].id,
                                       enabled=enabled))
        for index in holders:
            roles.assign(user, "scoped9.teacher", every[index])
        db.session.flush()
        in_sql = set(db.session.scalars(access._unit_ids_where("scoped9.view", user)))
        listed = set(db.session.scalars(access.unit_ids_where("scoped9.view", user)))
        assert listed == in_sql, (recorded, holders)
        assert access.can_anywhere("scoped9.view", user) == bool(in_sql), (recorded, holders)

    check()
    db.session.rollback()
