"""Reading the values of an imported cell: ID numbers, dates, months, amounts.

Each reader returns the value or raises :class:`Bad` with a message for the auditor. They know
what Excel and the fund's systems actually write: dates as text in several forms or as Excel
serial numbers, amounts with thousands separators, 15-digit ID numbers of before 1999.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .i18n import lazy_gettext as _l

#: GB 11643-1999: the weights of the first 17 digits and the check character of the sum mod 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
#: Excel's day zero (it counts 1900-02-29, which never was: serials from 61 on are right).
EXCEL_EPOCH = date(1899, 12, 30)


class Bad(ValueError):
    """The cell cannot be read; ``str(error)`` is the message for the auditor."""


def check_character(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_number(text) -> str:
    """An 18-character resident ID number, checked; a 15-digit one is converted (19xx)."""
    value = _cell_text(text).upper().replace(" ", "")
    if not value:
        raise Bad(_l("The ID number is empty."))
    if len(value) == 15 and value.isdigit():
        first17 = value[:6] + "19" + value[6:]
        value = first17 + check_character(first17)
    elif len(value) != 18:
        raise Bad(_l("An ID number has 18 characters (or 15 digits, the old form); this one "
                     "has %(n)s.", n=len(value)))
    if not (value[:17].isdigit() and (value[17].isdigit() or value[17] == "X")):
        raise Bad(_l("An ID number is 17 digits and a digit or X."))
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise Bad(_l("The birth date inside the ID number (%(d)s) is not a date.",
                     d=value[6:14])) from None
    if check_character(value[:17]) != value[17]:
        raise Bad(_l("The check digit of the ID number is wrong (it should be %(c)s).",
                     c=check_character(value[:17])))
    return value


def birth_date_of(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


_DATE_FORMS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_FORMS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)


def a_date(value) -> date:
    """A date from a date cell, an Excel serial number, or text (2024-03-05, 2024/3/5,
    20240305, 2024年3月5日, with or without a time)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(value)
    text = _cell_text(value)
    if not text:
        raise Bad(_l("The date is empty."))
    text = text.split(" ")[0].split("T")[0]
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            try:
                return _bounded(date(*(int(g) for g in match.groups())))
            except ValueError:
                break
    if re.fullmatch(r"\d{1,5}(\.\d+)?", text):
        return _serial(float(text))
    raise Bad(_l("%(text)s is not a date (write it as 2024-03-05).", text=text[:40]))


def a_month(value) -> date:
    """The first day of a month from a month (2024-03, 202403, 2024年3月) or any date."""
    if isinstance(value, int) and 190001 <= value <= 219912:
        value = str(value)
    text = value if isinstance(value, str) else None
    if text is not None:
        text = _cell_text(text)
        for form in _MONTH_FORMS:
            match = form.match(text)
            if match:
                year, month = int(match.group(1)), int(match.group(2))
                if 1 <= month <= 12:
                    return _bounded(date(year, month, 1))
    try:
        return a_date(value).replace(day=1)
    except Bad:
        raise Bad(_l("%(text)s is not a month (write it as 2024-03).",
                     text=_cell_text(value)[:40])) from None


def a_year(value) -> int:
    text = _cell_text(value).removesuffix("年")
    if re.fullmatch(r"\d{4}", text) and 1950 <= int(text) <= 2199:
        return int(text)
    raise Bad(_l("%(text)s is not a year.", text=text[:40]))


def fen(value) -> int:
    """An amount in yuan (with up to two decimals, separators allowed) as fen."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        text = _cell_text(value).replace(",", "").replace("，", "").removesuffix("元")
        if not text:
            raise Bad(_l("The amount is empty."))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise Bad(_l("%(text)s is not an amount.", text=text[:40])) from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e10"):
        raise Bad(_l("%(text)s is not an amount.", text=str(value)[:40]))
    if amount != amount.quantize(Decimal("0.01")):
        raise Bad(_l("An amount has at most two decimals (fen)."))
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rate_bp(value) -> int:
    """A yearly rate in percent (1.75, "1.75%") as basis points (175)."""
    text = _cell_text(value).removesuffix("%")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise Bad(_l("%(text)s is not a rate in percent.", text=text[:40])) from None
    if not rate.is_finite() or not (0 <= rate < 20):
        raise Bad(_l("%(text)s is not a rate in percent.", text=text[:40]))
    bp = rate * 100
    if bp != bp.to_integral_value():
        raise Bad(_l("A rate has at most two decimals (1.75)."))
    return int(bp)


def whole(value, low: int = 0, high: int = 1000) -> int:
    text = _cell_text(value)
    if re.fullmatch(r"-?\d+(\.0+)?", text) and low <= int(float(text)) <= high:
        return int(float(text))
    raise Bad(_l("%(text)s is not a whole number between %(low)s and %(high)s.",
                 text=text[:40], low=low, high=high))


def _serial(number: float) -> date:
    if not 1 <= number < 2958466:
        raise Bad(_l("%(n)s is not a date.", n=number))
    return _bounded(EXCEL_EPOCH + timedelta(days=int(number)))


def _bounded(day: date) -> date:
    if not date(1900, 1, 1) <= day <= date(2199, 12, 31):
        raise Bad(_l("The date %(d)s is out of range.", d=day.isoformat()))
    return day


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
