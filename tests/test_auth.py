"""Logging in and out, lockouts, rate limits, passwords, deactivated accounts and languages."""

import re

import pytest
from sqlalchemy import inspect, select, text

from core.models import AuditEvent, User, utcnow
from core.testing import TEST_PASSWORD

WRONG = "Wrong user name or password."
LOCKED = "Too many failed attempts"


def post_login(client, username, password, **kwargs):
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


def events(db, action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# -- logging in and out -------------------------------------------------------------------------


def test_login_then_logout(client, create_user, db):
    user = create_user("zhou", name="周老师")
    response = post_login(client, "zhou", TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "周老师" in client.get("/").text
    assert [e.subject_id for e in events(db, "core.login")] == [str(user.id)]

    response = client.post("/logout", follow_redirects=True)
    assert "You are logged out." in response.text
    assert not is_logged_in(client)
    assert len(events(db, "core.logout")) == 1


def test_user_name_is_not_case_sensitive(client, create_user):
    create_user("Zhang")
    assert post_login(client, "  zhang ", TEST_PASSWORD).status_code == 302


def test_a_nul_character_in_what_is_typed_is_dropped_not_a_crash(client, create_user):
    """PostgreSQL refuses NUL in text (a 500 before); every form and query loses it instead."""
    create_user("zhang")
    assert post_login(client, "zh\x00ang", TEST_PASSWORD).status_code == 302
    assert client.get("/inbox/?q=a\x00b").status_code == 200


@pytest.mark.parametrize("username", ["wu", "nobody"])
def test_wrong_password_or_unknown_user_gives_one_message(client, create_user, db, username):
    create_user("wu")
    response = post_login(client, username, "not-the-password1")
    assert response.status_code == 200
    assert WRONG in response.text
    assert 'value="not-the-password1"' not in response.text
    assert not is_logged_in(client)
    assert len(events(db, "core.login_failed")) == 1


# -- slowing guessers down, never locking the owner out ---------------------------------------


def alerts(response) -> list[str]:
    """The texts of the flashed messages of a page."""
    return [part.split("</div>")[0].strip()
            for part in response.text.split('role="alert"')[1:]]


def guess(client, username, times, password="guess1234"):
    for _ in range(times):
        post_login(client, username, password)


def test_a_delayed_account_answers_exactly_like_an_unknown_name(app, client, create_user, db):
    """No enumeration: a real account made to wait, even given the right password, answers
    what a name that does not exist answers (it used to say "locked")."""
    user = create_user("zheng")
    guess(client, "zheng", app.config["LOGIN_MAX_FAILURES"])
    db.session.refresh(user)
    assert user.locked_until is not None
    real = post_login(app.test_client(), "zheng", TEST_PASSWORD)
    unknown = post_login(app.test_client(), "zhenq", TEST_PASSWORD)
    assert real.status_code == unknown.status_code == 200
    assert alerts(real) == alerts(unknown) and any(WRONG in a for a in alerts(real))
    def page(response, name):
        return re.sub(r'name="csrf_token" [^>]*', "", response.text.replace(name, "NAME"))

    assert page(real, "zheng") == page(unknown, "zhenq")
    assert LOCKED not in real.text
    assert [e.data["reason"] for e in events(db, "core.login_failed")][-2:] == \
        ["delayed", "unknown"]


@pytest.mark.danwei_config(LOGIN_MAX_FAILURES=3, LOGIN_DELAY_SECONDS=10,
                           LOGIN_LOCKOUT_MINUTES=1)
def test_the_wait_grows_with_each_wrong_password_up_to_a_limit(client, create_user, db):
    user = create_user("feng")
    guess(client, "feng", 2)
    assert post_login(client, "feng", TEST_PASSWORD).status_code == 302  # resets the count
    client.post("/logout")
    guess(client, "feng", 2)
    db.session.refresh(user)
    assert user.locked_until is None and events(db, "core.login_delayed") == []

    waits = []
    for _ in range(5):
        guess(client, "feng", 1)
        db.session.refresh(user)
        waits.append(round((user.locked_until - utcnow()).total_seconds()))
        user.locked_until = utcnow()  # the wait has passed (moved back rather than waited for)
        db.session.commit()
    assert waits == [10, 20, 40, 60, 60]
    assert len(events(db, "core.login_delayed")) == 5
    assert post_login(client, "feng", TEST_PASSWORD).status_code == 302


def test_the_owner_on_a_known_browser_passes_the_wait(app, client, create_user, db):
    """A guesser cannot lock anyone out, administrators included: the browser the owner
    logged in from before is let through with the right password."""
    create_user("boss", is_superuser=True)
    assert post_login(client, "boss", TEST_PASSWORD).status_code == 302
    client.post("/logout")
    attacker = app.test_client()
    guess(attacker, "boss", app.config["LOGIN_MAX_FAILURES"] + 3)
    assert WRONG in post_login(attacker, "boss", TEST_PASSWORD).text  # made to wait
    # A forged or foreign device cookie is worth nothing.
    forged = app.test_client()
    forged.set_cookie("danwei_device", "forged.value")
    assert WRONG in post_login(forged, "boss", TEST_PASSWORD).text
    stranger = app.test_client()
    create_user("other")
    assert post_login(stranger, "other", TEST_PASSWORD).status_code == 302
    assert WRONG in post_login(copy_of(app, stranger, "danwei_device"), "boss",
                               TEST_PASSWORD).text
    assert post_login(client, "boss", TEST_PASSWORD).status_code == 302


# -- rate limit ---------------------------------------------------------------------------------


@pytest.mark.danwei_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
def test_login_posts_are_rate_limited_per_address(client, create_user):
    create_user("chen")
    for _ in range(3):
        assert post_login(client, "chen", "guess1234").status_code == 200
    response = post_login(client, "chen", TEST_PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts. Please wait a minute and try again." in response.text
    assert 'data-testid="error-page"' in response.text
    assert not is_logged_in(client)

    assert client.get("/login").status_code == 200  # reading the form is not limited
    other = {"REMOTE_ADDR": "192.0.2.7"}
    assert post_login(client, "chen", TEST_PASSWORD, environ_base=other).status_code == 302


@pytest.mark.danwei_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="100 per minute",
                           LOGIN_ACCOUNT_RATE_LIMIT="3 per minute")
@pytest.mark.parametrize("username", ["chen", "nobody"])
def test_login_posts_are_rate_limited_per_account_name(app, client, create_user, username):
    """From many addresses, one name (real or not, alike) gets only so many tries."""
    create_user("chen")
    for n in range(3):
        address = {"REMOTE_ADDR": f"192.0.2.{n + 10}"}
        assert post_login(client, username, "guess1234", environ_base=address).status_code == 200
    response = post_login(client, username, "guess1234", environ_base={"REMOTE_ADDR": "192.0.2.99"})
    assert response.status_code == 429
    assert post_login(client, "other", "guess1234").status_code == 200  # another name is free


@pytest.mark.danwei_config(RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_RATE_LIMIT="2 per minute")
def test_the_per_account_limit_spares_the_owners_known_browser(app, client, create_user):
    create_user("chen")
    assert post_login(client, "chen", TEST_PASSWORD).status_code == 302
    client.post("/logout")
    guess(app.test_client(), "chen", 5)
    assert post_login(client, "chen", TEST_PASSWORD).status_code == 302


def test_login_is_not_limited_when_rate_limits_are_off(client, create_user):
    create_user("chu")
    for _ in range(25):
        assert post_login(client, "nobody", "guess1234").status_code == 200


# -- passwords ----------------------------------------------------------------------------------


def change_password(client, current, new, confirm=None):
    return client.post(
        "/password", data={"current": current, "new": new, "confirm": confirm or new}
    )


@pytest.mark.parametrize(
    ("new", "message"),
    [("short1", "Use at least 8 characters."), ("onlyletters", "Mix letters and digits.")],
)
def test_weak_new_password_is_refused_without_echoing_secrets(
    client, create_user, login, new, message
):
    create_user("han")
    login("han")
    response = change_password(client, TEST_PASSWORD, new)
    assert response.status_code == 200
    assert message in response.text
    assert new not in response.text
    assert TEST_PASSWORD not in response.text
    client.post("/logout")
    assert post_login(client, "han", new).status_code == 200  # unchanged
    assert post_login(client, "han", TEST_PASSWORD).status_code == 302


def test_wrong_current_password_and_mismatch_are_refused(client, create_user, login):
    create_user("yang")
    login("yang")
    assert "The current password is wrong." in change_password(client, "nope1234", "better123").text
    response = change_password(client, TEST_PASSWORD, "better123", "better124")
    assert "The two passwords differ." in response.text


def test_password_change_works_and_is_audited(client, create_user, login, db):
    user = create_user("jiang")
    login("jiang")
    response = change_password(client, TEST_PASSWORD, "better123")
    assert response.status_code == 302
    assert "Your password was changed." in client.get("/").text
    assert [e.subject_id for e in events(db, "core.password_changed")] == [str(user.id)]
    client.post("/logout")
    assert post_login(client, "jiang", TEST_PASSWORD).status_code == 200
    assert post_login(client, "jiang", "better123").status_code == 302


def test_forced_password_change_redirects_every_page(app, client, create_user, login, db):
    create_user("shen", must_change_password=True, is_superuser=True)
    login("shen")
    pages = ["/", "/admin/"] + [
        str(rule) for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments
        and rule.endpoint not in {"auth.change_password", "auth.login"}
        # the load balancer's probes answer whoever asks: they are no page of the intranet
        and rule.endpoint not in {"health.healthz", "health.readyz"}
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/password", path
    page = client.get("/password")
    assert "Please choose your own password before you continue." in page.text

    assert change_password(client, TEST_PASSWORD, "mine4567").status_code == 302
    assert client.get("/").status_code == 200


def test_passwords_are_stored_hashed_never_plain(client, create_user, login, db):
    create_user("qin", password="Initial123")
    login("qin", password="Initial123")
    change_password(client, "Initial123", "Changed456")
    post_login(client, "qin", "Wrong7890")
    stored = db.session.scalar(select(User.password_hash).where(User.username == "qin"))
    assert stored.startswith("pbkdf2:sha256:")

    # Nothing anywhere in the database holds a password as typed.
    with db.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                flat = " ".join(str(value) for value in row)
                for secret in ("Initial123", "Changed456", "Wrong7890"):
                    assert secret not in flat, f"{secret} stored in {table}"


# -- deactivated accounts -----------------------------------------------------------------------


def test_deactivated_user_cannot_log_in(client, create_user):
    create_user("xu", active=False)
    response = post_login(client, "xu", TEST_PASSWORD)
    assert response.status_code == 200
    assert "This account is deactivated." in response.text
    assert not is_logged_in(client)


def test_session_of_a_deactivated_user_ends(client, create_user, login, db):
    user = create_user("he")
    login("he")
    assert is_logged_in(client)
    user.active = False
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")

    # Reactivating the account does not bring the old session back: it was logged out.
    user.active = True
    db.session.commit()
    assert not is_logged_in(client)


# -- language -----------------------------------------------------------------------------------


def translated(app, message: str, locale: str) -> str:
    """*message* as the catalogue of *locale* has it (the msgid while untranslated)."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale(locale):
        return gettext(message)


def test_language_switch_sticks_for_the_session(app, client):
    assert 'lang="en"' in client.get("/login").text
    response = client.post("/language/zh_CN", data={"next": "/login"})
    assert response.headers["Location"] == "/login"
    page = client.get("/login").text
    assert 'lang="zh-CN"' in page
    assert translated(app, "Log in", "zh_CN") in page
    assert translated(app, "Log in", "zh_CN") != "Log in"

    client.post("/language/en")
    page = client.get("/login").text
    assert 'lang="en"' in page and ">Log in<" in page


def test_unknown_language_is_ignored(client):
    client.post("/language/xx")
    assert 'lang="en"' in client.get("/login").text


def test_language_choice_is_kept_by_the_account(app, client, create_user, login, db):
    user = create_user("lu")
    login("lu")
    client.post("/language/zh_CN", data={"next": "/"})
    db.session.refresh(user)
    assert user.locale == "zh_CN"

    elsewhere = app.test_client()  # another browser: the account remembers the choice
    login("lu", using=elsewhere)
    assert 'lang="zh-CN"' in elsewhere.get("/").text


def test_language_chosen_before_login_survives_login_and_logout(client, create_user, login):
    create_user("ma")
    client.post("/language/zh_CN")
    login("ma")
    assert 'lang="zh-CN"' in client.get("/").text
    client.post("/logout")
    assert 'lang="zh-CN"' in client.get("/login").text


# -- sessions end on the server ---------------------------------------------------------------


def copy_of(app, client, name="session"):
    """Another browser holding a copy of *client*'s cookie *name* (stolen, or just kept)."""
    other = app.test_client()
    other.set_cookie(name, client.get_cookie(name).value)
    return other


def remember_cookie(app, user):
    """The "remember me" cookie flask-login would set for *user* now."""
    from flask_login.utils import encode_cookie

    with app.test_request_context():
        return encode_cookie(str(user.get_id()))


def test_a_copied_session_cookie_dies_at_logout(app, client, create_user, login):
    create_user("sun")
    login("sun")
    copy = copy_of(app, client)
    assert is_logged_in(copy)
    client.post("/logout")
    assert not is_logged_in(copy)


def test_a_password_change_ends_every_other_session_but_not_this_one(
        app, client, create_user, login, db):
    user = create_user("qian")
    login("qian")
    copy = copy_of(app, client)
    remembered = app.test_client()
    remembered.set_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
                       remember_cookie(app, user))
    assert is_logged_in(copy) and is_logged_in(remembered)
    assert change_password(client, TEST_PASSWORD, "NewPass-2468").status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(copy)
    assert not is_logged_in(remembered)


def test_log_out_everywhere_from_ones_own_page(app, client, create_user, login, db):
    create_user("li")
    login("li")
    copy = copy_of(app, client)
    assert "/sessions/end" in client.get("/password").text
    response = client.post("/sessions/end", follow_redirects=True)
    assert "You are logged out everywhere else." in response.text
    assert is_logged_in(client)
    assert not is_logged_in(copy)
    assert len(events(db, "core.sessions_ended")) == 1


def test_an_administrator_logs_someone_out_everywhere(app, client, create_unit, create_user,
                                                        login, db):
    school = create_unit("s1", "School", "school")
    create_user("boss", unit=school, roles=(("core.unit_admin", school),))
    victim = create_user("zhao", unit=school)
    theirs = app.test_client()
    login("zhao", using=theirs)
    login("boss")
    page = client.get(f"/admin/users/{victim.id}").text
    assert f"/admin/users/{victim.id}/sessions" in page
    response = client.post(f"/admin/users/{victim.id}/sessions", follow_redirects=True)
    assert "zhao is logged out everywhere." in response.text
    assert not is_logged_in(theirs)
    assert is_logged_in(client)


def test_deactivation_and_reset_end_sessions_for_good(app, client, create_unit, create_user,
                                                      login, db):
    school = create_unit("s2", "School", "school")
    create_user("boss2", unit=school, roles=(("core.unit_admin", school),))
    victim = create_user("wang", unit=school)
    theirs = app.test_client()
    login("wang", using=theirs)
    copy = copy_of(app, theirs)
    login("boss2")
    client.post(f"/admin/users/{victim.id}/password", data={"password": "Reset-1357x"})
    # (A reset sends a live session to the password form; a dead one goes to the login page.)
    assert theirs.get("/password").status_code == 302
    assert copy.get("/password").status_code == 302


# -- password rules ------------------------------------------------------------------------------

COMMON = "This password is among the most common ones"
NAME_IN_IT = "Do not use your user name in your password."
SAME = "Choose a password different from your current one."


@pytest.mark.parametrize(("new", "message"), [
    ("password123", COMMON), ("Qwerty123", COMMON), ("1qaz2wsx", COMMON),
    ("zhou2026x", NAME_IN_IT), ("myZHOUpass1", NAME_IN_IT), (TEST_PASSWORD, SAME),
])
def test_common_passwords_the_user_name_and_the_current_one_are_refused(
        client, create_user, login, new, message):
    create_user("zhou", password=TEST_PASSWORD)
    login("zhou")
    response = change_password(client, TEST_PASSWORD, new)
    assert response.status_code == 200
    assert message in response.text


def test_an_administrator_cannot_set_a_common_password_or_the_user_name(
        client, create_unit, create_user, login):
    school = create_unit("s3", "School", "school")
    create_user("boss3", unit=school, roles=(("core.unit_admin", school),))
    victim = create_user("kong", unit=school)
    login("boss3")
    for password, message in (("abc123456", COMMON), ("kong2026x", NAME_IN_IT)):
        response = client.post(f"/admin/users/{victim.id}/password", data={"password": password})
        assert response.status_code == 422 and message in response.text
    response = client.post("/admin/users/new", data={
        "username": "newbie", "name": "New", "unit": school.id, "password": "newbie2026"})
    assert response.status_code == 422 and NAME_IN_IT in response.text


def test_password_rules_speak_chinese(app):
    from flask_babel import force_locale

    from core import users

    with app.test_request_context(), force_locale("zh_CN"):
        for problem in (users.password_problem("password123"),
                        users.password_problem("zhou2026x", username="zhou")):
            assert problem and not any("a" <= c.lower() <= "z" for c in problem), problem
