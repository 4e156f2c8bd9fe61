"""What a request carries, made safe before a view reads it: bounded numbers, text without NUL.

Views import these helpers from here (or from :mod:`core.api`); this module imports nothing of
Danwei's, so it sits below every view.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Request, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter

#: The largest id a table holds, and the largest number a view accepts from a URL: ids are
#: 32-bit INTEGER columns, and a bigger number sent to the database fails there (a 500).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: an integer up to :data:`MAX_ID`, so that a bigger one is a
    plain 404 rather than an error of the database."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def _int_between(raw, low: int, high: int) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):  # None, junk, or more digits than Python converts
        return None
    return value if low <= value <= high else None


def arg_int(name: str, default: int | None = None, *, low: int = 1, high: int = MAX_ID,
            args: Mapping[str, str] | None = None) -> int | None:
    """The query parameter *name* as an integer between *low* and *high*, else *default*.

    Use it for every id, page or count read from ``request.args`` (or, with ``args=``,
    ``request.form``/``request.values``): junk, empty, negative or too large values are simply
    ignored instead of reaching the database, which refuses numbers beyond its columns.
    """
    value = _int_between((request.args if args is None else args).get(name), low, high)
    return default if value is None else value


def arg_ints(name: str, *, args: Mapping[str, str] | None = None) -> list[int]:
    """The ids among the values of the repeated parameter *name* (``?ids=3&ids=7``), sorted and
    without duplicates; the other values are ignored as :func:`arg_int` ignores them."""
    values = (request.args if args is None else args).getlist(name)
    return sorted({v for v in (_int_between(raw, 1, MAX_ID) for raw in values) if v is not None})


class _TextWithoutNul(ImmutableMultiDict):
    """Query and form values with any NUL character removed.

    No text a person types holds a NUL, PostgreSQL refuses one in a text column (the request
    would end in a 500), and SQLite keeps it invisibly. Removing it where values are parsed
    covers every form and query of core and of every plugin, and keeps the rest of the input.
    """

    def __init__(self, mapping=None):
        if isinstance(mapping, MultiDict):
            mapping = mapping.items(multi=True)
        if mapping is not None and not isinstance(mapping, Mapping):
            mapping = [(_clean(key), _clean(value)) for key, value in mapping]
        super().__init__(mapping)


def _clean(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class DanweiRequest(Request):
    """The application's request class: see :class:`_TextWithoutNul`."""

    parameter_storage_class = _TextWithoutNul
