"""Administration of people: scoped lists, create, edit, deactivate, reset password; and the
admin overview with its navigation and plugin error banner."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.models import AuditEvent, User

WEAK = "short"


@pytest.fixture
def schools(create_unit):
    a = create_unit("sa", "School A", "school")
    b = create_unit("sb", "School B", "school")
    return SimpleNamespace(
        a=a, a1=create_unit("sa-c1", "A Class 1", "class", a),
        b=b, b1=create_unit("sb-c1", "B Class 1", "class", b),
    )


@pytest.fixture
def admin_a(schools, login_as):
    """A unit administrator of school A, logged in on ``client``."""
    return login_as("core.unit_admin", schools.a, username="admin_a", name="Admin A")


def events(db, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


# -- overview and navigation ----------------------------------------------------------------


def test_overview_counts_and_navigation(client, schools, admin_a, create_user):
    create_user("pupil1", unit=schools.a1)
    create_user("pupil2", unit=schools.a1, active=False)
    create_user("other", unit=schools.b1)
    page = client.get("/admin/")
    assert page.status_code == 200
    assert 'data-testid="count-users">2<' in page.text  # admin_a and pupil1, not school B
    assert 'data-testid="count-units">2<' in page.text
    nav = page.text.split('data-testid="admin-nav"')[1].split("</ul>")[0]
    for label in ("Users", "Import", "Units", "Role assignments", "Roles", "Plugins",
                  "Settings", "Audit log"):
        assert label in nav


def test_people_without_admin_permissions_are_refused(client, schools, login_as):
    login_as(None, schools.a1)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_one_persons_permissions_do_not_leak_to_the_next_request(app, client, schools,
                                                                  admin_a, login_as):
    assert client.get("/admin/").status_code == 200
    plain = app.test_client()
    login_as(None, schools.a1, using=plain)
    assert plain.get("/admin/").status_code == 403


def test_auditor_sees_only_the_audit_tab(client, schools, login_as):
    login_as("core.auditor", schools.a)
    page = client.get("/admin/")
    assert page.status_code == 200
    nav = page.text.split('data-testid="admin-nav"')[1].split("</ul>")[0]
    assert "Audit log" in nav and "Users" not in nav


def test_superuser_without_any_unit_can_create_the_first_one(client, create_user, login):
    create_user("root", is_superuser=True)
    login("root")
    assert client.get("/admin/").status_code == 200
    response = client.post("/admin/units/new", data={
        "parent": "0", "code": "hq", "name": "Headquarters", "kind": "organisation"})
    assert response.status_code == 302
    assert "Headquarters" in client.get("/admin/units").text


BROKEN = "raise RuntimeError('adm_broken cannot start')\n"


def test_overview_lists_plugin_errors(make_plugin, make_app):
    make_plugin("adm_broken", BROKEN)
    app = make_app()
    with app.app_context():
        from core import units, users
        from core.extensions import db

        school = units.create_unit("s", "School")
        users.create_user("boss", "Boss", "secret123", school, is_superuser=True)
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "boss", "password": "secret123"})
    page = client.get("/admin/")
    banner = page.text.split('data-testid="plugin-errors"')[1].split("</div>")[0]
    assert "adm_broken" in banner and "cannot start" in banner
    plugins = client.get("/admin/plugins").text
    assert "failed" in plugins and "Traceback" in plugins  # details for superusers


# -- list ----------------------------------------------------------------------------------


def test_list_is_scoped_searchable_and_filtered(client, schools, admin_a, create_user):
    create_user("zhang3", unit=schools.a1, name="张三")
    create_user("li4", unit=schools.a1, name="李四", active=False)
    create_user("wang5", unit=schools.b1, name="王五")
    text = client.get("/admin/users").text
    assert "zhang3" in text and "admin_a" in text
    assert "wang5" not in text  # school B
    assert "li4" not in text  # inactive users are hidden by default
    assert "li4" in client.get("/admin/users?state=inactive").text
    assert "zhang3" not in client.get("/admin/users?state=inactive").text
    found = client.get("/admin/users?q=张").text
    assert "zhang3" in found and "admin_a" not in found
    assert "zhang3" in client.get("/admin/users?q=ZHANG").text
    by_unit = client.get(f"/admin/users?unit={schools.a1.id}").text
    assert "zhang3" in by_unit and "admin_a" not in by_unit
    assert client.get(f"/admin/users?unit={schools.b.id}").status_code == 404
    assert 'data-testid="empty"' in client.get("/admin/users?q=nobody-like-this").text


def test_search_wildcards_are_literal(client, schools, admin_a, create_user):
    create_user("a_b", unit=schools.a1)
    create_user("axb", unit=schools.a1)
    text = client.get("/admin/users?q=a_b").text
    assert "a_b" in text and "axb" not in text


def test_list_is_paginated(client, schools, admin_a, create_user):
    for i in range(30):
        create_user(f"p{i:02d}", unit=schools.a1)
    first = client.get("/admin/users").text
    assert "p00" in first and "p29" not in first
    assert "Page 1 of 2" in first
    second = client.get("/admin/users?page=2").text
    assert "p29" in second and "p00" not in second


def test_superuser_sees_everyone(client, schools, create_user, login):
    create_user("root", is_superuser=True)
    create_user("wang5", unit=schools.b1)
    create_user("nobody")  # no unit at all
    login("root")
    text = client.get("/admin/users").text
    assert "wang5" in text and "nobody" in text


def test_unit_admin_cannot_touch_a_superuser_in_their_school(client, schools, admin_a,
                                                              create_user):
    boss = create_user("boss", unit=schools.a1, is_superuser=True)
    assert "boss" not in client.get("/admin/users").text
    assert client.get(f"/admin/users/{boss.id}").status_code == 404
    assert client.post(f"/admin/users/{boss.id}/active", data={"active": "0"}).status_code == 404


# -- create --------------------------------------------------------------------------------


def test_create_user_who_must_change_password(app, client, db, schools, admin_a, login):
    page = client.get("/admin/users/new").text
    assert "A Class 1" in page and "B Class 1" not in page  # units offered: the scope only
    response = client.post("/admin/users/new", data={
        "username": "chen", "name": "陈老师", "unit": schools.a1.id,
        "phone": "13800138000", "email": "chen@example.cn", "password": "welcome2026",
    })
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "chen"))
    assert user.unit_id == schools.a1.id and user.must_change_password
    assert user.phone == "13800138000"
    assert [e.subject_id for e in events(db, "core.user_created")] == [str(user.id)]

    newcomer = app.test_client()
    login("chen", "welcome2026", using=newcomer)
    assert newcomer.get("/").headers["Location"].endswith("/password")


def test_rejected_form_keeps_what_was_typed(client, schools, admin_a, create_user):
    create_user("taken", unit=schools.b1)  # outside the scope, still a clash
    response = client.post("/admin/users/new", data={
        "username": "taken", "name": "Typed Name", "unit": schools.a1.id,
        "phone": "12345", "email": "not-an-email", "password": WEAK,
    })
    assert response.status_code == 422
    text = response.text
    assert "This user name is taken." in text
    assert 'value="Typed Name"' in text and 'value="taken"' in text
    assert "Enter an 11-digit mobile number" in text
    assert "Enter an e-mail address" in text
    assert "Use at least 8 characters." in text
    assert f'<option selected value="{schools.a1.id}">' in text


def test_cannot_create_into_another_school(client, db, schools, admin_a):
    response = client.post("/admin/users/new", data={
        "username": "intruder", "name": "X", "unit": schools.b1.id, "password": "welcome2026",
    })
    assert response.status_code == 422
    assert "Not a valid choice" in response.text
    assert db.session.scalar(select(User).where(User.username == "intruder")) is None


# -- edit, deactivate, reset ---------------------------------------------------------------


def test_edit_user(client, db, schools, admin_a, create_user):
    user = create_user("zhao", unit=schools.a, name="Zhao")
    response = client.post(f"/admin/users/{user.id}", data={
        "username": "zhao", "name": "Zhao Liu", "unit": schools.a1.id, "phone": "", "email": "",
    })
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.name == "Zhao Liu" and user.unit_id == schools.a1.id
    event = events(db, "core.user_updated")[0]
    assert "name" in event.data and "unit" in event.data


def test_other_school_is_404_everywhere(client, db, schools, admin_a, create_user):
    other = create_user("wang5", unit=schools.b1)
    assert client.get(f"/admin/users/{other.id}").status_code == 404
    assert client.post(f"/admin/users/{other.id}", data={
        "username": "wang5", "name": "Hacked", "unit": schools.a1.id}).status_code == 404
    assert client.post(f"/admin/users/{other.id}/active", data={"active": "0"}).status_code == 404
    assert client.post(f"/admin/users/{other.id}/password",
                       data={"password": "newpass2026"}).status_code == 404
    db.session.refresh(other)
    assert other.active and other.name == "wang5"


def test_deactivated_user_cannot_log_in(app, client, db, schools, admin_a, create_user, login):
    user = create_user("sun", unit=schools.a1)
    theirs = app.test_client()
    login("sun", using=theirs)
    assert theirs.get("/").status_code == 200

    assert client.post(f"/admin/users/{user.id}/active", data={"active": "0"}).status_code == 302
    assert theirs.get("/").status_code == 302  # their session is over
    refused = app.test_client().post("/login", data={"username": "sun", "password": "secret123"})
    assert refused.status_code == 200 and "deactivated" in refused.text
    assert len(events(db, "core.user_deactivated")) == 1

    client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    login("sun", using=app.test_client())
    assert len(events(db, "core.user_reactivated")) == 1


def test_cannot_deactivate_oneself(client, db, admin_a):
    response = client.post(f"/admin/users/{admin_a.id}/active", data={"active": "0"},
                           follow_redirects=True)
    assert "You cannot deactivate your own account." in response.text
    db.session.refresh(admin_a)
    assert admin_a.active


def test_reset_password_forces_a_change_and_unlocks(app, client, db, schools, admin_a,
                                                    create_user, login):
    user = create_user("qian", unit=schools.a1)
    for _ in range(5):
        app.test_client().post("/login", data={"username": "qian", "password": "wrong1234"})
    db.session.refresh(user)
    assert user.locked_until is not None

    weak = client.post(f"/admin/users/{user.id}/password", data={"password": WEAK})
    assert weak.status_code == 422 and "Use at least 8 characters." in weak.text
    assert f'value="{WEAK}"' in weak.text

    assert client.post(f"/admin/users/{user.id}/password",
                       data={"password": "fresh2026x"}).status_code == 302
    db.session.refresh(user)
    assert user.must_change_password and user.locked_until is None
    theirs = app.test_client()
    login("qian", "fresh2026x", using=theirs)
    assert theirs.get("/").headers["Location"].endswith("/password")
    assert len(events(db, "core.password_reset")) == 1
