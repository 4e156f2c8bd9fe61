"""The deadline board of a month, on-time rates for cadre evaluation, and the company's units."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from core.api import (
    Unit,
    arg_int,
    audit,
    create_unit,
    db,
    local_today,
    permission_required,
    unit_ids_where,
)

from .. import deadlines as dl
from .. import tracking
from ..catalogue import BY_KEY, COMPANY_KIND, DEPARTMENT_KINDS, DEPARTMENTS, OTHER, TEAM_KIND
from ..forms import UnitForm, choices
from ..i18n import gettext
from ..i18n import lazy_gettext as _l
from ..models import period_key
from . import PLUGIN, bp, may_in, month_text, parse_month, scoped_units


@bp.route("/")
@permission_required(f"{PLUGIN}.view")
def board():
    """What each department must hand in this month: next month's plan, last month's summary."""
    today = local_today()
    year, month = parse_month(request.args.get("month"), today)
    units = scoped_units("view")
    plan_for = dl.add_months(year, month, 1)
    summary_of = dl.add_months(year, month, -1)
    plans = tracking.statuses(units, [plan_for], today, subjects=(dl.PLAN,))
    summaries = tracking.statuses(units, [summary_of], today, subjects=(dl.SUMMARY,))
    rows = [(u, p, s) for u, p, s in zip(units, plans, summaries, strict=True)]
    return render_template(
        "property_reports/board.html", rows=rows, month=month_text(year, month),
        plan_month=month_text(*plan_for), summary_month=month_text(*summary_of),
        previous=month_text(*dl.add_months(year, month, -1)),
        following=month_text(*dl.add_months(year, month, 1)),
        explain=tracking.explain, rule=tracking.rule, shift_reason=tracking.shift_reason,
        today=today,
    )


@bp.route("/evaluation")
@permission_required(f"{PLUGIN}.view_reports")
def evaluation():
    """On-time rate and completeness per department and per manager over months (line 51)."""
    today = local_today()
    year, month = parse_month(request.args.get("until"), today)
    count = min(arg_int("months", 12), 36)
    months = tracking.months_back(year, month, count)
    units = scoped_units("view_reports")
    found = tracking.statuses(units, months, today)
    by_unit, by_person = tracking.scores(found + tracking.team_plan_statuses(units, months,
                                                                              today))
    shares = tracking.standardisation([u.id for u in units], [period_key(*m) for m in months])
    grid = {}
    for status in found:
        grid[(status.unit.id, status.subject, status.deadline.year,
              status.deadline.month)] = status
    return render_template(
        "property_reports/evaluation.html", by_unit=by_unit, by_person=by_person,
        shares=shares, months=months, units=units, grid=grid, count=count,
        until=month_text(year, month),
    )


def widget(user, unit) -> str:
    """The home-page card: this month's deadlines of the departments the user sees."""
    today = local_today()
    units = [u for u in scoped_units("view")][:12]
    plan_for = dl.add_months(today.year, today.month, 1)
    summary_of = dl.add_months(today.year, today.month, -1)
    plans = tracking.statuses(units, [plan_for], today, subjects=(dl.PLAN,))
    summaries = tracking.statuses(units, [summary_of], today, subjects=(dl.SUMMARY,))
    return render_template("property_reports/_widget.html",
                           rows=list(zip(units, plans, summaries, strict=True)))


# -- the company's departments and teams -------------------------------------------------------


def _kind_choices():
    pairs = [(d.kind, f"{d.en} · {d.zh}") for d in DEPARTMENTS]
    pairs.append((OTHER.kind, str(OTHER.en)))
    pairs.append((TEAM_KIND, str(_l("Team inside a department"))))
    return choices(pairs)


@bp.route("/units", methods=["GET", "POST"])
@permission_required(f"{PLUGIN}.view")
def units():
    """The departments and teams of the companies the user sees; leadership adds new ones."""
    visible = list(db.session.scalars(
        select(Unit).where(Unit.kind.in_((COMPANY_KIND, *DEPARTMENT_KINDS, TEAM_KIND)),
                           Unit.id.in_(unit_ids_where(f"{PLUGIN}.view")))
        .order_by(Unit.path)
    ))
    parents = [u for u in visible if u.kind in (COMPANY_KIND, *DEPARTMENT_KINDS)
               and may_in("manage_departments", u)]
    form = None
    if parents:
        form = UnitForm()
        form.kind.choices = _kind_choices()
        form.parent.choices = choices((u.id, u.name) for u in parents)
        if form.validate_on_submit():
            parent = db.session.get(Unit, form.parent.data)
            if parent is None or not may_in("manage_departments", parent):
                abort(404)
            problem = _placement_problem(form.kind.data, parent)
            if db.session.scalar(select(Unit.id).where(Unit.code == form.code.data.strip())):
                form.code.errors.append(gettext("This code is already used by another unit."))
            elif problem:
                form.parent.errors.append(problem)
            else:
                unit = create_unit(form.code.data.strip(), form.name.data.strip(),
                                   form.kind.data, parent)
                audit(f"{PLUGIN}.unit_added", subject=("unit", unit.id), unit=parent,
                      summary=f"{unit.name} ({unit.kind}) in {parent.name}")
                db.session.commit()
                flash(gettext("%(name)s was added.", name=unit.name), "success")
                return redirect(url_for(f"{PLUGIN}.units"))
    elif request.method == "POST":
        abort(404)
    return render_template("property_reports/units.html", units=visible, form=form,
                           departments=BY_KEY)


def _placement_problem(kind: str, parent: Unit) -> str | None:
    if kind == TEAM_KIND and parent.kind not in DEPARTMENT_KINDS:
        return gettext("A team belongs inside a department.")
    if kind != TEAM_KIND and parent.kind != COMPANY_KIND:
        return gettext("A department belongs directly to the company.")
    return None


@bp.route("/units/<int:unit_id>")
@permission_required(f"{PLUGIN}.view")
def unit(unit_id: int):
    """Redirect to the plans of one department or team."""
    found = db.session.get(Unit, unit_id)
    if found is None or not may_in("view", found):
        abort(404)
    return redirect(url_for(f"{PLUGIN}.plans", unit=found.id))
