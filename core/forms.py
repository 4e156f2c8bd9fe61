"""Date and time fields that parse only what the rest of the code can compute on.

WTForms' date fields accept any year from 1 to 9999. The first and the last year overflow as
soon as a wall-clock time becomes UTC (``OverflowError``, a 500), and a range of centuries makes
every duration computed on it slow. Every form of core and of the plugins takes its date and
datetime fields from here (an architecture test checks that no module imports WTForms' own),
so a value outside :data:`FIRST_DAY` … :data:`LAST_DAY` is a field error, never a crash.

The classes keep WTForms' names (and so their ``field.type``), so templates, Bootstrap-Flask's
``render_field`` and code that looks at a field's type treat them as before.
"""

from __future__ import annotations

from datetime import date, datetime

from wtforms import fields

from .i18n import lazy_gettext as _l

#: The first and the last day a form accepts: wide enough for any record an institution keeps,
#: far from the calendar's ends (a time zone conversion of year 1 or 9999 overflows).
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


def in_bounds(value: date | datetime | None, first: date = FIRST_DAY,
              last: date = LAST_DAY) -> bool:
    """Whether *value* (a date or a datetime) lies between *first* and *last*; None counts as
    in bounds (it is the field's "required" to refuse it)."""
    if value is None:
        return True
    day = value.date() if isinstance(value, datetime) else value
    return first <= day <= last


class _Bounded:
    """Refuse a parsed value outside the bounds, as WTForms refuses one it cannot parse.

    A form may narrow the bounds (``first``, ``last``, never wider than core's) and say it in
    its own words (``message``), e.g. "Choose a month between 2000 and 2100."
    """

    def __init__(self, *args, first: date | None = None, last: date | None = None,
                 message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.first = max(first or FIRST_DAY, FIRST_DAY)
        self.last = min(last or LAST_DAY, LAST_DAY)
        self.bounds_message = message

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if not in_bounds(self.data, self.first, self.last):
            self.data = None
            raise ValueError(self.bounds_message or _l(
                "Enter a date between %(first)s and %(last)s.",
                first=self.first.isoformat(), last=self.last.isoformat()))


class DateField(_Bounded, fields.DateField):
    """A date between :data:`FIRST_DAY` and :data:`LAST_DAY`."""


class DateTimeLocalField(_Bounded, fields.DateTimeLocalField):
    """A wall-clock date and time (``<input type="datetime-local">``) within the bounds."""


class DateTimeField(_Bounded, fields.DateTimeField):
    """A date and time typed as text, within the bounds."""


class MonthField(_Bounded, fields.MonthField):
    """A month (``<input type="month">``) within the bounds."""


__all__ = ["FIRST_DAY", "LAST_DAY", "DateField", "DateTimeField", "DateTimeLocalField",
           "MonthField", "in_bounds"]
