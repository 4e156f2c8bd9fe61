"""Logging in and out, lockouts, rate limits, passwords, deactivated accounts and languages."""

from datetime import timedelta

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


@pytest.mark.parametrize("username", ["wu", "nobody"])
def test_wrong_password_or_unknown_user_gives_one_message(client, create_user, db, username):
    create_user("wu")
    response = post_login(client, username, "not-the-password1")
    assert response.status_code == 200
    assert WRONG in response.text
    assert 'value="not-the-password1"' not in response.text
    assert not is_logged_in(client)
    assert len(events(db, "core.login_failed")) == 1


# -- lockout ------------------------------------------------------------------------------------


def test_account_locks_after_consecutive_failures_and_unlocks_later(app, client, create_user, db):
    user = create_user("zheng")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        assert WRONG in post_login(client, "zheng", "guess1234").text
    response = post_login(client, "zheng", "guess1234")
    assert LOCKED in response.text
    assert [e.subject_id for e in events(db, "core.account_locked")] == [str(user.id)]

    # Even the right password is refused while the lock lasts.
    response = post_login(client, "zheng", TEST_PASSWORD)
    assert response.status_code == 200
    assert LOCKED in response.text
    assert not is_logged_in(client)
    db.session.refresh(user)
    minutes = app.config["LOGIN_LOCKOUT_MINUTES"]
    remaining = user.locked_until - utcnow()
    assert timedelta(minutes=minutes - 1) < remaining <= timedelta(minutes=minutes)

    # Once the time has passed (moved back rather than waited for), the password works again.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert post_login(client, "zheng", TEST_PASSWORD).status_code == 302
    assert is_logged_in(client)


@pytest.mark.danwei_config(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_MINUTES=2)
def test_lockout_follows_configuration_and_counts_only_consecutive_failures(
    client, create_user, db
):
    user = create_user("feng")
    for _ in range(2):
        post_login(client, "feng", "guess1234")
    assert post_login(client, "feng", TEST_PASSWORD).status_code == 302  # resets the count
    client.post("/logout")
    for _ in range(2):
        assert WRONG in post_login(client, "feng", "guess1234").text
    assert events(db, "core.account_locked") == []

    assert LOCKED in post_login(client, "feng", "guess1234").text
    db.session.refresh(user)
    assert user.locked_until - utcnow() <= timedelta(minutes=2)


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
