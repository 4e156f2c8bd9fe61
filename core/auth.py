"""Logging in and out, changing one's password, choosing a language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.security import check_password_hash
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from . import audit, users
from .access import login_required_only, public
from .extensions import db, limiter
from .i18n import lazy_gettext as _l

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))

    def validate_new(self, field):
        problem = users.password_problem(field.data or "", current_user.username,
                                         current_user.password_hash)
        if problem:
            raise ValidationError(problem)


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect).

    Browsers read ``\\`` as ``/`` and drop tabs and newlines, so ``/\\evil`` and ``/<tab>/evil``
    would leave the site: anything but a plain path starting with a single ``/`` goes home.
    """
    if target and target.isprintable():
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("home.index")


# -- known browsers --------------------------------------------------------------------------
#
# A browser an account logged in from keeps a signed cookie naming the account. It is no
# credential (the password is still checked); it only lets the owner past the wait and the
# per-account limit that a guesser elsewhere has run the account into.

DEVICE_COOKIE = "danwei_device"
#: Accounts remembered per browser (a family computer, a teachers' office).
DEVICE_ACCOUNTS = 10


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="danwei.known-device")


def _device_ids() -> list[int]:
    """Ids of the accounts that logged in from this browser, latest first (none if the
    cookie is forged or too old)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    max_age = current_app.config["LOGIN_KNOWN_DEVICE_DAYS"] * 86400
    try:
        ids = _device_serializer().loads(raw, max_age=max_age)
    except BadData:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def known_accounts() -> frozenset[int]:
    return frozenset(_device_ids())


def _remember_device(response, user) -> None:
    ids = [user.id, *(i for i in _device_ids() if i != user.id)][:DEVICE_ACCOUNTS]
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE, _device_serializer().dumps(ids),
        max_age=config["LOGIN_KNOWN_DEVICE_DAYS"] * 86400, httponly=True, samesite="Lax",
        secure=bool(config["SESSION_COOKIE_SECURE"]),
    )


# -- rate limits --------------------------------------------------------------------------------


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """The name typed, whether an account has it or not: both are limited alike."""
    return "login:" + (request.form.get("username") or "").strip().lower()[:64]


def _owners_browser() -> bool:
    """A login from a browser the named account used before is not counted per account."""
    known = known_accounts()
    if not known:
        return False
    user = users.find_by_username((request.form.get("username") or "")[:64])
    return user is not None and user.id in known


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"],
               exempt_when=_owners_browser)
@public
def login():
    """Log in with user name and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user, problem = users.authenticate(form.username.data, form.password.data,
                                           known=known_accounts())
        db.session.commit()
        if user is None:
            flash(problem, "danger")
        else:
            _restart_session()
            login_user(user)
            response = redirect(safe_next(request.args.get("next")))
            _remember_device(response, user)
            return response
    return render_template("auth/login.html", form=form)


def _restart_session(locale: str | None = None) -> None:
    """Start a fresh session (no fixation), keeping only the language the visitor chose."""
    locale = locale or session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


@bp.route("/logout", methods=["POST"])
@login_required_only
def logout():
    """Log out."""
    user = current_user._get_current_object()
    audit.record("core.logout", subject=user, summary=user.username)
    # Every copy of the cookie ends too, on every device: the session's epoch is the user's.
    users.end_sessions(user, audited=False)
    db.session.commit()
    locale = user.locale
    logout_user()
    _restart_session(locale)
    flash(_l("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required_only
def change_password():
    """Change one's own password (forced after an administrator set it)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not check_password_hash(current_user.password_hash, form.current.data):
            form.current.errors.append(_l("The current password is wrong."))
        else:
            user = current_user._get_current_object()
            users.set_password(user, form.new.data)  # ends every session of the account
            db.session.commit()
            _login_again(user)
            flash(_l("Your password was changed. Every other session of your account has "
                     "ended."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/sessions/end", methods=["POST"])
@login_required_only
def end_sessions():
    """Log out everywhere else: every other browser and device with this account."""
    user = current_user._get_current_object()
    users.end_sessions(user)
    db.session.commit()
    _login_again(user)
    flash(_l("You are logged out everywhere else."), "success")
    return redirect(url_for("auth.change_password"))


def _login_again(user) -> None:
    """Keep this browser logged in after the user's sessions were ended: a fresh session
    naming the new epoch."""
    _restart_session()
    login_user(user)


@bp.route("/language/<code>", methods=["POST"])
@public
def set_language(code: str):
    """Switch the interface language (remembered for the account when logged in)."""
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))
