"""Configuration: defaults, then ``instance/config.py``, then ``DANWEI_*`` environment variables.

Every key the intranet reads is declared here with its default and a comment saying what it is
for. Environment variables use the key name with a ``DANWEI_`` prefix, e.g.
``DANWEI_DATABASE_URL=postgresql+psycopg://danwei@db/danwei``.
"""

from __future__ import annotations

import os

#: Keys that may be set from the environment, and how to parse each value.
ENV_KEYS: dict[str, type] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "DEFAULT_LOCALE": str,
    "UPLOAD_DIR": str,
    "STRICT_PLUGINS": bool,
    "ENV": str,
    "RATELIMIT_STORAGE_URI": str,
    "SESSION_COOKIE_SECURE": bool,
    "REMEMBER_COOKIE_SECURE": bool,
    "RATELIMIT_ENABLED": bool,
    "LOGIN_RATE_LIMIT": str,
    "PROXY_COUNT": int,
    "PASSWORD_HASH_METHOD": str,
    "LOGIN_ACCOUNT_RATE_LIMIT": str,
    "LOGIN_MAX_FAILURES": int,
    "LOGIN_DELAY_SECONDS": int,
    "LOGIN_LOCKOUT_MINUTES": int,
    "LOGIN_KNOWN_DEVICE_DAYS": int,
    "RUN_JOBS_IN_PROCESS": bool,
    "SERVER_TIMING": bool,
    "SECRETS_KEY": str,
    "REDIS_URL": str,
    "LOG_JSON": bool,
    "TASKS_BACKEND": str,
    "TASKS_QUEUE_NAME": str,
    "RATELIMIT_KEY_PREFIX": str,
    "RUN_TASKS_IN_PROCESS": bool,
    "TASK_HEARTBEAT_SECONDS": int,
    "TASK_STALE_SECONDS": int,
    "STORAGE_BACKEND": str,
    "S3_ENDPOINT_URL": str,
    "S3_BUCKET": str,
    "S3_ACCESS_KEY": str,
    "S3_SECRET_KEY": str,
    "S3_REGION": str,
    "WTF_CSRF_TIME_LIMIT": int,
    "CACHE_BACKEND": str,
    "DATABASE_PREPARE": bool,
    "CACHE_REDIS_URL": str,
    "CACHE_KEY_PREFIX": str,
    "CACHE_SAFETY_SECONDS": int,
}


#: The values ``ENV`` may take.
ENVIRONMENTS = ("development", "production")


class ConfigError(RuntimeError):
    """The configuration cannot run the intranet safely (re-exported as ``core.ConfigError``)."""


