"""The unit tree in administration: scoped view, create, rename, move."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.models import AuditEvent, Unit


@pytest.fixture
def schools(create_unit):
    a = create_unit("sa", "School A", "school")
    a1 = create_unit("sa-g1", "A Grade 1", "grade", a)
    b = create_unit("sb", "School B", "school")
    return SimpleNamespace(
        a=a, a1=a1, a11=create_unit("sa-g1-c1", "A Class 1", "class", a1),
        a2=create_unit("sa-g2", "A Grade 2", "grade", a),
        b=b, b1=create_unit("sb-g1", "B Grade 1", "grade", b),
    )


@pytest.fixture
def admin_a(schools, login_as):
    return login_as("core.unit_admin", schools.a, username="admin_a")


def tree_codes(text):
    tree = text.split('data-testid="unit-tree"')[1]
    return [part.split('"')[0] for part in tree.split('data-unit="')[1:]]


def test_tree_shows_the_scope_nested(client, schools, admin_a):
    text = client.get("/admin/units").text
    assert tree_codes(text) == ["sa", "sa-g1", "sa-g1-c1", "sa-g2"]
    assert "School B" not in text
    # Nested: the class sits inside its grade's list.
    grade = text.split('data-unit="sa-g1"')[1].split('data-unit="sa-g2"')[0]
    assert 'data-unit="sa-g1-c1"' in grade and "<details open>" in text


def test_create_child_unit(client, db, schools, admin_a):
    response = client.post("/admin/units/new", data={
        "parent": schools.a2.id, "code": "sa-g2-c1", "name": "A Class 2-1", "kind": "class"})
    assert response.status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.code == "sa-g2-c1"))
    assert unit.parent_id == schools.a2.id and unit.path == f"{schools.a2.path}{unit.id}/"
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "core.unit_created")).unit_id == unit.id
    assert "sa-g2-c1" in tree_codes(client.get("/admin/units").text)


def test_rejected_unit_form_keeps_what_was_typed(client, schools, admin_a):
    response = client.post("/admin/units/new", data={
        "parent": schools.a.id, "code": "sb", "name": "Typed name", "kind": "class"})
    assert response.status_code == 422
    assert "Another unit has this code." in response.text
    assert 'value="Typed name"' in response.text
    bad = client.post("/admin/units/new", data={
        "parent": schools.a.id, "code": "has space", "name": "X", "kind": "class"})
    assert "Use letters, digits and . _ - @ only." in bad.text


def test_unit_admin_cannot_create_outside_or_at_the_top(client, db, schools, admin_a):
    into_b = client.post("/admin/units/new", data={
        "parent": schools.b.id, "code": "evil", "name": "Evil", "kind": "class"})
    assert into_b.status_code == 422 and "Not a valid choice" in into_b.text
    top = client.post("/admin/units/new", data={
        "parent": "0", "code": "evil2", "name": "Evil", "kind": "school"})
    assert top.status_code == 422
    assert db.session.scalar(select(Unit).where(Unit.code.in_(["evil", "evil2"]))) is None


def test_rename(client, db, schools, admin_a):
    response = client.post(f"/admin/units/{schools.a1.id}",
                           data={"name": "初一年级", "kind": "grade"})
    assert response.status_code == 302
    db.session.refresh(schools.a1)
    assert schools.a1.name == "初一年级"
    assert db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "core.unit_renamed")).startswith("sa-g1: A Grade 1")
    empty = client.post(f"/admin/units/{schools.a1.id}", data={"name": "", "kind": "grade"})
    assert empty.status_code == 422 and "This field is required." in empty.text


def test_move_with_subtree(client, db, schools, admin_a):
    page = client.get(f"/admin/units/{schools.a1.id}/move").text
    assert "A Grade 2" in page
    assert f'value="{schools.a11.id}"' not in page  # not into its own subtree
    response = client.post(f"/admin/units/{schools.a1.id}/move", data={"parent": schools.a2.id})
    assert response.status_code == 302
    db.session.refresh(schools.a1)
    db.session.refresh(schools.a11)
    assert schools.a1.parent_id == schools.a2.id
    assert schools.a11.path == f"{schools.a2.path}{schools.a1.id}/{schools.a11.id}/"
    assert schools.a11.depth == 3


def test_cannot_move_into_own_subtree(client, db, schools, admin_a):
    response = client.post(f"/admin/units/{schools.a1.id}/move", data={"parent": schools.a11.id})
    assert response.status_code == 422
    db.session.refresh(schools.a1)
    assert schools.a1.parent_id == schools.a.id


def test_other_school_is_404(client, db, schools, admin_a):
    assert client.get(f"/admin/units/{schools.b1.id}").status_code == 404
    assert client.post(f"/admin/units/{schools.b1.id}",
                       data={"name": "Hacked", "kind": "grade"}).status_code == 404
    assert client.post(f"/admin/units/{schools.b1.id}/move",
                       data={"parent": schools.a.id}).status_code == 404
    # Moving one's own unit under another school is not offered either.
    assert client.post(f"/admin/units/{schools.a1.id}/move",
                       data={"parent": schools.b.id}).status_code == 422
    db.session.refresh(schools.b1)
    assert schools.b1.name == "B Grade 1"


def test_superuser_moves_to_the_top(client, db, schools, create_user, login):
    create_user("root", is_superuser=True)
    login("root")
    assert tree_codes(client.get("/admin/units").text)[:1] == ["sa"]
    client.post(f"/admin/units/{schools.a2.id}/move", data={"parent": "0"})
    db.session.refresh(schools.a2)
    assert schools.a2.parent_id is None and schools.a2.depth == 0
