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

import hashlib
import logging
import os
import pickle
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app, g, has_app_context, has_request_context
from flask_caching import Cache
from sqlalchemy import event
from sqlalchemy.orm import Session

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


# -- across requests ---------------------------------------------------------------------------
#
# Values that cost statements on every page (the user's context, the grants, the plugins'
# enable/disable records, the settings, the menu with its badges, dashboard widgets) are kept
# across requests in a Flask-Caching store: per process (SimpleCache) in the embedded default,
# Redis when ``REDIS_URL`` is set (several workers or servers share it). Each value is stored
# under the *generations* of the topics it depends on; committing a change to a table bumps its
# topic's generation (a new unique value), so the next read misses and computes afresh: the
# invalidation is exact, and ``CACHE_SAFETY_SECONDS`` is only a safety net.
#
# Topics are named after what changed: ``workflow`` (any workflow_* table), ``plugins``
# (enable/disable records), ``roles`` (roles, their permissions and assignments), ``units``,
# ``settings``, ``notifications``, ``users`` (a user created or deleted) and ``users:<id>``
# (that user changed), and each plugin's name for its own tables (``<plugin>_*``). They are
# found from the ORM's unit of work and from ORM insert/update/delete statements, and bumped
# after the commit (a reader between the write and the commit would otherwise store the old
# data under the new generation). A write outside the ORM session calls :func:`bump`.



log = logging.getLogger(__name__)

#: The store, one per application (``shared.cache`` is the current app's).
shared = Cache()

#: Topics every value that depends on the user and the unit depends on.
CONTEXT_TOPICS = ("plugins", "roles", "units", "settings")

#: Tables of core that belong to a topic not named after them.
_CORE_TOPICS = {
    "plugin_states": "plugins", "roles": "roles", "role_assignments": "roles",
    "role_permissions": "roles", "units": "units", "setting_values": "settings",
    "notifications": "notifications", "users": "users",
}
_PENDING = "danwei_cache_topics"


def init_app(app) -> None:
    """The store for *app*: ``CACHE_BACKEND`` ``simple`` (per process), ``redis`` or ``null``
    (nothing kept); by default Redis when ``REDIS_URL`` is set, else per process."""
    backend = app.config.get("CACHE_BACKEND") or ("redis" if app.config.get("REDIS_URL")
                                                  else "simple")
    config = {"CACHE_DEFAULT_TIMEOUT": app.config.get("CACHE_SAFETY_SECONDS", 300),
              "CACHE_KEY_PREFIX": app.config.get("CACHE_KEY_PREFIX") or "danwei:cache:"}
    if backend == "redis":
        config.update(CACHE_TYPE="RedisCache",
                      CACHE_REDIS_URL=app.config.get("CACHE_REDIS_URL") or app.config["REDIS_URL"])
    elif backend == "null":  # nothing to set up: remember() computes every time
        pass
    elif backend == "simple":
        config.update(CACHE_TYPE="SimpleCache",
                      CACHE_THRESHOLD=app.config.get("CACHE_THRESHOLD", 20_000))
    else:
        raise ValueError(f"CACHE_BACKEND must be simple, redis or null, not {backend!r}")
    if backend != "null":
        shared.init_app(app, config=config)
    app.extensions["danwei_cache"] = backend
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _orm_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def enabled() -> bool:
    return current_app.extensions.get("danwei_cache", "null") != "null"


def _generation_key(topic: str) -> str:
    return "gen:" + topic


def _fresh() -> str:
    """A generation never used before (a bump, or a generation the store had lost)."""
    return f"{time.time_ns():x}{os.urandom(4).hex()}"


def generations(topics: Iterable[str]) -> tuple:
    """The current generation of each topic (remembered for the rest of the request)."""
    topics = tuple(topics)
    memo = request_cache("cache generations")
    wanted = [t for t in topics if t not in memo]
    if wanted:
        store = shared.cache
        keys = [_generation_key(t) for t in wanted]
        found = store.get_many(*keys)
        for topic, key, value in zip(wanted, keys, found, strict=True):
            if value is None:  # never bumped, or lost: start one that no old value carries
                store.add(key, _fresh(), timeout=0)
                value = store.get(key)
            memo[topic] = value
    return tuple(memo[t] for t in topics)


def bump(*topics: str) -> None:
    """Mark *topics* as changed: every value cached under them is recomputed when next read.

    Writes through the ORM session bump their topics themselves when they commit; call this
    after a write that bypasses it (raw SQL, another database connection)."""
    if not topics or not enabled():
        return
    store = shared.cache
    try:
        store.set_many({_generation_key(t): _fresh() for t in set(topics)}, timeout=0)
    except Exception:  # noqa: BLE001 - a cache that is down must not fail the write
        log.exception("could not bump cache generations %s", topics)
    forget("cache generations")


_MISSING = object()


