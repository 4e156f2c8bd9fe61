"""Web security: CSRF on every state-changing route, headers, cookies, redirects, templates.

The route checks enumerate ``app.url_map``, so routes added later by core or by any installed
plugin are covered without touching this file.
"""

import re
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from werkzeug.routing import IntegerConverter, UUIDConverter

from core import ROOT
from core.access import is_static_endpoint
from core.testing import TEST_PASSWORD

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_MESSAGE = "The form expired or did not come from this site."
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client, path="/login") -> str:
    match = TOKEN.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login_with_token(client, username, password=TEST_PASSWORD):
    token = csrf_token(client)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, "login with a CSRF token failed"


def sample_path(app, rule) -> str:
    """A concrete URL for *rule*, with a plausible value for each argument."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, UUIDConverter):
            values[name] = uuid.uuid4()
        elif getattr(converter, "items", None):  # AnyConverter
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = "x"
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, values, method=sorted(rule.methods & STATE_CHANGING)[0])


def routes(app, methods):
    return [
        rule for rule in app.url_map.iter_rules()
        if rule.methods & methods and not is_static_endpoint(rule.endpoint)
    ]


# -- CSRF ---------------------------------------------------------------------------------------


@pytest.mark.danwei_config(WTF_CSRF_ENABLED=True)
def test_every_state_changing_route_refuses_a_post_without_token(app, client, create_user):
    create_user("root", is_superuser=True)
    login_with_token(client, "root")
    checked = []
    for rule in routes(app, STATE_CHANGING):
        path = sample_path(app, rule)
        for method in sorted(rule.methods & STATE_CHANGING):
            response = client.open(path, method=method, data={"next": "/"})
            assert response.status_code == 400, f"{method} {path} ({rule.endpoint})"
            assert CSRF_MESSAGE in response.text, f"{method} {path}"
            checked.append(rule.endpoint)
    assert {"auth.login", "auth.logout", "auth.set_language", "home.switch_unit"} <= set(checked)
    assert client.get("/").status_code == 200  # still logged in: nothing above took effect


@pytest.mark.danwei_config(WTF_CSRF_ENABLED=True)
def test_a_post_with_the_token_from_the_page_is_accepted(client, create_user):
    create_user("su", is_superuser=True)
    login_with_token(client, "su")
    token = csrf_token(client, "/")
    response = client.post("/language/en", data={"csrf_token": token, "next": "/"})
    assert response.status_code == 302
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.danwei_config(WTF_CSRF_ENABLED=True)
def test_login_without_token_is_refused(client, create_user):
    create_user("anon")
    response = client.post("/login", data={"username": "anon", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.text
    assert client.get("/").status_code == 302


def test_csrf_tokens_expire_after_several_hours_by_default(app):
    """A token used to stay valid for ever (WTF_CSRF_TIME_LIMIT = None)."""
    from core.config import Defaults

    assert 3600 <= Defaults.WTF_CSRF_TIME_LIMIT <= 24 * 3600


EXPIRED = "Nothing was saved; what you typed is kept below"


@pytest.mark.danwei_config(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=1)
def test_an_expired_form_comes_back_with_what_was_typed(app, client, create_user, db):
    import time

    create_user("boss", is_superuser=True)
    login_with_token(client, "boss")
    token = csrf_token(client, "/admin/users/new")
    time.sleep(2)
    response = client.post("/admin/users/new", data={
        "csrf_token": token, "username": "newcomer", "name": "新同学", "unit": "0",
        "phone": "13800000000", "password": "Initial-2468"})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.text and EXPIRED in response.text
    assert 'value="newcomer"' in response.text and 'value="新同学"' in response.text
    assert 'value="13800000000"' in response.text
    fresh = TOKEN.search(response.text)
    assert fresh and (fresh.group(1) or fresh.group(2)) != token  # a new token to send it with
    from core.models import User

    assert db.session.scalar(db.select(User).where(User.username == "newcomer")) is None


@pytest.mark.danwei_config(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=1)
def test_an_expired_login_form_keeps_the_name_but_logs_no_one_in(app, client, create_user):
    import time

    create_user("late")
    token = csrf_token(client)
    time.sleep(2)
    response = client.post("/login", data={"username": "late", "password": TEST_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 400 and EXPIRED in response.text
    assert 'value="late"' in response.text
    assert TEST_PASSWORD not in response.text
    assert client.get("/").status_code == 302


@pytest.mark.danwei_config(WTF_CSRF_ENABLED=True)
def test_a_forged_post_to_a_form_page_changes_nothing(app, client, create_user, db):
    """Re-rendering the page must not run what the post asked for, even for a view that would
    act without a form (nothing may be committed while the page is drawn again)."""
    from core.models import User

    create_user("root2", is_superuser=True)
    login_with_token(client, "root2")
    victim = create_user("victim")
    response = client.post(f"/admin/users/{victim.id}", data={
        "username": "hijacked", "name": "Hijacked", "unit": "0"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, victim.id).username == "victim"


@pytest.mark.danwei_config(WTF_CSRF_ENABLED=True)
def test_a_page_that_would_act_without_a_form_is_not_run_by_a_forged_post(app, client,
                                                                            create_user, db):
    """The expired-form page is drawn with commits refused: a view acting on a bare POST
    gets the plain refusal, its change rolled back."""
    from flask import request as current_request

    from core.access import login_required_only
    from core.models import User

    def rename():
        if current_request.method == "POST":
            db.session.scalar(db.select(User).where(User.username == "victim3")).name = "Hit"
            db.session.commit()
            return "renamed"
        return "a form"

    app.add_url_rule("/test/rename", "test_rename", login_required_only(rename),
                     methods=["GET", "POST"])
    victim = create_user("victim3", name="Victim")
    login_with_token(client, "victim3")
    response = client.post("/test/rename", data={"name": "x"})
    assert response.status_code == 400 and CSRF_MESSAGE in response.text
    assert "renamed" not in response.text and "Nothing was saved" not in response.text
    db.session.expire_all()
    assert db.session.get(User, victim.id).name == "Victim"


# -- headers ------------------------------------------------------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_security_headers(response, where):
    csp = csp_directives(response.headers.get("Content-Security-Policy", ""))
    scripts = csp.get("script-src", csp.get("default-src"))
    styles = csp.get("style-src", csp.get("default-src"))
    assert scripts is not None, f"{where}: no script policy"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, where
    assert "*" not in scripts, where
    assert "'unsafe-inline'" not in styles, where
    assert csp.get("object-src") == ["'none'"], where
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in {"same-origin", "no-referrer"}, where


def plain_pages(app) -> list[str]:
    return sorted({str(rule) for rule in routes(app, {"GET"}) if not rule.arguments})


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "superuser"])
def test_every_page_sends_security_headers(app, client, create_unit, create_user, login,
                                           logged_in):
    if logged_in:
        unit = create_unit("hq", "总部")
        create_user("root", unit=unit, is_superuser=True)
        login("root")
    pages = plain_pages(app)
    assert "/" in pages and "/login" in pages
    for path in pages + ["/no-such-page", "/static/danwei.css"]:
        with client.get(path) as response:
            assert response.status_code < 500, f"GET {path} failed: {response.status_code}"
            assert_security_headers(response, f"GET {path}")


# -- cookies ------------------------------------------------------------------------------------


def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie was set"
    return cookies[-1]


def test_session_cookie_is_httponly_and_samesite_lax(client, create_user):
    create_user("ye")
    cookie = session_cookie(
        client.post("/login", data={"username": "ye", "password": TEST_PASSWORD})
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development serves plain HTTP


@pytest.mark.danwei_config(ENV="production", SECRET_KEY="a-fixed-production-secret")
def test_session_cookie_is_secure_in_production(app, client, create_user):
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    create_user("pan")
    cookie = session_cookie(
        client.post("/login", data={"username": "pan", "password": TEST_PASSWORD},
                    base_url="https://localhost")
    )
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.danwei_config(ENV="production", SECRET_KEY="x", SESSION_COOKIE_SECURE=False)
def test_production_may_turn_secure_cookies_off_explicitly(app):
    assert app.config["SESSION_COOKIE_SECURE"] is False


# -- open redirects -----------------------------------------------------------------------------

HOSTILE = [
    "//evil.example",
    "//evil.example/path",
    "http://evil.example",
    "https://evil.example/login",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,hi",
    "///evil.example",
    "evil.example",
]


def assert_home(response):
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.netloc in ("", "localhost"), response.headers["Location"]
    assert target.path == "/", response.headers["Location"]


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_redirects_off_site(app, create_user, target):
    create_user("luo")
    client = app.test_client()
    response = client.post(f"/login?next={quote(target)}",
                           data={"username": "luo", "password": TEST_PASSWORD})
    assert_home(response)
    assert_home(client.get(f"/login?next={quote(target)}"))  # already logged in


@pytest.mark.parametrize("target", HOSTILE)
def test_language_and_unit_switch_never_redirect_off_site(client, create_unit, create_user,
                                                          login, target):
    unit = create_unit("u1")
    create_user("kong", unit=unit)
    login("kong")
    assert_home(client.post("/language/en", data={"next": target}))
    assert_home(client.post("/unit", data={"unit_id": unit.id, "next": target}))


def test_local_next_is_followed(client, create_user):
    create_user("cao", is_superuser=True)
    response = client.post("/login?next=/admin/%3Fx%3D1",
                           data={"username": "cao", "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/admin/?x=1"


# -- templates ----------------------------------------------------------------------------------

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']?application/json\b""", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.S)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.I)
HANDLER_ATTR = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def template_files() -> list[Path]:
    """Every template of core and of every installed plugin package."""
    from importlib.metadata import entry_points

    roots = [ROOT / "templates", ROOT / "core", ROOT / "plugins"]
    for ep in entry_points(group="danwei.plugins"):
        module = ep.module.split(".")[0]
        try:
            spec = __import__(module)
        except Exception:  # noqa: BLE001 - a broken plugin is reported by its own tests
            continue
        roots.append(Path(spec.__file__).parent)
    files = set()
    for root in roots:
        for path in root.rglob("*"):
            if path.suffix in {".html", ".jinja", ".j2", ".jinja2"} and path.is_file() \
                    and ".venv" not in path.parts and "node_modules" not in path.parts:
                files.add(path.resolve())
    return sorted(files)


