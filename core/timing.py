"""What a request cost: SQL statements and time, sent as a ``Server-Timing`` header.

Off by default (``SERVER_TIMING``): the figures tell an outsider something about the data. When
on, every response carries::

    Server-Timing: sql;dur=3.1;desc="7 queries", app;dur=12.4

which the browser's developer tools show under *Timing*, ``bench/load.py`` reads to report
queries per request, and tests use to prove a page's query count does not grow with its rows
(:func:`queries_of`). Statements are counted per request in ``g``, from SQLAlchemy's cursor
events, so work done outside a request (jobs, the CLI) is not counted.
"""

from __future__ import annotations

import re
import time

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

_HEADER = "Server-Timing"
_COUNT = re.compile(r'sql;dur=[0-9.]+;desc="(\d+) queries"')


def init_app(app: Flask) -> None:
    if not app.config.get("SERVER_TIMING"):
        return
    _listen_once()
    # First of all, so that loading the user and the unit count too.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_header)


def _listen_once() -> None:
    if not event.contains(Engine, "before_cursor_execute", _before):
        event.listen(Engine, "before_cursor_execute", _before)
        event.listen(Engine, "after_cursor_execute", _after)


def _before(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_app_context() and "_timing_start" in g:
        g._timing_sql_started = time.perf_counter()


def _after(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_app_context() and "_timing_sql_started" in g:
        g._timing_sql_count += 1
        g._timing_sql_seconds += time.perf_counter() - g.pop("_timing_sql_started")


def _start() -> None:
    g._timing_start = time.perf_counter()
    g._timing_sql_count = 0
    g._timing_sql_seconds = 0.0


def _header(response):
    if "_timing_start" in g:
        total = (time.perf_counter() - g._timing_start) * 1000
        response.headers[_HEADER] = (
            f'sql;dur={g._timing_sql_seconds * 1000:.1f};desc="{g._timing_sql_count} queries", '
            f"app;dur={total:.1f}"
        )
    return response


def queries_of(response) -> int | None:
    """The number of SQL statements a response's request ran (``SERVER_TIMING`` must be on).

    A streamed response reports what ran before its body started.
    """
    found = _COUNT.search(response.headers.get(_HEADER, ""))
    return int(found.group(1)) if found else None
