"""Reporting periods: a month, a quarter or a year, written ``2026-03``, ``2026-Q1``, ``2026``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from flask import has_app_context
from flask_babel import get_locale

from ..localtime import local_today

#: The kinds of period a report may be asked for, shortest first.
PERIOD_KINDS = ("month", "quarter", "year")

_PATTERNS = {
    "month": re.compile(r"^(\d{4})-(\d{1,2})$"),
    "quarter": re.compile(r"^(\d{4})-?[Qq]([1-4])$"),
    "year": re.compile(r"^(\d{4})$"),
}
_SKELETONS = {"month": "yMMMM", "quarter": "yQQQ", "year": "y"}
_MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year. ``start`` is its first day, ``end`` the first day
    after it, so a date column is in the period when ``start <= day < end``."""

    kind: str
    year: int
    #: The month (1–12) or the quarter (1–4); 1 for a year.
    number: int = 1

    def __post_init__(self):
        if self.kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        top = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        if not 1 <= self.number <= top or not 1900 <= self.year <= 9998:
            raise ValueError(f"no such {self.kind}: {self.year}/{self.number}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``2026-03``, ``2026-Q1`` or ``2026``; raise :class:`ValueError` otherwise."""
        text = (text or "").strip()
        for kind, pattern in _PATTERNS.items():
            match = pattern.match(text)
            if match:
                year = int(match.group(1))
                return cls(kind, year, int(match.group(2)) if kind != "year" else 1)
        raise ValueError(f"not a period: {text!r}")

    @classmethod
    def containing(cls, day: date, kind: str = "month") -> Period:
        """The period of *kind* that *day* falls in."""
        number = {"month": day.month, "quarter": (day.month - 1) // 3 + 1, "year": 1}[kind]
        return cls(kind, day.year, number)

    @property
    def first_month(self) -> int:
        return (self.number - 1) * _MONTHS_IN[self.kind] + 1

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        month = self.first_month + _MONTHS_IN[self.kind]
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def key(self) -> str:
        """The canonical spelling, used in URLs and file names."""
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    @property
    def label(self) -> str:
        """The period in the reader's language: "March 2026", "2026年3月"."""
        locale = get_locale() if has_app_context() else None
        return format_skeleton(_SKELETONS[self.kind], self.start, locale=str(locale or "en"))

    def months(self) -> list[Period]:
        """The months of this period, in order (for trend charts)."""
        return [Period("month", self.year, self.first_month + i)
                for i in range(_MONTHS_IN[self.kind])]

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.number > 1:
            return Period(self.kind, self.year, self.number - 1)
        return Period(self.kind, self.year - 1, {"month": 12, "quarter": 4, "year": 1}[self.kind])

    def __str__(self) -> str:
        return self.key


def today() -> date:
    """Today in the intranet's time zone."""
    return local_today()


def recent_periods(kinds: tuple[str, ...], day: date) -> list[Period]:
    """Suggestions for a period field: the last twelve months, eight quarters, five years."""
    counts = {"month": 12, "quarter": 8, "year": 5}
    found = []
    for kind in kinds:
        period = Period.containing(day, kind)
        for _ in range(counts[kind]):
            found.append(period)
            period = period.previous()
    return found
