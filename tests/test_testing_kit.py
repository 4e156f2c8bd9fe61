"""The test kit's own fixtures behave as plugin tests rely on them to."""

from __future__ import annotations

from datetime import date, timedelta

from core.api import Unit, is_enabled, is_working_day


def logged_in_as(using) -> str | None:
    with using.session_transaction() as session:
        return session.get("_user_id")


def test_login_on_a_logged_in_client_switches_to_the_new_user(client, create_user, login):
    first, second = create_user("first"), create_user("second")
    login(first)
    login(second)
    assert logged_in_as(client) == str(second.id)
    assert client.get("/").status_code == 200


def test_as_user_gives_each_person_a_client_of_their_own(as_user, create_user):
    a, b = create_user("a"), create_user("b")
    client_a, client_b = as_user(a), as_user(b)
    assert (logged_in_as(client_a), logged_in_as(client_b)) == (str(a.id), str(b.id))


def test_unit_tree_builds_a_path_and_reuses_what_exists(unit_tree, db):
    cls = unit_tree("school/grade1/class1", kinds=("school", "grade", "class"))
    assert [cls.parent.parent.code, cls.parent.code, cls.code] == ["school", "grade1", "class1"]
    assert (cls.kind, cls.parent.kind) == ("class", "grade")
    other = unit_tree("school/grade1/class2")
    assert other.parent_id == cls.parent_id and other.kind == "unit"
    assert db.session.scalar(db.select(db.func.count(Unit.id))) == 4
    assert other.is_within(cls.parent.parent)
    assert db.session.scalars(
        db.select(Unit.code).where(Unit.is_within(cls.parent)).order_by(Unit.code)
    ).all() == ["class1", "class2", "grade1"]


def test_enable_plugin_switches_a_subtree(make_plugin, make_app, unit_tree, enable_plugin):
    make_plugin("kit_probe", "")
    app = make_app()
    with app.app_context():
        cls = unit_tree("kit-s/kit-c")
        enable_plugin("kit_probe", cls.parent)
        assert is_enabled("kit_probe", cls)
        enable_plugin("kit_probe", cls, False)
        assert not is_enabled("kit_probe", cls) and is_enabled("kit_probe", cls.parent)


def test_set_calendar_day_is_seen_at_once(set_calendar_day):
    monday = date.today() + timedelta(days=7 - date.today().weekday())
    assert is_working_day(monday)
    set_calendar_day(monday, "holiday", "Test holiday")
    assert not is_working_day(monday)


def test_run_jobs_runs_a_job_when_forced(run_jobs):
    outcomes = run_jobs(job="core.workflow_due", force=True)
    assert [o.status for o in outcomes] == ["ok"]
