"""A person's first journeys through the intranet, in a real Chromium, on a desktop and a phone."""

import re

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def translated(app, message: str, locale: str) -> str:
    with app.test_request_context(), force_locale(locale):
        return gettext(message)


@pytest.fixture
def teacher(create_unit, create_user):
    """A teacher who administers one school and audits another."""
    first = create_unit("no1", "第一中学", "school")
    second = create_unit("no2", "第二中学", "school")
    return create_user(
        "li", unit=first, name="李老师",
        roles=(("core.unit_admin", first), ("core.auditor", second)),
    )


def menu(page):
    return page.get_by_test_id("menu")


def test_log_in_see_dashboard_switch_language_navigate_switch_unit_log_out(
    page, live_server, teacher, console_errors, log_in, db
):
    app = live_server.app
    page.goto("/")
    expect(page).to_have_url(live_server.url + "/login?next=%2F")
    expect(page.locator("h1")).to_have_text("Log in")
    assert console_errors == []

    # Chinese and back, before logging in.
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert translated(app, "Log in", "zh_CN") == "登录"
    expect(page.locator("h1")).to_have_text("登录")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Log in")
    assert console_errors == []

    log_in(page, teacher)
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("第一中学")
    expect(page.get_by_test_id("user-menu")).to_have_text("李老师")
    assert console_errors == []

    # Chinese on the dashboard is remembered for the account; then English again.
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    # The menu opens through Bootstrap's script: wait for it, on a slow machine too.
    page.wait_for_load_state("load")
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_test_id("logout")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_text(translated(app, "Log out", "zh_CN"))
    db.session.refresh(teacher)
    assert teacher.locale == "zh_CN"
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert console_errors == []

    # The menu leads to the administration of the school.
    menu(page).get_by_role("link", name="Administration").click()
    expect(page).to_have_url(re.compile(r"/admin/"))
    expect(page.get_by_test_id("error-page")).to_have_count(0)
    assert console_errors == []

    # Working in the other school: the dashboard follows, and the choice stays.
    page.goto("/")
    page.get_by_test_id("unit-switcher").click()
    page.get_by_role("button", name="第二中学").click()
    expect(page.locator("h1")).to_have_text("第二中学")
    expect(page.get_by_test_id("unit-switcher")).to_have_text("第二中学")
    expect(menu(page).get_by_role("link", name="Audit log")).to_be_visible()
    page.reload()
    expect(page.locator("h1")).to_have_text("第二中学")
    assert console_errors == []

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(live_server.url + "/login")
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(live_server.url + "/login?next=%2F")
    assert console_errors == []


def test_phone_login_and_dashboard_with_collapsed_menu(phone, live_server, teacher,
                                                       console_errors, log_in):
    phone.goto("/login")
    expect(phone.locator("main input[name=username]")).to_be_visible()
    assert fits_the_screen(phone)
    assert console_errors == []

    log_in(phone, teacher)
    expect(phone.locator("h1")).to_have_text("第一中学")
    assert fits_the_screen(phone)
    toggler = phone.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(menu(phone)).to_be_hidden()

    toggler.click()
    expect(menu(phone)).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    menu(phone).get_by_role("link", name="Administration").click()
    expect(phone).to_have_url(re.compile(r"/admin/"))
    expect(menu(phone)).to_be_hidden()  # collapsed again on the new page
    assert fits_the_screen(phone)
    assert console_errors == []


def fits_the_screen(page) -> bool:
    """No sideways scrolling: the page is no wider than the viewport."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# -- a plugin enabled for one unit ----------------------------------------------------------------


@pytest.fixture
def district(create_unit, create_user):
    """Two sibling schools under one bureau, a class in each, a class teacher holding the same
    role in both schools, a student in the first school's class, and a system administrator."""
    bureau = create_unit("jyj", "教育局", "district")
    no1 = create_unit("no1", "第一中学", "school", bureau)
    no2 = create_unit("no2", "第二中学", "school", bureau)
    class1 = create_unit("no1-c1", "一中初一(1)班", "class", no1)
    class2 = create_unit("no2-c1", "二中初一(1)班", "class", no2)
    teacher = create_user(
        "wang", unit=no1, name="王老师",
        roles=(("school_leave.class_teacher", no1), ("school_leave.class_teacher", no2)),
    )
    student = create_user("xiaoming", unit=class1, name="小明",
                          roles=(("school_leave.student", class1),))
    admin = create_user("root", unit=bureau, name="系统管理员", is_superuser=True)
    return {"no1": no1, "no2": no2, "class1": class1, "class2": class2,
            "teacher": teacher, "student": student, "admin": admin}


def leave_link(page):
    """The plugin's menu entry "Leave" (exactly: not "My leave")."""
    return menu(page).get_by_role("link", name="Leave", exact=True)


def switch_unit(page, name):
    page.get_by_test_id("unit-switcher").click()
    page.get_by_role("button", name=name).click()
    expect(page.locator("h1")).to_have_text(name)


def plugin_states(page) -> dict[str, str]:
    """``{unit code: "here-on" | "inherited-on" | "off-off" ...}`` on a plugin's units page."""
    rows = page.get_by_test_id("plugin-units").locator("tbody tr")
    return {row.get_attribute("data-unit"):
            row.locator("[data-state]").get_attribute("data-state") for row in rows.all()}


