"""Values remembered for the rest of one request.

A page asks the same questions many times: the user's grants for each menu entry and button,
the plugins' enable/disable records, a scope for the list and again for a widget, settings,
the inbox's count for the menu badge and the tabs. Each is worked out once per request and
kept in a dict of its own, all of them in one holder in ``g``, emptied when the next request
starts (:func:`clear`, called by ``web._fresh_request``; a test or a CLI command may hold one
application context across several requests). Outside a request nothing is kept, so a
command or a test that changes data and asks again gets a fresh answer.

Plugins use the same two functions through :mod:`core.api`, naming their caches
``<plugin>.<what>``. Every cache of Danwei's lives in this one holder, so clearing them needs
no list of names.
"""

from __future__ import annotations

from flask import g, has_request_context

#: The key in ``g`` holding every cache.
KEY = "_danwei_cache"


def request_cache(name: str) -> dict:
    """The dict named *name* for this request (a throwaway one outside a request)."""
    if not has_request_context():
        return {}
    return g.setdefault(KEY, {}).setdefault(name, {})


def forget(*names: str) -> None:
    """Drop the named caches of this request: what they remember has just changed."""
    caches = g.get(KEY, {}) if has_request_context() else {}
    for name in names:
        caches.pop(name, None)


def clear() -> None:
    """Drop every cache: a new request starts."""
    if has_request_context():
        g.pop(KEY, None)
