"""The branch: its dashboard, its members (with transfers and pay) and the common helpers of
every page of the plugin. The other pages register on the same blueprint from their modules
(development, meetings, dues, confidential, plan, annual report)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from core.api import (Unit, User, arg_int, audit, can, db, local_today, paginate,
                      permission_holders, permission_required, request_cache, require,
                      unit_ids_where)

from ..forms import STATUS_LABELS, MemberForm, PayForm, TransferForm
from ..i18n import gettext as _
from ..models import OUT, PartyMember, PartyPayChange, PartyPayment, PartyTransfer
from ..rules import CATEGORY_LABELS, FARMER, monthly_dues
from ..records import active_members  # noqa: F401  (the pages of the package use it)
from ..settings import money

bp = Blueprint("party_building", __name__, template_folder="../templates")
BRANCH = "party_branch"


def branch_or_404(unit_id: int, permission: str = "party_building.view") -> Unit:
    """The branch of the URL, if the user holds *permission* there; else 404."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.kind != BRANCH:
        abort(404)
    require(permission, unit)
    return unit


def may_see_integrity(branch: Unit) -> bool:
    """Only the secretary and the discipline member *of this branch* (a role held in the branch
    itself, not above it) see its integrity files: they are confidential (spec section 3)."""
    cache = request_cache("party_building.integrity")
    if branch.id not in cache:
        cache[branch.id] = current_user.is_authenticated and db.session.scalar(
            permission_holders("party_building.view_integrity", branch, include_ancestors=False)
            .where(User.id == current_user.id).limit(1)) is not None
    return cache[branch.id]


def branch_pages(branch: Unit) -> list[tuple]:
    """The branch's sub-navigation, limited to what the user may open."""
    args = {"unit_id": branch.id}
    pages = [("party_building.branch", _("Dashboard"), args),
             ("party_building.members", _("Members"), args),
             ("party_building.development", _("Development"), args),
             ("party_building.meetings", _("Meetings"), args),
             ("party_building.dues", _("Dues"), args),
             ("party_building.plan", _("Plan and pledges"), args)]
    if may_see_integrity(branch):
        pages.append(("party_building.integrity", _("Integrity files"), args))
    if can("party_building.write_report", branch):
        pages.append(("party_building.annual_report", _("Annual report"),
                      {**args, "year": local_today().year}))
    return pages


def member_or_404(member_id: int, permission: str = "party_building.view") -> PartyMember:
    member = db.session.get(PartyMember, member_id) or abort(404)
    branch_or_404(member.unit_id, permission)
    return member


@bp.app_template_filter("pb_date")
def pb_date(value):
    return value.isoformat() if value else "—"


@bp.route("/")
@permission_required("party_building.view")
def index():
    """The branches the user may see, with a search by name."""
    q = request.args.get("q", "").strip()[:100]
    query = (select(Unit).where(Unit.kind == BRANCH,
                                Unit.id.in_(unit_ids_where("party_building.view")))
             .order_by(Unit.path))
    if q:
        query = query.where(Unit.name.contains(q))
    page = paginate(query)
    counts = dict(db.session.execute(
        select(PartyMember.unit_id, func.count(PartyMember.id))
        .where(PartyMember.unit_id.in_([u.id for u in page.items] or [-1]),
               PartyMember.left_on.is_(None))
        .group_by(PartyMember.unit_id)).all())
    return render_template("party_building/index.html", page=page, counts=counts, q=q)


@bp.route("/branch/<int:unit_id>")
@permission_required("party_building.view")
def branch(unit_id):
    """The branch dashboard: meetings overdue with their rule, the pipeline's next clocks,
    dues arrears."""
    from ..dashboard import branch_summary

    unit = branch_or_404(unit_id)
    return render_template("party_building/branch.html", branch=unit,
                           pages=branch_pages(unit), s=branch_summary(unit, local_today()))


@bp.route("/branch/<int:unit_id>/members")
@permission_required("party_building.view")
def members(unit_id):
    """The branch's members; those who left are listed apart."""
    unit = branch_or_404(unit_id)
    q = request.args.get("q", "").strip()[:100]
    left = arg_int("left", 0, low=0, high=1)
    query = select(PartyMember).where(PartyMember.unit_id == unit.id)
    query = query.where(PartyMember.left_on.is_not(None) if left
                        else PartyMember.left_on.is_(None))
    if q:
        query = query.where(or_(PartyMember.name.contains(q),
                                PartyMember.work_unit.contains(q)))
    page = paginate(query.order_by(PartyMember.name, PartyMember.id))
    return render_template("party_building/members.html", branch=unit, page=page, q=q,
                           left=left, statuses=STATUS_LABELS, pages=branch_pages(unit))


@bp.route("/branch/<int:unit_id>/members/new", methods=["GET", "POST"])
@permission_required("party_building.manage_members")
def new_member(unit_id):
    """Add a member record to the branch."""
    unit = branch_or_404(unit_id, "party_building.manage_members")
    form = MemberForm()
    if form.validate_on_submit():
        member = PartyMember(unit_id=unit.id)
        form.populate_obj(member)
        db.session.add(member)
        db.session.flush()
        audit("party_building.member_added", subject=member, unit=unit, summary=member.name)
        db.session.commit()
        flash(_("The member was added."), "success")
        return redirect(url_for("party_building.member", member_id=member.id))
    return render_template("party_building/form.html", branch=unit, form=form,
                           title=_("New member"), pages=branch_pages(unit))


