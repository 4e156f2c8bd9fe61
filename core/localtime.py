"""Local time: the intranet's wall clock beside the UTC that Danwei stores.

Every datetime in the database is naive UTC (:func:`core.models.utcnow`); people read and type
wall-clock times of their own time zone, and a "day" (a deadline, a class log, a monthly
report) is a day of that zone. The zone is the configuration key ``BABEL_DEFAULT_TIMEZONE``
(default Asia/Shanghai, set once in :class:`core.config.Defaults`), the same one Flask-Babel
formats dates with, so what a page shows and what the code counts agree.

Every unit shares that zone today. The functions take no unit on purpose: a per-unit zone
would be a setting read here, and callers would not change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from .config import Defaults


def local_zone() -> ZoneInfo:
    """The intranet's time zone (``BABEL_DEFAULT_TIMEZONE``; Asia/Shanghai by default)."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or Defaults.BABEL_DEFAULT_TIMEZONE)


def to_local(moment: datetime | None) -> datetime | None:
    """The naive local wall time of a stored (naive UTC) datetime; None stays None.

    An aware datetime is converted from its own zone.
    """
    if moment is None:
        return None
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(local_zone()).replace(tzinfo=None)


def to_utc(wall: datetime | None) -> datetime | None:
    """The stored (naive UTC) datetime of a naive local wall time; None stays None."""
    if wall is None:
        return None
    aware = wall.replace(tzinfo=local_zone()) if wall.tzinfo is None else wall
    return aware.astimezone(UTC).replace(tzinfo=None)


def local_date(moment: datetime | None) -> date | None:
    """The local calendar day of a stored (naive UTC) datetime; None stays None."""
    local = to_local(moment)
    return local.date() if local is not None else None


def local_now() -> datetime:
    """Now, as a naive local wall time."""
    return datetime.now(local_zone()).replace(tzinfo=None)


def local_today() -> date:
    """Today in the intranet's time zone (not the server's: a server may run in UTC)."""
    return datetime.now(local_zone()).date()
