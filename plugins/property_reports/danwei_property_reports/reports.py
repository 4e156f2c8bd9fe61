"""The company's monthly report, composed from the departments' submitted summaries.

Core renders it (page, A4 print view, XLSX and CSV) from the blocks built here. Figures are
summed in SQL over the submitted summaries of the units in scope, per department kind and
metric; computed figures (collection rates, shares) are worked out from those sums, so a
company-wide rate is the ratio of the company's totals. Each figure is compared with the
period before and with the same period a year earlier.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask_babel import format_date
from sqlalchemy import func, select

from core.api import (
    Chart,
    DataColumn,
    DataTable,
    Note,
    Period,
    Report,
    ReportSection,
    Series,
    Unit,
    db,
)

from . import deadlines as dl
from . import tracking
from .catalogue import BY_KEY, COUNT, DEPARTMENT_KINDS, DEPARTMENTS, MONEY, PERCENT, compute
from .i18n import gettext
from .i18n import lazy_gettext as _l
from .models import HANDED_IN, MetricValue, Summary, period_key

PLUGIN = "property_reports"
PERMISSION = f"{PLUGIN}.view_reports"

#: The figures at the top of the report: (department, field).
HEADLINE = (
    ("service", "requests_total"),
    ("engineering", "service_total"),
    ("service", "complaints"),
    ("finance", "fee_collection_rate"),
    ("service", "property_fees_collected"),
    ("finance", "income"),
    ("finance", "expenditure"),
    ("security", "hazards_found"),
    ("security", "alarms_confirmed"),
    ("hr", "headcount"),
)
#: Categories of the repair charts.
SERVICE_REPAIRS = ("requests_rework", "requests_normal", "requests_special", "requests_other")
ENGINEERING_REPAIRS = ("repairs_normal", "repairs_special", "repairs_rework", "repairs_other")
COLLECTION_RATES = (("finance", "fee_collection_rate"), ("finance", "hot_water_rate"),
                    ("finance", "heating_rate"))


# -- periods -------------------------------------------------------------------------------------


def months_of(period: Period) -> list[tuple[int, int]]:
    start = period.start
    months, (year, month) = [], (start.year, start.month)
    while (year, month) < (period.end.year, period.end.month):
        months.append((year, month))
        year, month = dl.add_months(year, month, 1)
    return months


def shifted(months: list[tuple[int, int]], by: int) -> list[tuple[int, int]]:
    return [dl.add_months(y, m, by) for y, m in months]


# -- the sums ------------------------------------------------------------------------------------

Totals = dict[str, dict[str, Decimal | None]]


def totals(unit_ids, months: list[tuple[int, int]]) -> Totals:
    """``{department: {field: value}}`` over the submitted summaries of *unit_ids* in *months*.

    Flows are added up over the months; a stock (headcount, a cumulative count) is its value in
    the last month that has one. Computed fields are derived from these totals.
    """
    periods = [period_key(y, m) for y, m in months]
    rows = db.session.execute(
        select(MetricValue.department, MetricValue.metric, MetricValue.period,
               func.sum(MetricValue.number))
        .join(Summary, Summary.id == MetricValue.summary_id)
        .where(Summary.status.in_(HANDED_IN), MetricValue.unit_id.in_(unit_ids),
               MetricValue.period.in_(periods), MetricValue.category == "",
               MetricValue.number.isnot(None))
        .group_by(MetricValue.department, MetricValue.metric, MetricValue.period)
    ).all()
    by_month: dict[tuple[str, str], dict[int, Decimal]] = defaultdict(dict)
    for department, metric, period, total in rows:
        by_month[(department, metric)][period] = Decimal(total)
    found: Totals = defaultdict(dict)
    for (department, metric), values in by_month.items():
        dept = BY_KEY.get(department)
        if dept is None:
            continue
        try:
            field = dept.field(metric)
        except KeyError:
            continue
        found[department][metric] = (values[max(values)] if field.stock
                                     else sum(values.values(), Decimal(0)))
    for key, values in list(found.items()):
        values.update(compute(BY_KEY[key], values))
    return found


def breakdown(unit_ids, months, department: str, metric: str) -> list[tuple[str, Decimal]]:
    """Categories of a breakdown field, summed in SQL, largest first."""
    periods = [period_key(y, m) for y, m in months]
    total = func.sum(MetricValue.number)
    return [(c, Decimal(v)) for c, v in db.session.execute(
        select(MetricValue.category, total)
        .join(Summary, Summary.id == MetricValue.summary_id)
        .where(Summary.status.in_(HANDED_IN), MetricValue.unit_id.in_(unit_ids),
               MetricValue.period.in_(periods), MetricValue.department == department,
               MetricValue.metric == metric, MetricValue.category != "")
        .group_by(MetricValue.category).order_by(total.desc(), MetricValue.category)
    )]


def change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    """Relative change, as a fraction; None when there is nothing to compare with."""
    if now is None or before in (None, 0):
        return None
    return (now - before) / before


def _label(field) -> str:
    text = str(field.en)
    return f"{text} ({field.unit})" if field.unit and field.kind == COUNT else text


def _unit(field) -> str:
    return {MONEY: gettext("yuan"), PERCENT: "%"}.get(field.kind, field.unit or "")


def _shown(field, value: Decimal | None) -> Decimal | None:
    """A value as a table shows it: computed ratios as percentages (95.00, not 0.95)."""
    if value is None:
        return None
    if field.kind == PERCENT and field.computed:
        return (value * 100).quantize(Decimal("0.01"))
    return value


COLUMNS = (
    DataColumn("item", _l("Item")),
    DataColumn("unit", _l("Unit")),
    DataColumn("now", _l("This period"), "decimal"),
    DataColumn("before", _l("Period before"), "decimal"),
    DataColumn("vs_before", _l("Change"), "percent"),
    DataColumn("last_year", _l("A year earlier"), "decimal"),
    DataColumn("vs_last_year", _l("Change on a year"), "percent"),
)


#: Counts are whole numbers: "205", never "205.00" (issue 18 §11).
COUNT_COLUMNS = tuple(
    DataColumn(c.key, c.label, "int") if c.type == "decimal" else c for c in COLUMNS)


def _tables(fields_rows, title: str, id: str) -> list[DataTable]:
    """The rows of counts in a table of whole numbers, the amounts and ratios in another."""
    counts = [row for field, row in fields_rows if field.kind == COUNT]
    others = [row for field, row in fields_rows if field.kind != COUNT]
    tables = []
    if counts:
        tables.append(DataTable(COUNT_COLUMNS, counts, title=title, id=id))
    if others:
        tables.append(DataTable(COLUMNS, others,
                                title=gettext("%(title)s: amounts and ratios", title=title),
                                id=f"{id}_amounts"))
    return tables


def _row(field, now: Totals, before: Totals, year_ago: Totals, department: str) -> tuple:
    values = [t.get(department, {}).get(field.key) for t in (now, before, year_ago)]
    return (_label(field), _unit(field), _shown(field, values[0]), _shown(field, values[1]),
            change(values[0], values[1]), _shown(field, values[2]),
            change(values[0], values[2]))


# -- building ----------------------------------------------------------------------------------


def _departments(ctx) -> list[Unit]:
    return list(db.session.scalars(
        select(Unit).where(Unit.id.in_(ctx.unit_ids), Unit.kind.in_(DEPARTMENT_KINDS))
        .order_by(Unit.path)))


def _compared(ctx):
    months = months_of(ctx.period)
    span = len(months)
    return (months, totals(ctx.unit_ids, months),
            totals(ctx.unit_ids, shifted(months, -span)),
            totals(ctx.unit_ids, shifted(months, -12)))


def headline_table(now, before, year_ago) -> list[DataTable]:
    rows = []
    for department, key in HEADLINE:
        field = BY_KEY[department].field(key)
        row = _row(field, now, before, year_ago, department)
        rows.append((field, (f"{BY_KEY[department].en}: {row[0]}", *row[1:])))
    return _tables(rows, gettext("Key figures"), "headline")


def department_tables(now, before, year_ago, present: set[str]) -> list[DataTable]:
    tables = []
    for dept in DEPARTMENTS:
        if dept.key not in present:
            continue
        rows = [(f, _row(f, now, before, year_ago, dept.key)) for f in dept.fields if f.numeric]
        tables.extend(_tables(rows, f"{dept.en} · {dept.zh}", dept.key))
    return tables


def repair_chart(ctx, months, now, before, year_ago, department, keys, title) -> Chart:
    dept = BY_KEY[department]
    labels = [str(dept.field(k).en) for k in keys]

    def values(t):
        return [float(t.get(department, {}).get(k) or 0) for k in keys]

    return Chart("bar", title, labels, (
        Series(gettext("This period"), values(now)),
        Series(gettext("Period before"), values(before)),
        Series(gettext("A year earlier"), values(year_ago)),
    ))


def trend_charts(ctx, months) -> list[Chart]:
    """Complaints and collection rates over the twelve months up to the period's end."""
    last = months[-1]
    span = tracking.months_back(*last, 12)
    per_month = [totals(ctx.unit_ids, [m]) for m in span]
    labels = [f"{y}-{m:02d}" for y, m in span]
    complaints = Chart("line", gettext("Complaints, last 12 months"), labels, (
        Series(str(BY_KEY["service"].field("complaints").en),
               [float(t.get("service", {}).get("complaints") or 0) for t in per_month]),
    ))
    rates = Chart("line", gettext("Fee collection rates, last 12 months"), labels, tuple(
        Series(str(BY_KEY[d].field(k).en),
               [float(t.get(d, {}).get(k)) if t.get(d, {}).get(k) is not None else None
                for t in per_month])
        for d, k in COLLECTION_RATES
    ), percent=True)
    return [complaints, rates]


