"""A form sent after its CSRF token expired comes back with what was typed.

CSRF tokens expire (``WTF_CSRF_TIME_LIMIT``, a few hours), so a form left open over lunch is
refused. Losing a long leave application or plan item to that would be cruel, so the refusal
draws the same page again, the way a failed validation does: the view runs as if the post had
arrived, its form fails its own CSRF check (the token is still the expired one) and is drawn
with the values posted and a fresh token, under a message saying nothing was saved.

Drawing the page again must never do what the post asked for. So:

* only pages that also answer GET (a form page) are drawn again; a bare action (log out,
  deactivate, switch unit) gets the plain refusal page;
* the request goes through every ``before_request`` step that CSRF protection cut short
  (login, forced password change, access control), exactly as the real request would;
* nothing may be committed while the page is drawn: a view that would act without a form
  fails at its commit, its work is rolled back and the plain refusal page is shown; a view
  that answers with a redirect (it thinks it acted) gets the plain refusal page too.
"""

from __future__ import annotations

from contextlib import contextmanager

from flask import current_app, flash, make_response, request, session
from flask.globals import request_ctx
from sqlalchemy import event

from .extensions import db
from .i18n import lazy_gettext as _l

MESSAGE = _l("The form expired or did not come from this site. Nothing was saved; what you "
             "typed is kept below: check it and send it again.")


class _CommitRefused(RuntimeError):
    """A view tried to commit while its page was being drawn again."""


@contextmanager
def _no_commit():
    def refuse(session):
        raise _CommitRefused("no commit while an expired form is drawn again")

    session = db.session()
    event.listen(session, "before_commit", refuse)
    try:
        yield
    finally:
        event.remove(session, "before_commit", refuse)
        db.session.rollback()


def _remaining_before_request():
    """The ``before_request`` steps after CSRF protection's, app-wide then per blueprint."""
    app = current_app
    found, passed = [], False
    for func in app.before_request_funcs.get(None, ()):
        if passed:
            found.append(func)
        passed = passed or func.__name__ == "csrf_protect"
    for name in reversed(request.blueprints):
        found.extend(app.before_request_funcs.get(name, ()))
    return found


def _unflash() -> None:
    """Take the message back: the plain refusal page is shown instead."""
    kept = [f for f in session.get("_flashes", []) if f[1] is not MESSAGE]
    if kept:
        session["_flashes"] = kept
    else:
        session.pop("_flashes", None)
    if request_ctx.flashes is not None:  # already read while the page was drawn
        request_ctx.flashes = [f for f in request_ctx.flashes if f[1] is not MESSAGE]


def page_again():
    """The refused post's page, drawn again with what was typed, or None (plain refusal)."""
    rule, view = request.url_rule, current_app.view_functions.get(request.endpoint or "")
    if request.method != "POST" or rule is None or view is None or "GET" not in rule.methods:
        return None
    try:
        for step in _remaining_before_request():
            answer = step()
            if answer is not None:
                return make_response(answer)
        flash(MESSAGE, "warning")
        with _no_commit():
            response = make_response(view(**(request.view_args or {})))
    except Exception:  # noqa: BLE001 - a 404, a refusal, a view that tried to act: refuse plainly
        current_app.logger.info("expired form not drawn again", exc_info=True)
        _unflash()
        return None
    if 300 <= response.status_code < 400:  # a redirect: the view believes it acted
        _unflash()
        return None
    response.status_code = 400
    return response
