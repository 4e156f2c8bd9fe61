"""Wiring of every request: login, the current unit, access control, headers, error pages."""

from __future__ import annotations

from dataclasses import replace

from flask import Flask, current_app, g, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from . import access, cache, expired_forms, users
from .args import IdConverter
from .declarations import MenuItem
from .extensions import db, login_manager
from .i18n import LANGUAGE_NAMES, current_language
from .i18n import lazy_gettext as _l
from .models import RoleAssignment, Unit, User
from .plugins import plugin_host
from .settings import get_setting

#: Sent with every response. No inline script is allowed anywhere, plugins included.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

def init_app(app: Flask) -> None:
    """Wire every request: converters, login, current unit, access, headers, error pages.

    Blueprints are registered by :func:`core.create_app`, not here: this module imports no view.
    """
    from . import jobs, timing

    # Before any blueprint, whose rules are compiled with the converters known when added.
    app.url_map.converters["int"] = IdConverter
    timing.init_app(app)
    # The embedded default runs due jobs in a thread, started by the first request.
    app.before_request(lambda: jobs.start_in_process(app) and None)

    # The embedded default's task thread (core/tasks), started like the jobs thread.
    from .tasks import queue as task_queue

    app.before_request(lambda: task_queue.start_in_process(app))

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "warning"
    login_manager.user_loader(_load_user)

    app.before_request(_fresh_request)
    app.before_request(_end_stale_session)
    app.before_request(_set_current_unit)  # first, so that a refusal page shows the menu too
    app.before_request(access.enforce_access)
    app.after_request(_security_headers)
    app.context_processor(_layout_context)
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _error_page)


#: What libraries keep in ``g`` for one request: flask-login's user, flask-babel's locale and
#: translations, flask-wtf's CSRF token. A test (or a CLI command) may hold one application
#: context, hence one ``g``, across several requests, so they are dropped when a request starts.
#: Danwei's own per-request values live in :mod:`core.cache` and are dropped with it.
LIBRARY_KEYS = ("_login_user", "_flask_babel", "csrf_token")


def _fresh_request() -> None:
    for key in LIBRARY_KEYS:
        g.pop(key, None)
    cache.clear()


def _load_user(session_id: str) -> User | None:
    # The user's row is kept across requests (core/cache.py) until it changes: attached to
    # the session (held here, the identity map holds it weakly), session_user finds it there.
    user_id, cached = str(session_id).partition(":")[0], None
    if user_id.isdigit() and int(user_id) <= users.MAX_ID:
        cached = cache.remember_rows(("user", int(user_id)), cache.user_topics(int(user_id)),
                                     lambda: db.session.get(User, int(user_id)), db.session())
    user = users.session_user(session_id)  # None once the session was ended on the server
    del cached
    return user


def _end_stale_session() -> None:
    """Log out a session whose account was deactivated or deleted since it logged in.

    Otherwise the session would silently come back to life if the account were reactivated.
    """
    endpoint = request.endpoint or ""
    if "_user_id" in session and not access.is_static_endpoint(endpoint) \
            and not current_user.is_authenticated:
        logout_user()


def units_of(user: User) -> list[Unit]:
    """The units a user works in: their own unit and every unit where they hold a role (kept
    across requests until a role, a unit or the user changes)."""
    return cache.remember_rows(("units of", user.id), cache.user_topics(user.id),
                               lambda: _units_of(user), db.session())


def _units_of(user: User) -> list[Unit]:
    ids = set(
        db.session.scalars(select(RoleAssignment.unit_id).where(RoleAssignment.user_id == user.id))
    )
    if user.unit_id:
        ids.add(user.unit_id)
    if not ids:
        return []
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)).order_by(Unit.path)))


def _set_current_unit() -> None:
    """``g.unit``: the unit the user chose in the switcher, else their own unit."""
    g.unit, g.units = None, []
    if access.is_static_endpoint(request.endpoint or "") or not current_user.is_authenticated:
        return
    g.units = units_of(current_user)
    chosen = session.get("unit_id")
    for unit in g.units:
        if unit.id == chosen:
            g.unit = unit
            return
    if current_user.unit is not None:
        g.unit = current_user.unit
    elif g.units:
        g.unit = g.units[0]


def menu_for(user: User, unit: Unit | None) -> list:
    """The navigation entries of every plugin enabled in *unit* that *user* may use there."""
    if unit is None:
        return []
    host = plugin_host()
    enabled = {"core"} | access.enabled_plugins(unit)
    items = []
    for plugin, item in host.collect("menu_items", only=enabled, user=user, unit=unit):
        # An entry that cannot be drawn would break every page: report it and leave it out.
        if not isinstance(item, MenuItem) or item.endpoint not in current_app.view_functions:
            host.fail(plugin, "menu_items", f"{item!r} is not a MenuItem with a known endpoint")
            continue
        needed = (item.permission,) if isinstance(item.permission, str) else item.permission
        if not needed or any(access.can(p, unit, user) for p in needed):
            items.append(item)
    return sorted(items, key=lambda i: (i.order, str(i.label)))


def cached_menu(user: User, unit: Unit | None) -> list:
    """:func:`menu_for`, kept across requests per (user, unit, language) until something its
    badges count changes: the workflow, notifications, any plugin's records (and what every
    user-dependent value depends on)."""
    if unit is None:
        return []
    host = plugin_host()
    topics = (*cache.user_topics(user.id), "workflow", "notifications", *host.loaded)

    def entries() -> list:
        failures = sum(e.count for e in host.errors)
        # The labels in the language of the key, so that the entries pickle.
        found = [replace(item, label=str(item.label)) for item in menu_for(user, unit)]
        if sum(e.count for e in host.errors) != failures:  # a plugin failed: ask it again
            cache.do_not_keep()
        return found

    return cache.remember(("menu", user.id, unit.id, str(get_locale())), topics, entries)


def site_name() -> str:
    remembered = cache.request_cache("site")
    if "name" not in remembered:
        remembered["name"] = get_setting("core", "site_name")
    return remembered["name"]


def _layout_context() -> dict:
    context = {
        "languages": LANGUAGE_NAMES,
        "can": access.can,
        "site_name": site_name,
        "get_locale": get_locale,
        "current_language": current_language,
    }
    if current_user.is_authenticated and "unit" in g:  # error pages included
        # Once per request: partial templates (the workflow panel, widgets) render with this
        # context too, and the menu asks every plugin for its entries and badges.
        menu = cache.request_cache("menu")
        if "entries" not in menu:
            menu["entries"] = cached_menu(current_user, g.unit)
        context["menu"] = menu["entries"]
        context["current_unit"] = g.unit
        context["my_units"] = g.get("units", [])
    return context


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


ERROR_TEXT = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You do not have permission to do this here."),
    404: _l("This page does not exist, or you may not see it."),
    405: _l("This action is not allowed on this page."),
    413: _l("The upload is too large."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. The error has been logged."),
}


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    message = ERROR_TEXT.get(code)
    if isinstance(error, CSRFError):
        page = expired_forms.page_again()  # a form page comes back with what was typed
        if page is not None:
            return page
        message = _l("The form expired or did not come from this site. Reload the page and "
                     "try again; what you typed is still in the form when you go back.")
    if code == 500:
        db.session.rollback()
    try:
        return render_template("errors/error.html", code=code, message=message), code
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        current_app.logger.exception("error page failed")
        return f"{code}: {message}", code, {"Content-Type": "text/plain; charset=utf-8"}