def inline_code_problems(source: str) -> list[str]:
    problems = []
    for attrs, body in SCRIPT.findall(source):
        if DATA_BLOCK.search(attrs):
            continue  # JSON handed to a script file: data, never executed
        if body.strip():
            problems.append("inline <script> body")
        if "src" not in attrs.lower():
            problems.append("<script> without src")
    if STYLE_ELEMENT.search(source):
        problems.append("<style> element")
    for tag in TAG.findall(source):
        if STYLE_ATTR.search(tag):
            problems.append(f"style= attribute in {tag[:60]!r}")
        if HANDLER_ATTR.search(tag):
            problems.append(f"event handler attribute in {tag[:60]!r}")
        if JS_URL.search(tag):
            problems.append(f"javascript: URL in {tag[:60]!r}")
    return problems


def test_template_scanner_catches_inline_code():
    assert inline_code_problems('<script src="/a.js"></script><p class="x">ok</p>') == []
    assert inline_code_problems('<script type="application/json" id="c">{"a": 1}</script>') == []
    assert inline_code_problems("<script>alert(1)</script>")
    assert inline_code_problems('<div style="color: red">')
    assert inline_code_problems('<button\n  class="b" onclick="go()">')
    assert inline_code_problems("<style>p {}</style>")
    assert inline_code_problems('<a href="javascript:void(0)">')


def test_templates_have_no_inline_script_or_style():
    files = template_files()
    assert ROOT / "templates" / "base.html" in files
    found = {
        str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path): problems
        for path in files
        if (problems := inline_code_problems(path.read_text(encoding="utf-8")))
    }
    assert found == {}
