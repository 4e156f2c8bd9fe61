"""Reports: the centre's monthly safety figures, the disease-report rates by month and the
annual summary for the county CDC (due before 15 January)."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import case, func, select

from core.api import DataColumn, DataTable, Note, Report, Unit, to_utc

from . import stats
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .models import DiseaseCase

P = "hospital_safety"


def bounds(ctx):
    period = ctx.period
    return (to_utc(datetime.combine(period.start, time())),
            to_utc(datetime.combine(period.end, time())))


def percent(value):
    return None if value is None else round(value * 100, 1)


def safety_report(ctx):
    """Hazards, rectification and disease reports of the period, per unit."""
    since, until = bounds(ctx)
    rect = stats.rectification(ctx.unit_ids, since, until)
    rates = stats.case_rates(ctx.unit_ids, since, until)
    return [
        Note(_("Notices issued: %(issued)d, closed: %(closed)d, rectification rate: "
               "%(rate)s %%, median days to closure: %(median)s.",
               issued=rect["issued"], closed=rect["closed"],
               rate=percent(rect["rate"]) if rect["rate"] is not None else "—",
               median=(f"{rect['median_days']:.1f}" if rect["median_days"] is not None
                       else "—"))),
        DataTable(id="open", title=_l("Open hazards by department"),
                  rows=[tuple(r) for r in stats.hazards_by_department(ctx.unit_ids)],
                  columns=(DataColumn("unit", _l("Department")),
                           DataColumn("open", _l("Open"), "int"),
                           DataColumn("overdue", _l("Overdue"), "int"))),
        DataTable(id="cases", title=_l("Infectious-disease reports"),
                  rows=[(rates["cases"], rates["reported"], rates["timely"],
                         rates["report_rate"], rates["timely_rate"])],
                  columns=(DataColumn("cases", _l("Cases"), "int"),
                           DataColumn("reported", _l("Reported"), "int"),
                           DataColumn("timely", _l("On time"), "int"),
                           DataColumn("report_rate", _l("Report rate"), "percent"),
                           DataColumn("timely_rate", _l("Timely rate"), "percent"))),
    ]


def annual_summary(ctx):
    """The annual summary for the county CDC: cases by disease and class, reported, on time."""
    since, until = bounds(ctx)
    used = stats._minutes(DiseaseCase.reported_at, DiseaseCase.diagnosed_at)
    on_time = func.sum(case((used <= DiseaseCase.limit_minutes, 1), else_=0))
    rows = select(Unit.name, DiseaseCase.disease, DiseaseCase.disease_class,
                  func.count(DiseaseCase.id), func.count(DiseaseCase.reported_at), on_time
                  ).join(Unit, Unit.id == DiseaseCase.unit_id).where(
        DiseaseCase.unit_id.in_(ctx.unit_ids), DiseaseCase.diagnosed_at >= since,
        DiseaseCase.diagnosed_at < until).group_by(
        Unit.name, DiseaseCase.disease, DiseaseCase.disease_class).order_by(
        Unit.name, DiseaseCase.disease_class, DiseaseCase.disease)
    return [DataTable(id="summary", title=_l("Notifiable diseases of the year"), rows=rows,
                      columns=(DataColumn("unit", _l("Centre")),
                               DataColumn("disease", _l("Disease")),
                               DataColumn("class", _l("Class")),
                               DataColumn("cases", _l("Cases"), "int"),
                               DataColumn("reported", _l("Reported"), "int"),
                               DataColumn("timely", _l("On time"), "int")))]


def register_reports():
    return [
        Report(f"{P}.monthly", _l("Monthly safety report"), f"{P}.view_reports", safety_report,
               periods=("month", "quarter", "year")),
        Report(f"{P}.cdc_annual", _l("Annual infectious-disease summary for the county CDC"),
               f"{P}.view_reports", annual_summary, periods=("year",)),
    ]


def period_section(ctx):
    return safety_report(ctx)