def deadline_table(ctx, months) -> DataTable:
    units = _departments(ctx)
    found = tracking.statuses(units, months)
    labels = {dl.UPCOMING: gettext("Not yet due"), dl.DUE_SOON: gettext("Due soon"),
              dl.OVERDUE: gettext("Overdue"), dl.ON_TIME: gettext("On time"),
              dl.LATE: gettext("Late")}
    rows = []
    for status in found:
        what = gettext("Plan") if status.subject == dl.PLAN else gettext("Summary")
        rows.append((status.unit.name, f"{status.deadline.year}-{status.deadline.month:02d}",
                     what, status.deadline.due, labels[status.state], status.days_late))
    columns = (DataColumn("unit", _l("Department")), DataColumn("month", _l("Month")),
               DataColumn("what", _l("Plan or summary")), DataColumn("due", _l("Due"), "date"),
               DataColumn("state", _l("State")), DataColumn("late", _l("Days late"), "int"))
    return DataTable(columns, rows, title=gettext("Deadlines"), id="deadlines")


def narrative_table(ctx, months) -> DataTable:
    """The departments' own words: main problems, improvements, what customers raised."""
    wanted = ("main_problems", "main_improvements", "customer_main_problem", "biggest_hazard",
              "company_events")
    periods = [period_key(y, m) for y, m in months]
    rows = db.session.execute(
        select(Unit.name, MetricValue.period, MetricValue.department, MetricValue.metric,
               MetricValue.text)
        .join(Summary, Summary.id == MetricValue.summary_id)
        .join(Unit, Unit.id == MetricValue.unit_id)
        .where(Summary.status.in_(HANDED_IN), MetricValue.unit_id.in_(ctx.unit_ids),
               MetricValue.period.in_(periods), MetricValue.metric.in_(wanted),
               MetricValue.text.isnot(None))
        .order_by(Unit.path, MetricValue.period, MetricValue.metric)
    ).all()
    shown = []
    for name, period, department, metric, text in rows:
        dept = BY_KEY.get(department)
        label = str(dept.field(metric).en) if dept else metric
        shown.append((name, f"{period // 100}-{period % 100:02d}", label, text))
    columns = (DataColumn("unit", _l("Department")), DataColumn("month", _l("Month")),
               DataColumn("item", _l("Item")), DataColumn("text", _l("In their words")))
    return DataTable(columns, shown, title=gettext("Problems, improvements and concerns"),
                     id="narrative")


