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