def remember(key: tuple, topics: Iterable[str], compute: Callable[[], Any],
             timeout: int | None = None) -> Any:
    """*compute()*, kept across requests under *key* until one of *topics* changes (or for
    *timeout* seconds, default ``CACHE_SAFETY_SECONDS``, a safety net only).

    A topic changes when a write to its tables commits, in any process sharing the cache
    (Redis): ``"<plugin>"`` for the plugin's own tables, ``"workflow"``, ``"notifications"``,
    ``"plugins"`` (enabled/disabled), ``"roles"``, ``"units"``, ``"settings"``, ``"users"``
    and ``"users:<id>"``; :func:`user_topics` lists what a value shown to one user depends
    on. Put in *key* everything else the value depends on (user, unit, language, day). A
    session's own uncommitted changes are seen (the value is computed, not read). The value
    must pickle; None is never kept (the next request computes it again).

    Example: ``remember(("my_plugin.open", unit.id), (*user_topics(user.id), "my_plugin"),
    lambda: count_open(unit))``."""
    if not enabled():
        return compute()
    topics = tuple(sorted(set(topics)))
    if _unsettled(topics):  # this session changed them and has not committed: ask the database
        return compute()
    try:
        gens = generations(topics)
        digest = hashlib.sha1(repr((key, topics, gens)).encode()).hexdigest()
        stored = shared.cache.get("v:" + digest)
    except Exception:  # noqa: BLE001 - a cache that is down costs time, not the page
        log.exception("cache read failed")
        return compute()
    if stored is not None:
        return stored[0]
    keep = request_cache("cache keep")
    keep.pop("no", None)
    value = compute()
    if value is None or keep.pop("no", None):
        return value
    try:
        shared.cache.set("v:" + digest, (value,), timeout=timeout)
    except (pickle.PicklingError, TypeError, AttributeError):
        raise
    except Exception:  # noqa: BLE001
        log.exception("cache write failed")
    return value


def _unsettled(topics: tuple[str, ...]) -> bool:
    """Whether the current session holds uncommitted changes to one of *topics*."""
    from .extensions import db

    session = db.session()
    changed = set(session.info.get(_PENDING, ()))
    for obj in (*session.new, *session.dirty, *session.deleted):
        changed |= _topics_of_object(obj, False)
    return bool(changed) and not changed.isdisjoint(topics)


def do_not_keep() -> None:
    """Called within a :func:`remember` computation: its value is used, not kept (a plugin
    failed while computing it, and the next request should try again)."""
    request_cache("cache keep")["no"] = True


def topic_of(table: str, module: str = "") -> str:
    """The topic a write to *table* changes; *module* is where its model class is defined
    (a plugin's package is ``danwei_<plugin>``, so its tables are the plugin's topic)."""
    package = module.split(".", 1)[0]
    if package.startswith("danwei_"):
        return package.removeprefix("danwei_")
    if table in _CORE_TOPICS:
        return _CORE_TOPICS[table]
    if table.startswith("workflow_"):
        return "workflow"
    return table


def _topics_of_object(obj, changed: bool) -> set[str]:
    table = getattr(getattr(obj, "__table__", None), "name", None)
    if table is None:
        return set()
    topic = topic_of(table, type(obj).__module__)
    if topic == "users" and getattr(obj, "id", None) is not None:
        return {f"users:{obj.id}"} if changed else {"users", f"users:{obj.id}"}
    return {topic}


def _after_flush(session, flush_context) -> None:
    pending = session.info.setdefault(_PENDING, set())
    for obj in session.new:
        pending |= _topics_of_object(obj, False)
    for obj in session.deleted:
        pending |= _topics_of_object(obj, False)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            pending |= _topics_of_object(obj, True)


def _orm_execute(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        mapper = state.bind_mapper
        module = mapper.class_.__module__ if mapper is not None else ""
        if name:  # which rows is not known: the whole topic ("users" covers every user)
            state.session.info.setdefault(_PENDING, set()).add(topic_of(name, module))


def _after_commit(session) -> None:
    topics = session.info.pop(_PENDING, None)
    if topics and has_app_context():
        bump(*topics)


def _after_rollback(session) -> None:
    session.info.pop(_PENDING, None)


def user_topics(user_id: int) -> tuple[str, ...]:
    """The topics of values that depend on one user: their own row, their roles, the units,
    the plugins' records, the settings. Any user deleted or created counts too (``users``)."""
    return (*CONTEXT_TOPICS, "users", f"users:{user_id}")


def remember_rows(key: tuple, topics: Iterable[str], compute: Callable[[], Any],
                  session) -> Any:
    """:func:`remember` for ORM objects: *compute()* returns an object, a list of them or None;
    a cached answer is attached to *session* as it was loaded, without a query
    (``merge(load=False)``). Lazy relationships still load when used."""
    value = remember(key, topics, compute)
    if not enabled() or value is None:
        return value
    if isinstance(value, list):
        return [_attached(session, obj) for obj in value]
    return _attached(session, value)


def _attached(session, obj):
    return obj if obj in session else session.merge(obj, load=False)
