"""The demo's key pages, as its people see them, pass axe-core's WCAG 2.1 A and AA rules on a
desktop and on a phone (issue 20: 94 elements failed colour contrast on 14 of these 15 pages
before the theme fixed it). Every page a browser test loads is checked by the kit anyway; this
test keeps the pages of the issue checked with the demo's realistic data, and with the phone's
menu open."""

import pytest
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from core.testing_browser import assert_accessible

pytestmark = pytest.mark.browser

#: ``(demo account, page)``: login; home of a student, a teacher and a guard; applying for
#: leave, one's leave, the leave list, inbox, notifications, the gate; reports and two reports;
#: the property company's month board; the administration and its users.
PAGES = [
    (None, "/login"),
    ("sl_student", "/"), ("sl_student", "/school_leave/apply"),
    ("sl_student", "/school_leave/mine"),
    ("sl_teacher", "/"), ("sl_teacher", "/school_leave/"), ("sl_teacher", "/inbox/"),
    ("sl_teacher", "/notifications/"),
    ("sl_guard", "/"), ("sl_guard", "/school_leave/gate"),
    ("sl_principal", "/reports/"), ("sl_principal", "/reports/period"),
    ("sl_principal", "/reports/school_leave.by_unit"),
    ("pr_pm", "/property_reports/"),
    ("admin", "/admin/"), ("admin", "/admin/users"),
]


@pytest.fixture
def demo(app, db):
    from core.demo import load_demo

    load_demo()
    db.session.commit()


def visit_all(page, log_in, accessibility, phone=False):
    who = "nobody"
    for user, path in PAGES:
        if user != who:
            page.context.clear_cookies()
            if user:
                log_in(page, user, DEMO_PASSWORD)
            who = user
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.get_by_test_id("error-page")).to_have_count(0)
        if phone and user:  # the menu's links are hidden behind the toggler until it opens
            page.locator(".navbar-toggler").click()
            expect(page.get_by_test_id("menu")).to_be_visible()
            assert_accessible(page)
    checked = {url.split("/", 3)[3] for url in accessibility.checked}
    assert {path.lstrip("/") for _, path in PAGES} <= checked


def test_the_demo_pages_pass_axe_on_a_desktop(page, demo, log_in, accessibility,
                                              console_errors):
    visit_all(page, log_in, accessibility)
    assert accessibility.violations == []


def test_the_demo_pages_pass_axe_on_a_phone_with_the_menu_open(phone, demo, log_in,
                                                                accessibility, console_errors):
    visit_all(phone, log_in, accessibility, phone=True)
    assert accessibility.violations == []
