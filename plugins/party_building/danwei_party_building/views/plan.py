"""The annual work plan (篇四), quarterly pledges and their review (践诺点评), pairing with
households in need and their visits, community registration (双报到)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.api import (Unit, arg_int, audit, can, db, local_today, paginate, permission_required,
                      unit_ids_where)

from ..forms import (PARTS, PairingForm, PlanItemForm, PledgeForm, RegistrationForm, ReviewForm,
                    VisitForm, choices)
from ..i18n import gettext as _
from ..models import (PartyPairing, PartyPlanItem, PartyPledge, PartyRegistration, PartyVisit)
from . import active_members, bp, branch_or_404, branch_pages

MANAGE = "party_building.manage_plan"


def _year():
    return arg_int("year", local_today().year, low=2000, high=2100)


def _member_choices(unit, with_branch=False):
    people = db.session.scalars(active_members(unit)).all()
    pairs = [(p.id, p.name) for p in people]
    return choices(([(0, _("The branch"))] if with_branch else []) + pairs)


@bp.route("/branch/<int:unit_id>/plan")
@permission_required("party_building.view")
def plan(unit_id):
    """The year's plan by part, the quarter's pledges, the pairings and registrations."""
    unit = branch_or_404(unit_id)
    year = _year()
    items = db.session.scalars(select(PartyPlanItem).where(
        PartyPlanItem.unit_id == unit.id, PartyPlanItem.year == year)
        .order_by(PartyPlanItem.part, PartyPlanItem.due_on, PartyPlanItem.id)).all()
    pledges = db.session.scalars(select(PartyPledge).options(joinedload(PartyPledge.member))
                                 .where(PartyPledge.unit_id == unit.id,
                                        PartyPledge.quarter.startswith(str(year)))
                                 .order_by(PartyPledge.quarter, PartyPledge.id)).all()
    pairings = db.session.scalars(select(PartyPairing).options(joinedload(PartyPairing.member))
                                  .where(PartyPairing.unit_id == unit.id)
                                  .order_by(PartyPairing.id)).all()
    visits = {}
    for visit in db.session.scalars(select(PartyVisit).where(PartyVisit.unit_id == unit.id)
                                    .order_by(PartyVisit.on)):
        visits.setdefault(visit.pairing_id, []).append(visit)
    registrations = db.session.scalars(
        select(PartyRegistration).options(joinedload(PartyRegistration.member))
        .where(PartyRegistration.unit_id == unit.id).order_by(PartyRegistration.id)).all()
    manage = can(MANAGE, unit)
    forms = {}
    if manage:
        forms = {"item": PlanItemForm(prefix="i"), "pledge": PledgeForm(prefix="l"),
                 "pairing": PairingForm(prefix="p"), "registration": RegistrationForm(prefix="r")}
        forms["pledge"].member.choices = _member_choices(unit, with_branch=True)
        forms["pairing"].member.choices = _member_choices(unit)
        forms["registration"].member.choices = _member_choices(unit)
    return render_template(
        "party_building/plan.html", branch=unit, year=year, items=items, parts=dict(PARTS),
        pledges=pledges, pairings=pairings, visits=visits, registrations=registrations,
        forms=forms, manage=manage, pages=branch_pages(unit), today=local_today())


def _back(unit):
    return redirect(url_for("party_building.plan", unit_id=unit.id))


def _refused(form):
    for name, errors in form.errors.items():
        label = getattr(form, name).label.text if hasattr(form, name) else name
        flash(f"{label}: " + "; ".join(str(e) for e in errors), "danger")


@bp.route("/branch/<int:unit_id>/plan/items", methods=["POST"])
@permission_required(MANAGE)
def new_plan_item(unit_id):
    """Add an item to the year's plan."""
    unit = branch_or_404(unit_id, MANAGE)
    form = PlanItemForm(prefix="i")
    if not form.validate_on_submit():
        _refused(form)
        return _back(unit)
    item = PartyPlanItem(unit_id=unit.id, year=(form.due_on.data or local_today()).year)
    form.populate_obj(item)
    item.progress = form.progress.data or 0
    db.session.add(item)
    db.session.flush()
    audit("party_building.plan_item_added", subject=item, unit=unit, summary=item.title)
    db.session.commit()
    flash(_("The plan item was added."), "success")
    return _back(unit)


@bp.route("/item/<int:item_id>", methods=["GET", "POST"])
@permission_required(MANAGE)
def plan_item(item_id):
    """Update an item's progress and evidence."""
    item = db.session.get(PartyPlanItem, item_id) or abort(404)
    unit = branch_or_404(item.unit_id, MANAGE)
    form = PlanItemForm(obj=item)
    if form.validate_on_submit():
        form.populate_obj(item)
        item.progress = form.progress.data or 0
        audit("party_building.plan_item_updated", subject=item, unit=unit, summary=item.title)
        db.session.commit()
        flash(_("The plan item was saved."), "success")
        return _back(unit)
    return render_template("party_building/form.html", branch=unit, form=form,
                           title=_("Plan item"), pages=branch_pages(unit))


