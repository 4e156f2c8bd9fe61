"""People: creating them, checking passwords, locking out guessers."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit
from .extensions import db
from .i18n import lazy_gettext as _l
from .models import Unit, User, utcnow


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def password_problem(password: str) -> str | None:
    """Why *password* is too weak, in the user's language, or None."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return str(_l("Use at least %(n)d characters.", n=minimum))
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        return str(_l("Mix letters and digits."))
    return None


def find_by_username(username: str) -> User | None:
    return db.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().lower())
    )


def create_user(username: str, name: str, password: str, unit: Unit | None = None,
                must_change_password: bool = False, **fields) -> User:
    user = User(
        username=username.strip(),
        name=name.strip(),
        password_hash=hash_password(password),
        unit=unit,
        must_change_password=must_change_password,
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.must_change_password = False
    audit.record("core.password_changed", subject=user, summary=user.username)


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def authenticate(username: str, password: str) -> tuple[User | None, str | None]:
    """Check a login. Returns ``(user, None)`` or ``(None, reason)``; audits both outcomes.

    After ``LOGIN_MAX_FAILURES`` wrong passwords in a row the account is locked for
    ``LOGIN_LOCKOUT_MINUTES``; the lock is reported only to a caller that knows the password
    would otherwise be checked, so guessing cannot tell locked accounts from wrong passwords.
    """
    user = find_by_username(username)
    wrong = str(_l("Wrong user name or password."))
    if user is None:
        check_password_hash(_dummy_hash(), password)  # same time as a real check
        audit.record("core.login_failed", summary=username[:64], data={"reason": "unknown"})
        return None, wrong
    if is_locked(user):
        audit.record("core.login_failed", subject=user, summary=user.username,
                     data={"reason": "locked"})
        return None, str(_l("Too many failed attempts; try again later or ask an administrator."))
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            user.locked_until = utcnow() + timedelta(
                minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]
            )
            user.failed_logins = 0
            audit.record("core.account_locked", subject=user, summary=user.username)
        audit.record("core.login_failed", subject=user, summary=user.username,
                     data={"reason": "password"})
        return None, wrong
    if not user.active:
        audit.record("core.login_failed", subject=user, summary=user.username,
                     data={"reason": "inactive"})
        return None, str(_l("This account is deactivated."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    audit.record("core.login", subject=user, summary=user.username, actor=user)
    return user, None


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY:
        _DUMMY[method] = generate_password_hash("not-a-password", method=method)
    return _DUMMY[method]
