"""Role assignments per unit, and the roles with their permissions."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.models import AuditEvent, Role, RoleAssignment


@pytest.fixture
def schools(create_unit):
    a = create_unit("sa", "School A", "school")
    b = create_unit("sb", "School B", "school")
    return SimpleNamespace(a=a, a1=create_unit("sa-c1", "A Class 1", "class", a),
                           b=b, b1=create_unit("sb-c1", "B Class 1", "class", b))


@pytest.fixture
def admin_a(schools, login_as):
    return login_as("core.unit_admin", schools.a, username="admin_a", name="Admin A")


def held(db, unit):
    return sorted(
        (a.user.username, a.role.name)
        for a in db.session.scalars(select(RoleAssignment).where(RoleAssignment.unit_id == unit.id))
    )


def test_assign_and_revoke(client, db, schools, admin_a, create_user):
    create_user("zhou", unit=schools.a1, name="周老师")
    page = client.get(f"/admin/assignments?unit={schools.a.id}")
    assert "Admin A" in page.text and "Unit administrator" in page.text
    response = client.post(f"/admin/assignments?unit={schools.a1.id}",
                           data={"username": "ZHOU", "role": _role_id(db, "core.auditor")})
    assert response.status_code == 302
    assert held(db, schools.a1) == [("zhou", "core.auditor")]
    assert "周老师" in client.get(f"/admin/assignments?unit={schools.a1.id}").text
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "core.role_assigned", AuditEvent.unit_id == schools.a1.id))

    assignment = db.session.scalar(select(RoleAssignment).where(
        RoleAssignment.unit_id == schools.a1.id))
    assert client.post(f"/admin/assignments/{assignment.id}/revoke").status_code == 302
    assert held(db, schools.a1) == []
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "core.role_revoked"))


def _role_id(db, name):
    return db.session.scalar(select(Role.id).where(Role.name == name))


def test_assign_keeps_typed_user_name_when_refused(client, db, schools, admin_a, create_user):
    create_user("outsider", unit=schools.b1)
    response = client.post(f"/admin/assignments?unit={schools.a1.id}",
                           data={"username": "outsider", "role": _role_id(db, "core.auditor")})
    assert response.status_code == 422
    assert "No user with this user name among your units." in response.text
    assert 'value="outsider"' in response.text
    assert held(db, schools.a1) == []


def test_other_school_is_404(client, db, schools, admin_a, create_user):
    teacher = create_user("wu", unit=schools.b1, roles=(("core.auditor", schools.b1),))
    assert client.get(f"/admin/assignments?unit={schools.b1.id}").status_code == 404
    assert client.post(f"/admin/assignments?unit={schools.b1.id}", data={
        "username": "admin_a", "role": _role_id(db, "core.auditor")}).status_code == 404
    assignment = teacher.assignments[0]
    assert client.post(f"/admin/assignments/{assignment.id}/revoke").status_code == 404
    assert held(db, schools.b1) == [("wu", "core.auditor")]
    unit_list = client.get(f"/admin/assignments?unit={schools.a.id}").text
    assert "School B" not in unit_list


def test_user_search_is_scoped(client, schools, admin_a, create_user):
    create_user("liu1", unit=schools.a1, name="刘一")
    create_user("liu2", unit=schools.b1, name="刘二")
    found = client.get("/admin/users/search?q=liu").get_json()
    assert found == [{"username": "liu1", "name": "刘一", "unit": "A Class 1"}]
    assert client.get("/admin/users/search?q=刘").get_json()[0]["username"] == "liu1"


PLUGIN = '''
from core.api import Permission, RoleSpec, hookimpl


@hookimpl
def register_permissions():
    return [Permission("adm_role1.lend", "Lend books")]


@hookimpl
def register_roles():
    return [RoleSpec("adm_role1.librarian", "Librarian", ("adm_role1.lend",))]
'''


def test_role_choices_follow_plugin_enablement(make_plugin, make_app):
    make_plugin("adm_role1", PLUGIN)
    app = make_app()
    with app.app_context():
        from core import roles, units, users
        from core.extensions import db

        school = units.create_unit("s", "School")
        c1 = units.create_unit("s-c1", "Class 1", parent=school)
        c2 = units.create_unit("s-c2", "Class 2", parent=school)
        units.set_plugin_state("adm_role1", c1, True)
        boss = users.create_user("boss", "Boss", "secret123", school)
        roles.assign(boss, "core.unit_admin", school)
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"username": "boss", "password": "secret123"})
        assert "adm_role1.librarian" in client.get(f"/admin/assignments?unit={c1.id}").text
        assert "adm_role1.librarian" not in client.get(f"/admin/assignments?unit={c2.id}").text
        librarian = db.session.scalar(select(Role.id).where(Role.name == "adm_role1.librarian"))
        refused = client.post(f"/admin/assignments?unit={c2.id}",
                              data={"username": "boss", "role": librarian})
        assert refused.status_code == 422 and "Not a valid choice" in refused.text

        roles_page = client.get("/admin/roles").text
        assert "Librarian" in roles_page and "Lend books" in roles_page


def test_roles_list_shows_permission_labels(client, schools, admin_a):
    text = client.get("/admin/roles").text
    row = text.split('id="role-core.auditor"')[1].split("</tr>")[0]
    assert "Read the audit log of the unit" in row and "core.view_audit" in row
    assert "/admin/roles/" not in text  # no edit link for a unit administrator


def test_only_superusers_change_role_permissions(app, client, db, schools, admin_a,
                                                 create_user, login):
    auditor = _role_id(db, "core.auditor")
    assert client.get(f"/admin/roles/{auditor}").status_code == 403
    assert client.post(f"/admin/roles/{auditor}",
                       data={"permissions": ["core.manage_users"]}).status_code == 403

    create_user("root", is_superuser=True)
    root = app.test_client()
    login("root", using=root)
    page = root.get(f"/admin/roles/{auditor}").text
    assert 'value="core.view_audit" id="perm-core.view_audit" checked' in page
    response = root.post(f"/admin/roles/{auditor}",
                         data={"permissions": ["core.view_audit", "core.manage_units"]})
    assert response.status_code == 302
    role = db.session.get(Role, auditor)
    db.session.refresh(role)
    assert role.permission_names == {"core.view_audit", "core.manage_units"} and role.customised
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "core.role_permissions_changed"))
    assert event.data["added"] == ["core.manage_units"]
    assert root.post(f"/admin/roles/{auditor}",
                     data={"permissions": ["made.up"]}).status_code == 400
