"""Dashboard widgets, the committee's year-end statistics (a core report: page, A4 print, XLSX)
and the plugin's section of the unit period report."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from sqlalchemy import func, select

from core.api import (Chart, DataColumn, DataTable, Note, Report, ReportSection, Series, Unit,
                      Widget, chart_widget, db, local_today)

from . import rules
from .i18n import gettext as _
from .i18n import lazy_gettext as _l
from .models import (FULL, PartyDevStep, PartyMeeting, PartyMember, PartyPayment,
                     PartyPlanItem, PartyPledge)
from .settings import MEETING_KINDS

BRANCH = "party_branch"


def widgets(unit) -> list[Widget]:
    if unit is None:
        return []
    if unit.kind == BRANCH:
        def branch_card():
            from .dashboard import branch_summary

            return render_template("party_building/_widget_branch.html", branch=unit,
                                   s=branch_summary(unit, local_today()))

        return [Widget("branch", _l("Party branch"), branch_card,
                       permission="party_building.view", order=40, width=12)]

    def held_vs_required():
        rows = _by_branch(unit, local_today())
        return Chart("bar", _l("Meetings this year"), labels=[r["name"] for r in rows],
                     series=[Series(_l("Held"), [r["held"] for r in rows]),
                             Series(_l("Required so far"), [r["required"] for r in rows])])

    return [chart_widget("meetings", _l("Meetings held and required by branch"),
                         held_vs_required, permission="party_building.view_reports", order=41)]


def _required(branch, start, end, today) -> int:
    """Meetings the branch's rules required in periods of [start, end) that ended by today."""
    count = 0
    for kind, _label, _freq in MEETING_KINDS:
        for year in range(start.year, (end - timedelta(days=1)).year + 1):
            for p_start, p_end in rules.periods(rules.frequency(branch, kind), year):
                if p_start >= start and p_end <= end and p_end <= today:
                    count += 1
    return count


def _by_branch(unit, today, limit=30):
    """Held and required meetings this year for the first branches under *unit*."""
    start = today.replace(month=1, day=1)
    branches = db.session.scalars(select(Unit).where(Unit.is_within(unit), Unit.kind == BRANCH)
                                  .order_by(Unit.path).limit(limit)).all()
    held = dict(db.session.execute(
        select(PartyMeeting.unit_id, func.count(PartyMeeting.id))
        .where(PartyMeeting.unit_id.in_([b.id for b in branches] or [-1]),
               PartyMeeting.held_on >= start, PartyMeeting.held_on <= today)
        .group_by(PartyMeeting.unit_id)).all())
    end = today.replace(year=today.year + 1, month=1, day=1)
    return [{"name": b.name, "held": held.get(b.id, 0),
             "required": _required(b, start, end, today)} for b in branches]


def _grouped(ctx, column, *where):
    model = column.class_
    return dict(db.session.execute(
        select(model.unit_id, func.count(column)).where(ctx.in_scope(model.unit_id), *where)
        .group_by(model.unit_id)).all())


def year_statistics(ctx):
    """Per branch: members, meetings held and required, development, dues, pledges, plan."""
    start, end, today = ctx.period.start, ctx.period.end, local_today()
    branches = db.session.scalars(select(Unit).where(ctx.in_scope(Unit.id), Unit.kind == BRANCH)
                                  .order_by(Unit.path)).all()
    active = PartyMember.left_on.is_(None)
    full = _grouped(ctx, PartyMember.id, active, PartyMember.status == FULL)
    total = _grouped(ctx, PartyMember.id, active)
    meetings = _grouped(ctx, PartyMeeting.id, ctx.in_period(PartyMeeting.held_on))
    steps = {}
    for unit_id, step, n in db.session.execute(
            select(PartyDevStep.unit_id, PartyDevStep.step, func.count(PartyDevStep.id))
            .where(ctx.in_scope(PartyDevStep.unit_id), ctx.in_period(PartyDevStep.on))
            .group_by(PartyDevStep.unit_id, PartyDevStep.step)):
        steps[(unit_id, step)] = n
    dues = dict(db.session.execute(
        select(PartyPayment.unit_id, func.sum(PartyPayment.amount))
        .where(ctx.in_scope(PartyPayment.unit_id), ctx.in_period(PartyPayment.month))
        .group_by(PartyPayment.unit_id)).all())
    reviewed = _grouped(ctx, PartyPledge.id, PartyPledge.review_published_on.is_not(None),
                        ctx.in_period(PartyPledge.review_published_on))
    plan_done = _grouped(ctx, PartyPlanItem.id, PartyPlanItem.progress >= 100,
                         PartyPlanItem.year == start.year)
    rows = []
    for b in branches:
        required = _required(b, start, end, today)
        rows.append((b.name, total.get(b.id, 0), full.get(b.id, 0),
                     total.get(b.id, 0) - full.get(b.id, 0), meetings.get(b.id, 0), required,
                     steps.get((b.id, rules.ACTIVIST), 0), steps.get((b.id, rules.ADMITTED), 0),
                     steps.get((b.id, rules.CONVERTED), 0), float(dues.get(b.id) or 0),
                     reviewed.get(b.id, 0), plan_done.get(b.id, 0)))
    columns = [DataColumn("branch", _l("Branch")), DataColumn("members", _l("Members"), "int"),
               DataColumn("full", _l("Full"), "int"),
               DataColumn("probationary", _l("Probationary"), "int"),
               DataColumn("held", _l("Meetings held"), "int"),
               DataColumn("required", _l("Meetings required"), "int"),
               DataColumn("activists", _l("New activists"), "int"),
               DataColumn("admitted", _l("Admitted"), "int"),
               DataColumn("converted", _l("Converted"), "int"),
               DataColumn("dues", _l("Dues collected (yuan)"), "decimal", places=2),
               DataColumn("reviewed", _l("Pledge reviews published"), "int"),
               DataColumn("plan_done", _l("Plan items completed"), "int")]
    footer = (_("Total"), *[sum(r[i] for r in rows) for i in range(1, len(columns))])
    return [Note(_("%(n)d branches, %(period)s.", n=len(rows), period=ctx.period.label)),
            DataTable(columns, rows, title=_l("Year-end statistics"), id="branches",
                      footer=footer)]


def reports() -> list[Report]:
    return [Report("party_building.statistics", _l("Party branches: year-end statistics"),
                   "party_building.view_reports", year_statistics, periods=("year", "quarter"),
                   description=_l("Members, meetings held and required, development, dues, "
                                  "pledges and plan per branch; export to XLSX."))]


def sections() -> list[ReportSection]:
    return [ReportSection("party_building.period", _l("Party building"),
                          "party_building.view_reports", year_statistics, order=60)]
