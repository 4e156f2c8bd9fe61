"""``/healthz`` and ``/readyz``: what a load balancer asks before sending a request here.

``/healthz`` answers as long as the process serves requests, and touches nothing else: a
database outage must not make every app server look dead and get restarted in a loop.
``/readyz`` answers 200 only when this server can do its work: the database answers, Redis
answers when one is configured (rate limits, the task queue), and every migration is at head —
so a server of the new version waits out ``danwei db upgrade`` before taking traffic.
Both are public, plain JSON, and never cached.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .access import public
from .extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz():
    """The process is up."""
    return _answer({"status": "ok"}, 200)


@bp.route("/readyz")
@public
def readyz():
    """Database, Redis (when configured) and migrations at head."""
    checks = {"database": _database(), "migrations": _migrations()}
    for name, url in redis_urls().items():
        checks[name] = _redis(url)
    ready = all(value == "ok" for value in checks.values())
    return _answer({"status": "ok" if ready else "unavailable", "checks": checks},
                   200 if ready else 503)


def redis_urls() -> dict[str, str]:
    """The Redis servers this app depends on, by what it uses them for."""
    found = {}
    if current_app.config.get("REDIS_URL"):
        found["redis"] = current_app.config["REDIS_URL"]
    limits = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if limits.startswith(("redis://", "rediss://")) and limits not in found.values():
        found["rate_limit_redis"] = limits
    return found


def _database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the answer is the reason, for the operator
        db.session.rollback()
        return f"failed: {type(exc).__name__}"


def _migrations() -> str:
    from . import schema

    try:
        behind = [name for name, current, head in schema.status() if current != head]
    except Exception as exc:  # noqa: BLE001
        db.session.rollback()
        return f"failed: {type(exc).__name__}"
    return "ok" if not behind else "behind: " + ", ".join(behind)


def _redis(url: str) -> str:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    except redis.RedisError as exc:
        return f"failed: {type(exc).__name__}"


def _answer(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