def _present(ctx) -> set[str]:
    kinds = {u.kind for u in _departments(ctx)}
    return {d.key for d in DEPARTMENTS if d.kind in kinds}


def company_report(ctx) -> list:
    """The whole monthly report: key figures, charts, each department, deadlines, words."""
    months, now, before, year_ago = _compared(ctx)
    handed = db.session.scalar(
        select(func.count(Summary.id)).where(
            Summary.unit_id.in_(ctx.unit_ids), Summary.status.in_(HANDED_IN),
            Summary.period.in_([period_key(y, m) for y, m in months])))
    expected = len(_departments(ctx)) * len(months)
    blocks: list = [Note(gettext(
        "Composed from %(handed)d of %(expected)d department summaries of %(start)s – "
        "%(end)s. Rates are computed from the totals; changes compare with the period before "
        "and with the same period a year earlier.",
        handed=handed or 0, expected=expected,
        start=format_date(ctx.period.start, "medium"),
        end=format_date(dl.day_in_month(*months[-1], 31), "medium")))]
    blocks.extend(headline_table(now, before, year_ago))
    blocks.append(repair_chart(ctx, months, now, before, year_ago, "service", SERVICE_REPAIRS,
                               gettext("Repair requests by category")))
    blocks.append(repair_chart(ctx, months, now, before, year_ago, "engineering",
                               ENGINEERING_REPAIRS, gettext("Engineering services by category")))
    blocks.extend(trend_charts(ctx, months))
    blocks.extend(department_tables(now, before, year_ago, _present(ctx)))
    blocks.append(deadline_table(ctx, months))
    blocks.append(narrative_table(ctx, months))
    return blocks


def period_section(ctx) -> list:
    """The plugin's part of the unit period report: key figures and the trends."""
    months, now, before, year_ago = _compared(ctx)
    return [
        *headline_table(now, before, year_ago),
        repair_chart(ctx, months, now, before, year_ago, "service", SERVICE_REPAIRS,
                     gettext("Repair requests by category")),
        *trend_charts(ctx, months),
        deadline_table(ctx, months),
    ]


def reports() -> list[Report]:
    return [Report(
        f"{PLUGIN}.company_monthly", _l("Property company monthly report"), PERMISSION,
        company_report,
        description=_l("All departments' summaries of the month: key figures, month-on-month "
                       "and year-on-year, repairs, complaints, fee collection, deadlines."),
        periods=("month", "quarter", "year"), order=110,
    )]


def sections() -> list[ReportSection]:
    return [ReportSection(f"{PLUGIN}.monthly", _l("Property management"), PERMISSION,
                          period_section, order=110)]