@bp.route("/member/<int:member_id>", methods=["GET", "POST"])
@permission_required("party_building.view")
def member(member_id):
    """A member's record, transfers and pay; the record is edited here."""
    person = member_or_404(member_id)
    unit = person.unit
    editable = can("party_building.manage_members", unit)
    form = MemberForm(obj=person)
    if request.method == "POST":
        require("party_building.manage_members", unit)
        if form.validate_on_submit():
            form.populate_obj(person)
            audit("party_building.member_edited", subject=person, unit=unit, summary=person.name)
            db.session.commit()
            flash(_("The record was saved."), "success")
            return redirect(url_for("party_building.member", member_id=person.id))
    transfers = db.session.scalars(select(PartyTransfer).where(
        PartyTransfer.member_id == person.id).order_by(PartyTransfer.on)).all()
    pays = db.session.scalars(select(PartyPayChange).where(
        PartyPayChange.member_id == person.id).order_by(PartyPayChange.from_month)).all()
    dues = [(p, monthly_dues(unit, p.category, p.pay, person.hardship, p.fixed)) for p in pays]
    year = arg_int("year", local_today().year, low=2000, high=2100)
    statement = yearly_statement(person, pays, year)
    return render_template(
        "party_building/member.html", branch=unit, person=person, form=form, editable=editable,
        transfers=transfers, dues=dues, transfer_form=TransferForm(prefix="t"),
        pay_form=PayForm(prefix="p"), categories=CATEGORY_LABELS, statuses=STATUS_LABELS,
        may_collect=can("party_building.collect_dues", unit), pages=branch_pages(unit),
        year=year, statement=statement,
        total_due=sum(d for _m, d, _p in statement if d is not None),
        total_paid=sum(p for _m, _d, p in statement if p is not None))


def yearly_statement(person, pays, year):
    """The member's dues statement of *year*: (month, due, paid) for each month."""
    paid = dict(db.session.execute(select(PartyPayment.month, PartyPayment.amount).where(
        PartyPayment.member_id == person.id, PartyPayment.month >= date(year, 1, 1),
        PartyPayment.month <= date(year, 12, 1))).all())
    rows = []
    for number_ in range(1, 13):
        month = date(year, number_, 1)
        current = next((p for p in reversed(pays) if p.from_month <= month), None)
        due = (monthly_dues(person.unit, current.category, current.pay, person.hardship,
                            current.fixed) if current else None)
        rows.append((month, due, paid.get(month)))
    return rows


@bp.route("/member/<int:member_id>/transfer", methods=["POST"])
@permission_required("party_building.manage_members")
def transfer(member_id):
    """A dated transfer in or out (组织关系转接); a transfer out ends the membership here."""
    person = member_or_404(member_id, "party_building.manage_members")
    form = TransferForm(prefix="t")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash("; ".join(errors), "danger")
        return redirect(url_for("party_building.member", member_id=person.id))
    db.session.add(PartyTransfer(unit_id=person.unit_id, member_id=person.id,
                                 direction=form.direction.data, on=form.on.data,
                                 other_party=form.other_party.data))
    person.left_on = form.on.data if form.direction.data == OUT else None
    audit("party_building.transferred", subject=person, unit=person.unit, summary=person.name,
          data={"direction": form.direction.data, "on": form.on.data.isoformat()})
    db.session.commit()
    flash(_("The transfer was recorded."), "success")
    return redirect(url_for("party_building.member", member_id=person.id))


@bp.route("/member/<int:member_id>/pay", methods=["POST"])
@permission_required("party_building.collect_dues")
def pay(member_id):
    """From a month on, the member's category and pay: the dues change from that month."""
    person = member_or_404(member_id, "party_building.collect_dues")
    form = PayForm(prefix="p")
    ok = form.validate_on_submit()
    if ok and form.category.data == FARMER:
        low, high = money("farmer_min", person.unit), money("farmer_max", person.unit)
        if form.fixed.data is None or not low <= form.fixed.data <= high:
            form.fixed.errors = [_("A farmer pays between %(low)s and %(high)s yuan a month.",
                                   low=low, high=high)]
            ok = False
    if not ok:
        for errors in form.errors.values():
            flash("; ".join(str(e) for e in errors), "danger")
        return redirect(url_for("party_building.member", member_id=person.id))
    month = form.from_month.data.replace(day=1)
    row = db.session.scalar(select(PartyPayChange).where(
        PartyPayChange.member_id == person.id, PartyPayChange.from_month == month))
    if row is None:
        row = PartyPayChange(unit_id=person.unit_id, member_id=person.id, from_month=month)
        db.session.add(row)
    row.category, row.pay, row.fixed = (form.category.data, form.pay.data or 0,
                                        form.fixed.data)
    audit("party_building.pay_changed", subject=person, unit=person.unit, summary=person.name,
          data={"from": month.isoformat(), "category": row.category})
    db.session.commit()
    flash(_("The pay was saved; dues follow it from %(month)s.", month=month.strftime("%Y-%m")),
          "success")
    return redirect(url_for("party_building.member", member_id=person.id))


from . import confidential, development, dues, meetings, plan, report  # noqa: E402,F401
