"""Turning report blocks into what a page shows: typed rows, formatted cells, Chart.js data.

Charts are drawn by ``core/static/charts.js`` from a ``<script type="application/json">`` data
block next to each canvas, so no inline script is needed (the CSP forbids it).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask import render_template
from flask_babel import format_decimal, format_percent
from markupsafe import Markup
from sqlalchemy.sql.base import Executable

from ..cache import request_cache
from ..extensions import db
from .declarations import Chart, DataColumn, DataTable, Note

#: Rows shown on a page; the exports carry every row.
MAX_PAGE_ROWS = 1000


# -- typed rows ------------------------------------------------------------------------------


def typed(value, column: DataColumn):
    """*value* as the Python type its column declares (databases differ: SQLite returns dates
    from raw SQL as text and sums of decimals as floats)."""
    if value is None:
        return None
    kind = column.type
    if kind == "int":
        return int(value)
    if kind in ("decimal", "percent"):
        return value if isinstance(value, Decimal) else Decimal(str(value))
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return str(value)


def iter_rows(table: DataTable) -> Iterator[tuple]:
    """Every row of *table*, typed. A ``select`` is fetched in batches, never all at once."""
    columns = table.columns
    if isinstance(table.rows, Executable):
        result = db.session.execute(table.rows.execution_options(yield_per=1000))
        source: Iterable = result
    else:
        result, source = None, table.rows
    try:
        for row in source:
            if len(row) != len(columns):
                raise ValueError(
                    f"table {table.id or table.title!r}: a row has {len(row)} values "
                    f"for {len(columns)} columns"
                )
            yield tuple(typed(v, c) for v, c in zip(row, columns, strict=True))
    finally:
        if result is not None:
            result.close()


# -- what a page shows ------------------------------------------------------------------------


def cell_text(value, column: DataColumn) -> str:
    """*value* as the reader sees it, in their locale."""
    if value is None:
        return ""
    if column.type == "percent":
        return format_percent(value, format=column.pattern)
    if column.numeric:
        return format_decimal(value, format=column.pattern)
    if column.type == "date":
        return value.isoformat()
    return str(value)


@dataclass
class ShownTable:
    kind = "table"

    table: DataTable
    index: int
    rows: list[list[str]]
    footer: list[str] | None
    #: More rows exist than a page shows.
    truncated: bool

    @property
    def columns(self):
        return self.table.columns

    @property
    def key(self) -> str:
        return self.table.id or str(self.index)


@dataclass
class ShownChart:
    kind = "chart"

    chart: Chart
    html: Markup


@dataclass
class ShownNote:
    kind = "note"

    text: str


@dataclass
class Shown:
    """A report's blocks, ready for a template; rows were read inside the caller's guard."""

    blocks: list = field(default_factory=list)

    @property
    def tables(self) -> list[ShownTable]:
        return [b for b in self.blocks if isinstance(b, ShownTable)]


def show(blocks: Iterable) -> Shown:
    """Read and format every block. Raises whatever the report raises (the caller isolates)."""
    shown = Shown()
    tables = 0
    for block in blocks or ():
        if isinstance(block, DataTable):
            with closing(iter_rows(block)) as reading:  # closes the cursor when cut short
                rows = list(itertools.islice(reading, MAX_PAGE_ROWS + 1))
            columns = block.columns
            footer = None
            if block.footer is not None:
                footer = [cell_text(typed(v, c), c) for v, c in zip(block.footer, columns,
                                                                     strict=True)]
            shown.blocks.append(ShownTable(
                table=block,
                index=tables,
                rows=[[cell_text(v, c) for v, c in zip(r, columns, strict=True)]
                      for r in rows[:MAX_PAGE_ROWS]],
                footer=footer,
                truncated=len(rows) > MAX_PAGE_ROWS,
            ))
            tables += 1
        elif isinstance(block, Chart):
            shown.blocks.append(ShownChart(block, render_chart(block)))
        elif isinstance(block, Note):
            shown.blocks.append(ShownNote(str(block.text)))
        else:
            raise TypeError(f"a report returned {type(block).__name__}; expected DataTable, "
                            "Chart or Note")
    return shown


# -- charts -----------------------------------------------------------------------------------


def _number(value):
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


def chart_config(chart: Chart) -> dict:
    """The Chart.js configuration of *chart* (colours come from Chart.js's default palette)."""
    options: dict = {"plugins": {"title": {"display": False}}}
    if chart.type != "pie":
        y: dict = {"beginAtZero": True}
        if chart.stacked:
            y["stacked"] = True
            options["scales"] = {"x": {"stacked": True}, "y": y}
        else:
            options["scales"] = {"y": y}
    return {
        "type": chart.type,
        "data": {
            "labels": [str(label) for label in chart.labels],
            "datasets": [
                {"label": str(s.label), "data": [_number(v) for v in s.values]}
                for s in chart.series
            ],
        },
        "options": options,
        # Read by charts.js, not by Chart.js: format tick and tooltip values as percentages.
        "danwei": {"percent": chart.percent},
    }


def render_chart(chart: Chart, caption: bool = True) -> Markup:
    """HTML for *chart*: a canvas and its data block, under its title unless *caption* is
    false. Pages that show charts load ``charts.js`` (``reports/_scripts.html``); the home page
    and report pages do."""
    counter = request_cache("charts").setdefault("ids", itertools.count(1))
    return Markup(render_template(
        "reports/_chart.html", chart=chart, config=chart_config(chart), caption=caption,
        element_id=f"chart-{next(counter)}",
    ))
