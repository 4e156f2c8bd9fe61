"""The audit report (A4, with signature boxes), the findings as a core report (XLSX through
core's export), the agency's summary across units, the period-report section and the
dashboard widget. Everything is counted in SQL.
"""

from __future__ import annotations

import statistics

import sqlalchemy as sa
from flask import render_template
from sqlalchemy import func, select

from core.api import (
    DataColumn,
    DataTable,
    Note,
    Report,
    ReportFilter,
    ReportSection,
    Unit,
    Widget,
    db,
    unit_ids_where,
)

from .i18n import lazy_gettext as _l
from .models import (
    ACCEPTED,
    UNRESOLVED,
    PensionAuditEngagement,
    PensionAuditFinding,
)

F = PensionAuditFinding
#: The amount in question of a money finding: how far found is from expected.
IN_QUESTION = sa.case((F.measure == "fen", func.abs(func.coalesce(F.found, 0)
                                                    - func.coalesce(F.expected, 0))), else_=0)


def by_item(engagement_ids) -> list[tuple]:
    """(item, high, medium, low, amount in question) per item with findings."""
    rows = db.session.execute(
        select(F.item,
               func.sum(sa.case((F.severity == "high", 1), else_=0)),
               func.sum(sa.case((F.severity == "medium", 1), else_=0)),
               func.sum(sa.case((F.severity == "low", 1), else_=0)),
               func.sum(IN_QUESTION))
        .where(F.engagement_id.in_(engagement_ids)).group_by(F.item).order_by(F.item)).all()
    return [(item, int(h), int(m), int(low), int(amount or 0) / 100)
            for item, h, m, low, amount in rows]


def _engagements_in(ctx):
    query = select(PensionAuditEngagement.id).where(ctx.in_scope(PensionAuditEngagement.unit_id))
    if ctx.period is not None:
        query = query.where(ctx.in_period(PensionAuditEngagement.period_end))
    return query


def _engagement_choices(unit: Unit):
    rows = db.session.execute(
        select(PensionAuditEngagement.id, PensionAuditEngagement.title, Unit.name)
        .join(Unit, Unit.id == PensionAuditEngagement.unit_id)
        .where(Unit.is_within(unit),
               PensionAuditEngagement.unit_id.in_(unit_ids_where("pension_audit.view")))
        .order_by(PensionAuditEngagement.id.desc()).limit(200)).all()
    return [(str(eid), f"{name} · {title}") for eid, title, name in rows]


def findings_table(ctx):
    """Every finding of one engagement with its records' key, for the XLSX file."""
    engagement_id = int(ctx.filters.get("engagement") or 0)
    query = (select(F.id, F.item, F.rule, F.severity, F.id_number, F.period,
                    sa.case((F.measure == "fen", F.expected / 100.0), else_=F.expected),
                    sa.case((F.measure == "fen", F.found / 100.0), else_=F.found),
                    F.measure, F.state, F.description)
             .join(PensionAuditEngagement, PensionAuditEngagement.id == F.engagement_id)
             .where(F.engagement_id == engagement_id,
                    ctx.in_scope(PensionAuditEngagement.unit_id))
             .order_by(F.item, F.rule, F.id_number, F.period, F.id))
    return [DataTable(id="findings", title=_l("Findings"), rows=query, columns=(
        DataColumn("id", _l("No."), "int"), DataColumn("item", _l("Item"), "int"),
        DataColumn("rule", _l("Rule")), DataColumn("severity", _l("Severity")),
        DataColumn("id_number", _l("ID number")), DataColumn("period", _l("Period")),
        DataColumn("expected", _l("Expected"), "decimal", 2),
        DataColumn("found", _l("Found"), "decimal", 2), DataColumn("measure", _l("Unit")),
        DataColumn("state", _l("State")), DataColumn("description", _l("Description"))))]


def summary(ctx):
    """The agency's summary across units: findings by item and severity, amounts in
    question, rectification rate and median days to an accepted rectification."""
    engagements = _engagements_in(ctx)
    per_unit = db.session.execute(
        select(Unit.name, func.count(sa.distinct(F.engagement_id)), func.count(F.id),
               func.sum(sa.case((F.severity == "high", 1), else_=0)),
               func.sum(IN_QUESTION),
               func.sum(sa.case((F.state == ACCEPTED, 1), else_=0)),
               func.sum(sa.case((F.state.in_(UNRESOLVED), 1), else_=0)))
        .join(Unit, Unit.id == F.unit_id).where(F.engagement_id.in_(engagements))
        .group_by(Unit.id, Unit.name, Unit.path).order_by(Unit.path)).all()
    days = [(closed - created).days for created, closed in db.session.execute(
        select(F.created_at, F.closed_at).where(F.engagement_id.in_(engagements),
                                                F.state == ACCEPTED))]
    rows = [(name, e, n, int(h or 0), int(a or 0) / 100,
             round(100 * int(acc or 0) / n, 1) if n else 0.0)
            for name, e, n, h, a, acc, _open in per_unit]
    total = sum(r[2] for r in rows)
    accepted = sum(int(r[5] or 0) for r in per_unit)
    return [
        DataTable(id="units", title=_l("Findings by unit"), rows=rows, columns=(
            DataColumn("unit", _l("Unit")), DataColumn("engagements", _l("Audits"), "int"),
            DataColumn("findings", _l("Findings"), "int"),
            DataColumn("high", _l("High severity"), "int"),
            DataColumn("amount", _l("Amount in question (yuan)"), "decimal", 2),
            DataColumn("rate", _l("Rectified (%)"), "decimal", 1))),
        DataTable(id="items", title=_l("Findings by item and severity"),
                  rows=by_item(engagements), columns=(
                      DataColumn("item", _l("Item"), "int"),
                      DataColumn("high", _l("High"), "int"),
                      DataColumn("medium", _l("Medium"), "int"),
                      DataColumn("low", _l("Low"), "int"),
                      DataColumn("amount", _l("Amount in question (yuan)"), "decimal", 2))),
        Note(str(_l("Rectification rate %(rate)s%% (%(accepted)s of %(total)s); median "
                    "%(days)s days to an accepted rectification.",
                    rate=round(100 * accepted / total, 1) if total else 0, accepted=accepted,
                    total=total, days=statistics.median(days) if days else "—"))),
    ]


def reports():
    return [
        Report("pension_audit.summary", _l("Pension audit summary"), "pension_audit.view",
               summary, periods=("year", "quarter", "month"),
               description=_l("Findings by unit, item and severity; amounts in question; "
                              "rectification rate and median days.")),
        Report("pension_audit.findings", _l("Findings of an audit"), "pension_audit.view",
               findings_table, periods=(),
               filters=(ReportFilter("engagement", _l("Audit"), "choice",
                                     _engagement_choices, required=True),),
               description=_l("Every finding with the rule, the expected and the found "
                              "value, for the XLSX file.")),
    ]


def sections():
    return [ReportSection("pension_audit.summary", _l("Pension audit"), "pension_audit.view",
                          summary, order=60)]


def widgets(unit):
    def open_findings():
        f = F
        rows = db.session.execute(
            select(f.severity, func.count(f.id))
            .join(Unit, Unit.id == f.unit_id)
            .where(Unit.is_within(unit), f.unit_id.in_(unit_ids_where("pension_audit.view")),
                   f.state.in_(UNRESOLVED)).group_by(f.severity)).all()
        return render_template("pension_audit/_widget.html", counts=dict(rows))

    return [Widget("pension_audit.open", _l("Open audit findings"), open_findings,
                   permission="pension_audit.view")]