def as_person(page, log_in, user):
    page.context.clear_cookies()
    log_in(page, user)


def test_admin_enables_a_plugin_for_one_school_and_its_menu_appears_only_there(
    page, phone, live_server, district, console_errors, log_in, db
):
    from danwei_school_leave.models import LogEntry

    from core.models import PluginState

    admin, teacher, student = district["admin"], district["teacher"], district["student"]

    # The administrator enables school leave for the first school, through the admin pages.
    log_in(page, admin)
    menu(page).get_by_role("link", name="Administration").click()
    page.get_by_test_id("admin-nav").get_by_role("link", name="Plugins").click()
    expect(page.locator("h1")).to_have_text("Plugins")
    page.locator("#plugin-school_leave").get_by_role("link", name="Units").click()
    expect(page.locator("h1")).to_contain_text("Student leave")
    assert set(plugin_states(page).values()) == {"off-off"}
    page.locator('tr[data-unit="no1"]').get_by_role("button", name="Enable").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "school_leave enabled for 第一中学 and its sub-units.")
    assert plugin_states(page) == {"jyj": "off-off", "no1": "here-on", "no1-c1": "inherited-on",
                                   "no2": "off-off", "no2-c1": "off-off"}
    assert console_errors == []

    # The class teacher, in the first school: the entry is in the menu and opens the plugin.
    as_person(page, log_in, teacher)
    expect(page.locator("h1")).to_have_text("第一中学")
    expect(leave_link(page)).to_be_visible()
    leave_link(page).click()
    expect(page).to_have_url(live_server.url + "/school_leave/")
    expect(page.locator("h1")).to_have_text("Leave")
    expect(page.get_by_test_id("error-page")).to_have_count(0)
    menu(page).get_by_role("link", name="Class log").click()
    expect(page.locator("h1")).to_contain_text("Class log of 一中初一(1)班")
    page.get_by_label("Student").select_option(str(student.id))
    page.get_by_label("What").select_option(label="Late")
    page.get_by_role("button", name="Add to the log").click()
    expect(page.locator(".alert-success")).to_contain_text("Added to the log.")
    assert console_errors == []

    # In the second school, where the plugin is not enabled, the same role gives nothing: the
    # entries are gone (the rest of the menu is there) and the plugin's pages for that school
    # do not exist.
    page.goto("/")
    switch_unit(page, "第二中学")
    expect(menu(page).get_by_role("link", name="Inbox")).to_be_visible()
    expect(leave_link(page)).to_have_count(0)
    expect(menu(page).get_by_role("link", name="Class log")).to_have_count(0)
    response = page.goto(f"/school_leave/log?unit={district['class2'].id}")
    assert response.status == 404
    expect(page.get_by_test_id("error-page")).to_be_visible()
    expect(leave_link(page)).to_have_count(0)  # the error page's menu is the second school's
    not_found = [e for e in console_errors if "404" in e]
    assert not_found and len(not_found) == len(console_errors), console_errors
    console_errors.clear()

    # On a phone the entry waits behind the navbar toggler, in the first school only.
    log_in(phone, teacher)
    expect(phone.locator("h1")).to_have_text("第一中学")
    toggler = phone.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    expect(leave_link(phone)).to_be_hidden()
    toggler.click()
    expect(leave_link(phone)).to_be_visible()
    leave_link(phone).click()
    expect(phone.locator("h1")).to_have_text("Leave")
    assert fits_the_screen(phone)
    phone.goto("/")
    toggler.click()
    switch_unit(phone, "第二中学")
    expect(menu(phone)).to_be_hidden()
    toggler.click()
    expect(menu(phone).get_by_role("link", name="Inbox")).to_be_visible()
    expect(leave_link(phone)).to_have_count(0)
    assert console_errors == []

    # The administrator disables it again: the data stays, the menu goes in the first school
    # too, and the plugin's pages no longer exist for the teacher.
    as_person(page, log_in, admin)
    page.goto("/admin/plugins/school_leave")
    page.locator('tr[data-unit="no1"]').get_by_role("button", name="Disable").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "school_leave disabled for 第一中学 and its sub-units; its data is kept.")
    assert plugin_states(page)["no1"] == "here-off"
    assert console_errors == []

    as_person(page, log_in, teacher)
    expect(page.locator("h1")).to_have_text("第一中学")
    expect(menu(page).get_by_role("link", name="Inbox")).to_be_visible()
    expect(leave_link(page)).to_have_count(0)
    response = page.goto("/school_leave/")
    assert response.status == 404
    expect(page.get_by_test_id("error-page")).to_be_visible()
    console_errors.clear()  # the 404 again, as above

    db.session.expire_all()
    [state] = db.session.scalars(db.select(PluginState)).all()
    assert (state.plugin, state.unit_id, state.enabled) == ("school_leave", district["no1"].id,
                                                            False)
    [entry] = db.session.scalars(db.select(LogEntry)).all()
    assert (entry.unit_id, entry.student_id) == (district["class1"].id, student.id)