class Defaults:
    #: "development" or "production". Production refuses to start without a SECRET_KEY and
    #: sends its cookies over HTTPS only.
    ENV = "development"
    #: Signs sessions and CSRF tokens. Generated per process in development only.
    SECRET_KEY: str | None = None
    #: Fernet key sealing the secrets stored in settings (SMTP password, webhook secrets);
    #: ``danwei secrets new-key`` makes one. Development keeps one in instance/secrets.key.
    #: Never part of a backup: keep it with the machine's configuration.
    SECRETS_KEY: str | None = None
    #: SQLAlchemy URL; None means the embedded SQLite file ``instance/danwei.sqlite``.
    DATABASE_URL: str | None = None
    #: zh_CN first; en is complete too.
    DEFAULT_LOCALE = "zh_CN"
    LANGUAGES = ("zh_CN", "en")
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    #: Where attachments and exports are stored; None means ``instance/uploads``.
    UPLOAD_DIR: str | None = None
    #: Largest request body accepted (uploads included).
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    #: Turn a plugin that fails to import or raises in a hook into an error (for CI).
    STRICT_PLUGINS = False
    #: Rate limits on (Flask-Limiter). Tests turn them off except where they test them.
    RATELIMIT_ENABLED = True
    #: Redis of a production install (task queue, shared caches); checked by ``/readyz``.
    #: None for the embedded default, which needs no Redis.
    REDIS_URL: str | None = None
    #: PostgreSQL: let psycopg prepare statements run often (planned each time with their
    #: values all the same); false behind a pooler in transaction mode (pgbouncer).
    DATABASE_PREPARE = True
    #: The cache kept across requests (core/cache.py): ``simple`` (per process, the embedded
    #: default), ``redis`` (shared by every worker and server: the default when REDIS_URL is
    #: set) or ``null`` (nothing kept). Values are invalidated exactly by generation keys.
    CACHE_BACKEND: str | None = None
    #: Redis of the cache when not REDIS_URL.
    CACHE_REDIS_URL: str | None = None
    #: Prefix of the cache's keys (two intranets sharing one Redis need two).
    CACHE_KEY_PREFIX = "danwei:cache:"
    #: Longest a cached value is kept: a safety net only, changes invalidate it at once.
    CACHE_SAFETY_SECONDS = 300
    #: Log one JSON object per line (with the request id) to stderr: see core/logs.py.
    LOG_JSON = True
    #: Flask-Limiter storage: memory for the embedded default, ``redis://...`` in production.
    RATELIMIT_STORAGE_URI = "memory://"
    #: Prefix of the rate-limit keys in Redis (two intranets sharing one Redis need two).
    RATELIMIT_KEY_PREFIX = "danwei"
    #: Requests to the login form allowed per client address.
    LOGIN_RATE_LIMIT = "20 per minute"
    #: Requests to the login form allowed per user name typed, from all addresses together.
    #: Names that exist and names that do not are limited alike (nothing to enumerate); a
    #: browser the account logged in from before is not counted, so the owner is not
    #: locked out by someone guessing elsewhere.
    LOGIN_ACCOUNT_RATE_LIMIT = "10 per minute"
    #: Wrong passwords in a row after which an account makes guessers wait: the first wait
    #: is LOGIN_DELAY_SECONDS, doubled by each further wrong password, at most
    #: LOGIN_LOCKOUT_MINUTES. While it waits, a password is not checked (the answer is the one
    #: an unknown name gets), except from a browser the account logged in from before.
    LOGIN_MAX_FAILURES = 5
    LOGIN_DELAY_SECONDS = 30
    LOGIN_LOCKOUT_MINUTES = 15
    #: How long a browser is remembered as one the account logged in from (days).
    LOGIN_KNOWN_DEVICE_DAYS = 180
    #: Werkzeug password hash method; tests lower the cost, production keeps scrypt.
    PASSWORD_HASH_METHOD = "scrypt"
    #: Minimum password length; passwords must also mix letters and digits.
    PASSWORD_MIN_LENGTH = 8
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    #: Send the session cookie over HTTPS only. None means: in production only. An intranet
    #: served over plain HTTP sets ``DANWEI_SESSION_COOKIE_SECURE=false``.
    SESSION_COOKIE_SECURE: bool | None = None
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    #: Like SESSION_COOKIE_SECURE, for the "remember me" cookie; None follows it.
    REMEMBER_COOKIE_SECURE: bool | None = None
    #: Reverse proxies (nginx...) in front of the intranet. Their ``X-Forwarded-*`` headers
    #: are trusted for this many hops, so rate limits and the audit log see the real client
    #: address. 0 (the default) trusts none: never set it without a proxy in front.
    PROXY_COUNT = 0
    #: Seconds a form's CSRF token stays valid. A form sent later comes back with what was
    #: typed and a fresh token (core/expired_forms.py). None would let a token live for ever.
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    BOOTSTRAP_SERVE_LOCAL = True
    #: Rows per page on every paginated list.
    PAGE_SIZE = 25
    #: Run due jobs from the web process (the embedded default); production runs ``danwei jobs``.
    RUN_JOBS_IN_PROCESS = True
    #: Queue of background tasks (core/tasks): ``sqlite`` (instance/tasks.sqlite, one
    #: machine), ``redis`` (REDIS_URL, several machines) or ``immediate`` (run at once).
    TASKS_BACKEND = "sqlite"
    #: Name of the queue in Redis: two intranets sharing one Redis need two names.
    TASKS_QUEUE_NAME = "danwei"
    #: Run queued tasks in a thread of the web process (the embedded default); production
    #: runs ``danwei tasks worker`` instead.
    RUN_TASKS_IN_PROCESS = True
    #: A running task marks itself alive this often; one silent for TASK_STALE_SECONDS lost its
    #: worker (crash, kill, reboot) and is retried or marked failed.
    TASK_HEARTBEAT_SECONDS = 10
    TASK_STALE_SECONDS = 60
    #: Where uploads and task results are kept: ``local`` (UPLOAD_DIR, a shared folder with
    #: several app servers) or ``s3`` (an S3-compatible object store, the S3_* keys).
    STORAGE_BACKEND = "local"
    S3_ENDPOINT_URL: str | None = None
    S3_BUCKET: str | None = None
    S3_ACCESS_KEY: str | None = None
    S3_SECRET_KEY: str | None = None
    S3_REGION = "us-east-1"
    #: Send each request's SQL statement count and time in a ``Server-Timing`` header
    #: (``core/timing.py``); for benchmarks and developers, off in production.
    SERVER_TIMING = False


#: How booleans may be spelled in the environment.
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def from_env(environ: os._Environ | dict) -> dict:
    """Return the ``DANWEI_*`` settings found in *environ*, parsed to their types."""
    found = {}
    for key, kind in ENV_KEYS.items():
        name = f"DANWEI_{key}"
        raw = environ.get(name)
        if raw is None:
            continue
        if kind is bool:
            value = raw.strip().lower()
            if value not in TRUE | FALSE:
                raise ConfigError(f"{name}={raw!r}: use true or false.")
            found[key] = value in TRUE
        elif kind is int:
            try:
                found[key] = int(raw)
            except ValueError:
                raise ConfigError(f"{name}={raw!r}: use a whole number.") from None
        else:
            found[key] = raw
    return found
