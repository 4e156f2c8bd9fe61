"""Error pages: helpful, in the visitor's language, and never a stack trace."""

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from core.models import Unit
from core.web import ERROR_TEXT

#: A throwaway plugin whose views fail half-way through a change.
BOOM = '''
from flask import Blueprint
from core.api import Unit, db, hookimpl, login_required_only

bp = Blueprint("sec_boom", __name__)


@bp.route("/raise")
@login_required_only
def fail_after_writing():
    db.session.add(Unit(code="sec-boom-half-done", name="half done", path="/x/"))
    db.session.flush()
    raise RuntimeError("sec-boom-internal-detail")


@bp.route("/integrity")
@login_required_only
def fail_in_the_database():
    db.session.add(Unit(code="sec-boom-twice", name="one", path="/y/"))
    db.session.add(Unit(code="sec-boom-twice", name="two", path="/z/"))
    db.session.flush()
    return "unreachable"


@hookimpl
def register_blueprints():
    return [bp]
'''


@pytest.fixture
def app(make_plugin, make_app):
    """Every test here runs with the failing plugin installed, errors handled as in production."""
    make_plugin("sec_boom", BOOM)
    application = make_app(PROPAGATE_EXCEPTIONS=False)
    with application.app_context():
        yield application


def message(app, code: int, locale: str) -> str:
    with app.test_request_context(), force_locale(locale):
        return str(ERROR_TEXT[code])


def assert_error_page(response, code: int, text: str):
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert 'data-testid="error-page"' in response.text
    assert text in response.text
    assert 'href="/"' in response.text  # a way back home
    assert "Traceback" not in response.text


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_not_found_page_in_both_languages(app, client, locale):
    client.post(f"/language/{locale}")
    response = client.get("/no/such/page")
    assert_error_page(response, 404, message(app, 404, locale))
    assert f'lang="{locale.replace("_", "-")}"' in response.text


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_forbidden_page_in_both_languages(app, client, create_unit, create_user, login, locale):
    create_user("clerk", unit=create_unit("office", "总务处"), locale=locale)
    login("clerk")
    response = client.get("/admin/")
    assert_error_page(response, 403, message(app, 403, locale))
    assert 'data-testid="user-menu"' in response.text  # the usual layout, still logged in
    assert "总务处" in response.text  # ...working in their unit


def test_not_found_page_keeps_the_menu_of_a_logged_in_user(client, create_unit, create_user,
                                                           login):
    school = create_unit("s404", "第三中学", "school")
    create_user("head", unit=school, roles=(("core.unit_admin", school),))
    login("head")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "第三中学" in response.text
    assert "Administration" in response.text


def test_error_messages_are_english_by_default(app):
    assert message(app, 404, "en") == "This page does not exist, or you may not see it."
    assert message(app, 403, "en") == "You do not have permission to do this here."


def test_zh_cn_error_page_uses_the_chinese_catalogue(app, client):
    with app.test_request_context(), force_locale("zh_CN"):
        back_home = gettext("Back to the home page")
    client.post("/language/zh_CN")
    assert back_home in client.get("/nowhere").text


def test_exception_in_a_view_gives_the_500_page_and_rolls_back(app, client, create_user,
                                                                login, db, caplog):
    create_user("ops")
    login("ops")
    response = client.get("/sec_boom/raise")
    assert_error_page(response, 500, message(app, 500, "en"))
    assert "sec-boom-internal-detail" not in response.text
    assert "RuntimeError" not in response.text
    assert "sec-boom-internal-detail" in caplog.text  # ...but the administrator's log has it

    assert db.session.scalar(select(Unit).where(Unit.code == "sec-boom-half-done")) is None
    assert client.get("/").status_code == 200  # the next request works normally


def test_database_error_in_a_view_still_renders_the_full_500_page(app, client, create_user,
                                                                   login, db):
    create_user("ops2")
    login("ops2")
    response = client.get("/sec_boom/integrity")
    # The layout queries the database (site name, menu): that only works after a rollback.
    assert_error_page(response, 500, message(app, 500, "en"))
    assert 'data-testid="user-menu"' in response.text
    assert db.session.scalar(select(Unit).where(Unit.code == "sec-boom-twice")) is None


def test_method_not_allowed_uses_the_friendly_page(client):
    assert_error_page(client.get("/logout"), 405, "This action is not allowed on this page.")
