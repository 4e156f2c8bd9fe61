"""People: creating them, checking passwords, locking out guessers."""

from __future__ import annotations

import os
import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from . import audit
from .args import MAX_ID
from .extensions import db
from .i18n import lazy_gettext as _l
from .models import Unit, User, utcnow


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def hash_passwords(passwords: list[str]) -> list[str]:
    """Hash many passwords at once, on every core: hashlib releases the GIL while it hashes."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if len(passwords) < 20:
        return [generate_password_hash(p, method=method) for p in passwords]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(lambda p: generate_password_hash(p, method=method), passwords,
                             chunksize=50))


def password_problem(password: str, username: str | None = None,
                     current_hash: str | None = None) -> str | None:
    """Why *password* is too weak, in the user's language, or None.

    Beside length and a mix of letters and digits: not one of the passwords guessers try
    first (:func:`is_common`), not containing the user name, not the current password.
    """
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return str(_l("Use at least %(n)d characters.", n=minimum))
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        return str(_l("Mix letters and digits."))
    name = (username or "").strip().lower()
    if name and name in password.lower():
        return str(_l("Do not use your user name in your password."))
    if current_hash and check_password_hash(current_hash, password):
        return str(_l("Choose a password different from your current one."))
    if is_common(password):
        return str(_l("This password is among the most common ones, which are guessed first. "
                      "Choose another."))
    return None


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn's list: the 30,000 most frequent passwords of the Xato corpus (10 million
    # passwords from public leaks), lower-cased. Loaded on first use (about 0.2 s).
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """Whether *password* (in any letter case) is among the most common passwords."""
    return password.lower() in _common_passwords()


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
    """Change one's own password; every session of the account ends (the caller logs the
    current one in again)."""
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.session_epoch += 1
    audit.record("core.password_changed", subject=user, summary=user.username)


# -- sessions -----------------------------------------------------------------------------------


def session_user(session_id: str) -> User | None:
    """The user a session (or "remember me") cookie names, if that session is still alive.

    The cookie names the user's session epoch (:meth:`User.get_id`). Logging out, changing
    the password, being deactivated or an administrator's "log out everywhere" raise the
    epoch, so every copy of an older cookie, however signed, names no one.
    """
    user_id, _, epoch = str(session_id).partition(":")
    if not (user_id.isdigit() and epoch.isdigit()) or int(user_id) > MAX_ID:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user


def end_sessions(user: User, audited: bool = True) -> None:
    """End every session of *user*, on every device ("log out everywhere")."""
    user.session_epoch += 1
    if audited:
        audit.record("core.sessions_ended", subject=user, unit=user.unit, summary=user.username)


def is_delayed(user: User) -> bool:
    """Whether *user*'s account makes a guesser wait before the next password is checked."""
    return user.locked_until is not None and user.locked_until > utcnow()


def login_wait(failures: int) -> timedelta:
    """How long an account waits after *failures* wrong passwords in a row: nothing up to
    ``LOGIN_MAX_FAILURES``, then ``LOGIN_DELAY_SECONDS``, doubled by every further wrong
    password, never more than ``LOGIN_LOCKOUT_MINUTES``."""
    config = current_app.config
    extra = failures - config["LOGIN_MAX_FAILURES"]
    if extra < 0:
        return timedelta(0)
    longest = config["LOGIN_LOCKOUT_MINUTES"] * 60
    seconds = config["LOGIN_DELAY_SECONDS"] * 2 ** min(extra, 30)
    return timedelta(seconds=min(seconds, longest))


def authenticate(username: str, password: str,
                 known: frozenset[int] = frozenset()) -> tuple[User | None, str | None]:
    """Check a login. Returns ``(user, None)`` or ``(None, reason)``; audits both outcomes.

    Wrong passwords slow a guesser down rather than lock the owner out: after
    ``LOGIN_MAX_FAILURES`` in a row the account waits (:func:`login_wait`) before it checks a
    password again, except from a browser it logged in from before (*known*: the ids of the
    accounts that did). While it waits, the answer is the one a name that does not exist
    gets, in the same time: a guesser learns neither that the account exists nor whether a
    guess was right. Only the right password of an account that is not waiting says more (a
    deactivated account).
    """
    user = find_by_username(username)
    wrong = str(_l("Wrong user name or password. After several wrong attempts, an account "
                   "makes you wait a little before the next one."))
    if user is None:
        check_password_hash(_dummy_hash(), password)  # same time as a real check
        audit.record("core.login_failed", summary=username[:64], data={"reason": "unknown"})
        return None, wrong
    if is_delayed(user) and user.id not in known:
        check_password_hash(_dummy_hash(), password)
        audit.record("core.login_failed", subject=user, summary=user.username,
                     data={"reason": "delayed"})
        return None, wrong
    if not check_password_hash(user.password_hash, password):
        audit.record("core.login_failed", subject=user, summary=user.username,
                     data={"reason": "password"})
        user.failed_logins += 1
        wait = login_wait(user.failed_logins)
        if wait:
            user.locked_until = utcnow() + wait
            audit.record("core.login_delayed", subject=user, summary=user.username,
                         data={"seconds": int(wait.total_seconds())})
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


# -- administration -----------------------------------------------------------------------------

#: Letters, digits and ``. _ - @``: student numbers, pinyin names, e-mail style logins.
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
#: A mainland mobile number, or a landline with area code and optional extension.
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: No 0/O, 1/l/I: generated passwords are read aloud and copied from paper.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def username_problem(username: str) -> str | None:
    """Why *username* cannot be used as a login name (its format only), or None."""
    if not USERNAME_RE.match(username):
        return str(_l("Use up to 64 letters, digits and . _ - @, starting with a letter or digit."))
    return None


def phone_problem(phone: str) -> str | None:
    if phone and not PHONE_RE.match(phone):
        return str(_l("Enter an 11-digit mobile number or a landline such as 010-12345678."))
    return None


def email_problem(email: str) -> str | None:
    if email and (len(email) > 200 or not EMAIL_RE.match(email)):
        return str(_l("Enter an e-mail address such as name@example.cn."))
    return None


def generate_password(length: int = 10) -> str:
    """A random initial password that passes :func:`password_problem`."""
    length = max(length, current_app.config["PASSWORD_MIN_LENGTH"])
    while True:
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
        if password_problem(password) is None:
            return password


def existing_usernames(usernames) -> set[str]:
    """The lower-cased names among *usernames* that are taken already (a few queries in all)."""
    wanted = sorted({u.strip().lower() for u in usernames if u})
    taken: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        taken.update(
            db.session.scalars(
                select(func.lower(User.username)).where(func.lower(User.username).in_(chunk))
            )
        )
    return taken


def reset_password(user: User, password: str) -> None:
    """Set a password chosen by an administrator; the user must change it at next login."""
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    user.session_epoch += 1  # whoever used the old password is out
    audit.record("core.password_reset", subject=user, unit=user.unit, summary=user.username)


def set_active(user: User, active: bool) -> None:
    """Deactivate (cannot log in, sessions end) or reactivate *user*, and audit it."""
    if user.active == active:
        return
    user.active = active
    if not active:
        user.session_epoch += 1  # reactivating must not bring old sessions back
    audit.record(
        "core.user_reactivated" if active else "core.user_deactivated",
        subject=user, unit=user.unit, summary=user.username,
    )
