"""Tests of the visitors plugin, on core's fixtures (``core.testing``: no conftest needed)."""

from datetime import datetime

from core.api import db
from core.testing_kit import PluginGates
from danwei_visitors.models import VisitorsVisit


class TestGates(PluginGates):
    """Core's quality gates: migrations, models, translations, URL arguments, the
    authorization matrix over this plugin's routes, junk posted to its forms, and its
    pages in a real browser, checked for accessibility."""

    plugin = "visitors"


VISIT = {"name": "王芳", "company": "市教育局", "purpose": "meeting", "host": "校长办公室",
         "expected_at": "2026-12-03T14:30"}


def test_guard_registers_a_visitor(client, unit_tree, enable_plugin, login_as):
    school = unit_tree("s1", kinds=("school",))
    enable_plugin("visitors", school)
    login_as("visitors.guard", school)
    response = client.post("/visitors/new", data=VISIT)
    assert response.status_code == 302, response.text
    visit = db.session.scalars(db.select(VisitorsVisit)).one()
    # 14:30 typed in Beijing is stored as 06:30 UTC, and shown as 2:30 PM again (tests
    # run in English).
    assert visit.expected_at == datetime(2026, 12, 3, 6, 30)
    page = client.get(response.headers["Location"])
    assert "王芳" in page.text and "2:30" in page.text
    assert "王芳" in client.get("/visitors/?q=王").text
    assert "王芳" not in client.get("/visitors/?q=李").text


def test_the_register_has_pages_that_keep_the_search(client, unit_tree, enable_plugin,
                                                    login_as):
    from core.api import set_setting

    school = unit_tree("s1", kinds=("school",))
    enable_plugin("visitors", school)
    login_as("visitors.guard", school)
    set_setting("core", "page_size", 5)  # the least an administrator may set
    db.session.commit()
    for name in ("王一", "王二", "王三", "王四", "王五", "王六", "李四"):
        client.post("/visitors/new", data={**VISIT, "name": name})
    first = client.get("/visitors/?q=王")  # newest first: 王六 … 王二
    assert "王二" in first.text and "王一" not in first.text
    assert "page=2" in first.text and "q=%E7%8E%8B" in first.text  # the search is kept
    second = client.get("/visitors/?q=王&page=2")
    assert "王一" in second.text and "王二" not in second.text and "李四" not in second.text


def test_a_rejected_form_keeps_what_was_typed(client, unit_tree, enable_plugin, login_as):
    school = unit_tree("s1", kinds=("school",))
    enable_plugin("visitors", school)
    login_as("visitors.guard", school)
    response = client.post("/visitors/new", data={**VISIT, "host": ""})
    assert response.status_code == 200
    assert "王芳" in response.text and "invalid-feedback" in response.text
    assert db.session.scalar(db.select(db.func.count(VisitorsVisit.id))) == 0


def test_signing_out_needs_the_token_and_happens_once(client, app, unit_tree, enable_plugin,
                                                      login_as):
    school = unit_tree("s1", kinds=("school",))
    enable_plugin("visitors", school)
    login_as("visitors.guard", school)
    detail = client.post("/visitors/new", data=VISIT).headers["Location"]
    visit = db.session.scalars(db.select(VisitorsVisit)).one()
    assert 'data-testid="left-button"' in client.get(detail).text
    assert client.post(f"/visitors/{visit.id}/left").status_code == 302
    db.session.refresh(visit)
    first = visit.left_at
    assert first is not None
    client.post(f"/visitors/{visit.id}/left")
    db.session.refresh(visit)
    assert visit.left_at == first
    assert 'data-testid="left-button"' not in client.get(detail).text


def test_visits_of_another_unit_are_not_found(client, unit_tree, enable_plugin, login_as,
                                              as_user, create_user):
    g1 = unit_tree("s1/g1", kinds=("school", "grade"))
    g2 = unit_tree("s1/g2")
    enable_plugin("visitors", g1.parent)
    guard = as_user(create_user(unit=g1, roles=(("visitors.guard", g1),)))
    detail = guard.post("/visitors/new", data=VISIT).headers["Location"]
    login_as("visitors.guard", g2)
    assert client.get(detail).status_code == 404
    assert "王芳" not in client.get("/visitors/").text


def test_the_widget_shows_todays_visitors_of_the_subtree(client, unit_tree, enable_plugin,
                                                         login_as, create_user, as_user):
    g1 = unit_tree("s1/g1", kinds=("school", "grade"))
    g2 = unit_tree("s1/g2")
    enable_plugin("visitors", g1.parent)
    from core.api import local_now

    today = {**VISIT, "expected_at": local_now().strftime("%Y-%m-%dT%H:%M")}
    as_user(create_user(unit=g1, roles=(("visitors.guard", g1),))).post(
        "/visitors/new", data=today)
    login_as("visitors.reader", g1.parent)
    assert "王芳" in client.get("/").text  # the school sees its grades' visitors
    login_as("visitors.reader", g2)
    assert "王芳" not in client.get("/").text


def test_a_reader_may_not_register(client, unit_tree, enable_plugin, login_as):
    school = unit_tree("s1", kinds=("school",))
    enable_plugin("visitors", school)
    login_as("visitors.reader", school)
    assert client.get("/visitors/new").status_code in (403, 404)


def test_demo_data_loads_twice(load_demo):
    load_demo()
    load_demo()
    assert db.session.scalar(db.select(db.func.count(VisitorsVisit.id))) == 1
