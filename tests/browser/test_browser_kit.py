"""The browser kit itself: it must notice what a person would not see (CSP violations, pages
a screen reader cannot use)."""

import pytest

from core.testing_browser import assert_accessible

pytestmark = pytest.mark.browser

#: A throwaway plugin with pages breaking the rules: an inline script and an inline style; a
#: text field without a label (WCAG 2.1 A: 1.3.1, 4.1.2).
INLINE = '''
from flask import Blueprint
from core.api import hookimpl, public

bp = Blueprint("sec_csp", __name__)


@bp.route("/inline")
@public
def inline():
    return (
        "<!doctype html><html lang=en><title>inline</title><link rel=icon href='data:,'>"
        "<p id=target style='color: red'>inline</p>"
        "<script>document.title = 'ran';</script>"
    )


@bp.route("/unlabelled")
@public
def unlabelled():
    return (
        "<!doctype html><html lang=en><title>unlabelled</title><link rel=icon href='data:,'>"
        "<main><h1>Search</h1><input id=q name=q><a href='?again'>again</a></main>"
    )


@hookimpl
def register_blueprints():
    return [bp]
'''


@pytest.fixture
def app(make_plugin, make_app):
    make_plugin("sec_csp", INLINE)
    application = make_app()
    with application.app_context():
        yield application


def test_csp_violations_show_up_as_console_errors(page, console_errors):
    page.goto("/sec_csp/inline")
    assert page.title() == "inline"  # the inline script was blocked
    assert any("Content Security Policy" in e and "script" in e for e in console_errors)
    assert any("Content Security Policy" in e and "style" in e for e in console_errors)
    console_errors.clear()


def test_live_server_shares_the_test_database(page, live_server, create_user, log_in):
    create_user("kit", name="测试用户")
    log_in(page, "kit")
    assert page.get_by_test_id("user-menu").inner_text() == "测试用户"
    assert live_server.url_for("home.index") == live_server.url + "/"


def test_every_page_that_loads_is_checked_with_rule_element_and_help(page, accessibility):
    page.goto("/sec_csp/unlabelled")
    page.get_by_role("link", name="again").click()  # at once: the check is over before
    page.wait_for_url("**/unlabelled?again")
    assert [url.rsplit("/", 1)[1] for url in accessibility.checked] == ["unlabelled",
                                                                        "unlabelled?again"]
    assert accessibility.loaded == accessibility.checked and accessibility.unchecked == 0
    [first, second] = accessibility.violations
    assert (first.url, second.url) == tuple(accessibility.checked)
    assert (first.rule, first.impact) == ("label", "critical")
    [(target, html, summary)] = first.nodes
    assert (target, html) == ("#q", '<input id="q" name="q">')
    assert "Form elements must have labels" in first.help
    assert first.help_url.startswith("https://dequeuniversity.com/rules/axe/")
    assert "label" in summary
    accessibility.violations.clear()  # what the test provoked on purpose


def test_assert_accessible_fails_listing_rule_element_and_help(page, accessibility):
    page.goto("/login")
    assert_accessible(page)
    page.goto("/sec_csp/unlabelled")
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "axe-core found 1 element(s) breaking WCAG 2.1 A/AA" in message
    assert "/sec_csp/unlabelled: label (critical) Form elements must have labels" in message
    assert '#q  <input id="q" name="q">' in message
    accessibility.violations.clear()


def test_assert_accessible_brings_axe_to_any_page_despite_the_csp(browser, live_server,
                                                                   console_errors):
    context = browser.new_context(base_url=live_server.url)  # not watched by the kit
    try:
        page = context.new_page()
        page.goto("/sec_csp/unlabelled")
        assert page.evaluate("typeof window.axe") == "undefined"
        with pytest.raises(AssertionError, match="label"):
            assert_accessible(page)
    finally:
        context.close()
