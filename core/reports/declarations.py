"""What a report is made of: the frozen dataclasses plugins return, re-exported by :mod:`core.api`.

A report function receives a :class:`ReportContext` and returns a list of blocks —
:class:`DataTable`, :class:`Chart` and :class:`Note` — which core renders as a page, a print
view, and (the tables) as XLSX and CSV.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select

from ..models import Unit, User
from .periods import PERIOD_KINDS, Period

#: Types a column may have. Each decides how values are shown and written to XLSX/CSV:
#: ``percent`` values are fractions (0.25 is shown as 25.0%), ``decimal`` values are
#: :class:`~decimal.Decimal` or float, ``date`` values are :class:`datetime.date`.
COLUMN_TYPES = ("text", "int", "decimal", "percent", "date")
CHART_TYPES = ("bar", "line", "pie")
FILTER_TYPES = ("choice", "text", "int", "date")


def _tuple(obj, name: str) -> None:
    """Let callers pass lists to frozen dataclasses; keep tuples inside."""
    object.__setattr__(obj, name, tuple(getattr(obj, name)))


@dataclass(frozen=True)
class DataColumn:
    """A column of a :class:`DataTable`."""

    key: str
    label: str
    #: One of :data:`COLUMN_TYPES`.
    type: str = "text"
    #: Digits after the decimal point; None means 2 for ``decimal`` and 1 for ``percent``.
    places: int | None = None

    def __post_init__(self):
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.key}: type must be one of {COLUMN_TYPES}")

    @property
    def numeric(self) -> bool:
        return self.type in ("int", "decimal", "percent")

    @property
    def digits(self) -> int:
        """Digits shown after the decimal point."""
        if self.type == "int":
            return 0
        if self.places is not None:
            return self.places
        return 1 if self.type == "percent" else 2

    @property
    def pattern(self) -> str | None:
        """How a number of this column is written, in the syntax Babel and Excel share
        (``#,##0.00``, ``#,##0.0%``); None for text and dates."""
        if not self.numeric:
            return None
        decimals = "." + "0" * self.digits if self.digits else ""
        return "#,##0" + decimals + ("%" if self.type == "percent" else "")


@dataclass(frozen=True)
class DataTable:
    """Typed rows. *rows* is either a SQLAlchemy ``select`` whose columns come in the order of
    *columns* — core runs it, fetching rows in batches, so an export of 100,000 rows is
    streamed — or any iterable of row sequences (a list, a generator)."""

    columns: tuple[DataColumn, ...]
    rows: Select | Iterable[tuple]
    title: str = ""
    #: Names the table in export links and file names; defaults to its position.
    id: str = ""
    #: A totals row, shown last in bold and exported last.
    footer: tuple | None = None
    #: How many rows a generator *rows* gives, when it formats the rows of a query: a number,
    #: or a ``select`` that core counts in SQL (usually the query the generator runs). An export
    #: with more rows than the ``export_task_rows`` setting becomes a background task; without
    #: it a generator's length is unknown and its export stays in the request.
    count: Select | int | None = None

    def __post_init__(self):
        _tuple(self, "columns")
        if self.footer is not None:
            _tuple(self, "footer")
            if len(self.footer) != len(self.columns):
                raise ValueError("the footer needs one value per column")


@dataclass(frozen=True)
class Series:
    """One set of values of a chart, one value per label."""

    label: str
    values: tuple

    def __post_init__(self):
        _tuple(self, "values")


@dataclass(frozen=True)
class Chart:
    """A bar, line or pie chart, drawn in the browser by the locally served Chart.js."""

    #: One of :data:`CHART_TYPES`.
    type: str
    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    #: The values are fractions shown as percentages (bar and line charts).
    percent: bool = False
    #: Stack the series of a bar chart.
    stacked: bool = False

    def __post_init__(self):
        if self.type not in CHART_TYPES:
            raise ValueError(f"chart type must be one of {CHART_TYPES}")
        _tuple(self, "labels")
        _tuple(self, "series")
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(f"series {series.label}: one value per label is needed")


@dataclass(frozen=True)
class Note:
    """A paragraph of plain text between the tables and charts of a report."""

    text: str


@dataclass(frozen=True)
class ReportFilter:
    """An extra parameter of a report, shown in its form and passed in ``ctx.filters``."""

    key: str
    label: str
    #: One of :data:`FILTER_TYPES`.
    type: str = "choice"
    #: ``(value, label)`` pairs for a ``choice`` filter, or a function of the chosen unit
    #: returning them. An optional choice filter gets an "All" entry (value None).
    choices: tuple[tuple[str, str], ...] | Callable[[Unit], Iterable[tuple[str, str]]] = ()
    required: bool = False
    default: Any = None

    def __post_init__(self):
        if self.type not in FILTER_TYPES:
            raise ValueError(f"filter {self.key}: type must be one of {FILTER_TYPES}")
        if not callable(self.choices):
            _tuple(self, "choices")


@dataclass(frozen=True)
class ReportContext:
    """What a report function is given: who asks, for which unit, period and filters."""

    user: User
    #: The unit chosen in the form; the report covers its subtree.
    unit: Unit
    #: SQL: ids of the units of that subtree where the user holds the report's permission.
    #: Filter with ``Model.unit_id.in_(ctx.unit_ids)`` (or :meth:`in_scope`).
    unit_ids: Select
    #: None for a report that declares no periods.
    period: Period | None
    filters: Mapping[str, Any] = field(default_factory=dict)

    def in_scope(self, column):
        """SQL condition: *column* (a unit id) is one the user may see here."""
        return column.in_(self.unit_ids)

    def in_period(self, column):
        """SQL condition: the date or datetime *column* falls in the period."""
        return (column >= self.period.start) & (column < self.period.end)


#: A report function: ``build(ctx)`` returns a list of :class:`DataTable`, :class:`Chart`
#: and :class:`Note`, aggregated in SQL.
Builder = Callable[[ReportContext], Iterable[DataTable | Chart | Note]]


@dataclass(frozen=True)
class Report:
    """A report a plugin offers on the Reports page."""

    #: ``<plugin>.<name>``, e.g. ``school_leave.by_class``; used in URLs.
    id: str
    title: str
    #: Needed in the units the report covers; the report is filtered to those units.
    permission: str
    build: Builder
    description: str = ""
    #: The period kinds the report accepts (the first is the default); ``()`` for none.
    periods: tuple[str, ...] = PERIOD_KINDS
    filters: tuple[ReportFilter, ...] = ()
    #: Lower numbers are listed first.
    order: int = 100

    def __post_init__(self):
        _tuple(self, "periods")
        _tuple(self, "filters")
        if set(self.periods) - set(PERIOD_KINDS):
            raise ValueError(f"report {self.id}: periods must be among {PERIOD_KINDS}")


@dataclass(frozen=True)
class ReportSection:
    """A plugin's part of the unit period report (the monthly summary to the leadership)."""

    #: ``<plugin>.<name>``.
    id: str
    title: str
    permission: str
    build: Builder
    #: Sections are composed by order, then plugin name.
    order: int = 100
