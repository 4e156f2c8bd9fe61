"""The browser kit itself: it must notice what a person would not see (CSP violations)."""

import pytest

pytestmark = pytest.mark.browser

#: A throwaway plugin with a page breaking the rules: an inline script and an inline style.
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