@bp.route("/branch/<int:unit_id>/pledges", methods=["POST"])
@permission_required(MANAGE)
def new_pledge(unit_id):
    """A quarter's pledge of the branch or of a cadre."""
    unit = branch_or_404(unit_id, MANAGE)
    form = PledgeForm(prefix="l")
    form.member.choices = _member_choices(unit, with_branch=True)
    quarter = (form.quarter.data or "").strip()
    ok = form.validate_on_submit()
    if ok and not (len(quarter) == 7 and quarter[:4].isdigit() and quarter[4:6] == "-Q"
                   and quarter[6] in "1234"):
        form.quarter.errors = [_("Write the quarter as 2026-Q1.")]
        ok = False
    if not ok:
        _refused(form)
        return _back(unit)
    pledge = PartyPledge(unit_id=unit.id, quarter=quarter, member_id=form.member.data or None,
                         pledge=form.pledge.data, published_on=form.published_on.data)
    db.session.add(pledge)
    db.session.flush()
    audit("party_building.pledge_added", subject=pledge, unit=unit, summary=quarter)
    db.session.commit()
    flash(_("The pledge was saved."), "success")
    return _back(unit)


@bp.route("/pledge/<int:pledge_id>", methods=["GET", "POST"])
@permission_required(MANAGE)
def review_pledge(pledge_id):
    """Review a pledge (点评) and publish the review."""
    pledge = db.session.get(PartyPledge, pledge_id) or abort(404)
    unit = branch_or_404(pledge.unit_id, MANAGE)
    form = ReviewForm(obj=pledge)
    if form.validate_on_submit():
        form.populate_obj(pledge)
        audit("party_building.pledge_reviewed", subject=pledge, unit=unit,
              summary=pledge.quarter)
        db.session.commit()
        flash(_("The review was saved."), "success")
        return _back(unit)
    return render_template("party_building/form.html", branch=unit, form=form,
                           title=_("Review of the pledge"), intro=pledge.pledge,
                           pages=branch_pages(unit))


@bp.route("/branch/<int:unit_id>/pairings", methods=["POST"])
@permission_required(MANAGE)
def new_pairing(unit_id):
    """Pair a member with a household in need."""
    unit = branch_or_404(unit_id, MANAGE)
    form = PairingForm(prefix="p")
    form.member.choices = _member_choices(unit)
    if not form.validate_on_submit():
        _refused(form)
        return _back(unit)
    pairing = PartyPairing(unit_id=unit.id, member_id=form.member.data,
                           household=form.household.data, started_on=form.started_on.data)
    db.session.add(pairing)
    db.session.flush()
    audit("party_building.paired", subject=pairing, unit=unit, summary=pairing.household)
    db.session.commit()
    flash(_("The pairing was recorded."), "success")
    return _back(unit)


@bp.route("/pairing/<int:pairing_id>/visit", methods=["GET", "POST"])
@permission_required(MANAGE)
def new_visit(pairing_id):
    """Record a visit to a paired household."""
    pairing = db.session.get(PartyPairing, pairing_id) or abort(404)
    unit = branch_or_404(pairing.unit_id, MANAGE)
    form = VisitForm()
    if form.validate_on_submit():
        db.session.add(PartyVisit(unit_id=unit.id, pairing_id=pairing.id, on=form.on.data,
                                  note=form.note.data or ""))
        audit("party_building.visited", subject=pairing, unit=unit, summary=pairing.household)
        db.session.commit()
        flash(_("The visit was recorded."), "success")
        return _back(unit)
    return render_template("party_building/form.html", branch=unit, form=form,
                           title=_("Visit to %(household)s", household=pairing.household),
                           pages=branch_pages(unit))


@bp.route("/branch/<int:unit_id>/registrations", methods=["POST"])
@permission_required(MANAGE)
def new_registration(unit_id):
    """双报到: a member registered with their community."""
    unit = branch_or_404(unit_id, MANAGE)
    form = RegistrationForm(prefix="r")
    form.member.choices = _member_choices(unit)
    if not form.validate_on_submit():
        _refused(form)
        return _back(unit)
    row = PartyRegistration(unit_id=unit.id, member_id=form.member.data,
                            community=form.community.data,
                            registered_on=form.registered_on.data)
    db.session.add(row)
    db.session.flush()
    audit("party_building.registered", subject=row, unit=unit, summary=row.community)
    db.session.commit()
    flash(_("The registration was recorded."), "success")
    return _back(unit)


@bp.route("/plan")
@permission_required("party_building.view_plan")
def my_plan():
    """For every member: the plans of their branches and the published pledges and reviews."""
    year = _year()
    scope = unit_ids_where("party_building.view_plan")
    page = paginate(select(PartyPlanItem).where(PartyPlanItem.unit_id.in_(scope),
                                                PartyPlanItem.year == year)
                    .order_by(PartyPlanItem.due_on, PartyPlanItem.id))
    pledges = db.session.scalars(
        select(PartyPledge).options(joinedload(PartyPledge.member))
        .where(PartyPledge.unit_id.in_(scope), PartyPledge.published_on.is_not(None),
               PartyPledge.quarter.startswith(str(year)))
        .order_by(PartyPledge.quarter, PartyPledge.id).limit(200)).all()
    units = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(
        {i.unit_id for i in page.items} | {p.unit_id for p in pledges} or {-1}))).all())
    return render_template("party_building/my_plan.html", page=page, pledges=pledges,
                           units=units, parts=dict(PARTS), year=year)
