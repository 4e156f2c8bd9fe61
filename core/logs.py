"""Logs in one structured format: a JSON object per line, carrying the request id.

Every request gets an id: the ``X-Request-ID`` nginx set (so its access log and ours name the
same request), or a new one. It is sent back in the response header, added to every log record
written while the request runs, and the request itself is logged once when it ends (method,
path, status, milliseconds). The app, the task worker, the jobs runner and gunicorn
(``deploy/gunicorn.conf.py``) all write through :class:`JsonFormatter`, so one parser reads
every line of a county's servers.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from time import perf_counter

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
#: What a proxy's request id may look like; anything else is replaced, never logged as is.
VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = logging.getLogger("danwei.request")

#: Attributes every LogRecord has; the others were passed with ``extra=`` and are kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in vars(record).items()
                      if key not in _STANDARD and not key.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to records written while a request runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g and not hasattr(record, "request_id"):
            record.request_id = g.request_id
        return True


def configure(level: int = logging.INFO) -> None:
    """Send every log record of the process to stderr as JSON (once per process)."""
    root = logging.getLogger()
    if any(getattr(h, "_danwei", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler._danwei = True
    root.addHandler(handler)
    root.setLevel(level)


def init_app(app: Flask) -> None:
    if app.config.get("LOG_JSON") and not app.testing:
        configure()
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if VALID_ID.match(given) else uuid.uuid4().hex
    g.request_started = perf_counter()


def _finish(response):
    request_id = g.get("request_id")
    if request_id is None:
        return response
    response.headers[REQUEST_ID_HEADER] = request_id
    access_log.info(
        "%s %s %s", request.method, request.path, response.status_code,
        extra={"request_id": request_id, "method": request.method, "path": request.path,
               "status": response.status_code,
               "ms": round((perf_counter() - g.request_started) * 1000, 1)},
    )
    return response
