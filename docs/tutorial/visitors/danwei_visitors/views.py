"""The plugin's pages: the register, one visit, the form, and signing a visitor out."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.api import (audit, current_unit, db, paginate, permission_required, require, to_utc,
                      unit_ids_where, utcnow)

from .forms import PURPOSES, VisitForm
from .i18n import gettext as _
from .models import VisitorsVisit

bp = Blueprint("visitors", __name__, template_folder="templates")


@bp.route("/")
@permission_required("visitors.view")
def index():
    """Visits of every unit where the user may see them, newest first, filtered in SQL."""
    search = request.args.get("q", "").strip()[:100]
    query = (
        db.select(VisitorsVisit)
        .where(VisitorsVisit.unit_id.in_(unit_ids_where("visitors.view")))
        .order_by(VisitorsVisit.expected_at.desc(), VisitorsVisit.id.desc())
    )
    if search:
        query = query.where(VisitorsVisit.name.contains(search, autoescape=True))
    return render_template("visitors/list.html", visits=paginate(query), search=search,
                           purposes=PURPOSES)


@bp.route("/<int:visit_id>")
@permission_required("visitors.view")
def detail(visit_id):
    """One visit; 404 for one the user may not see, so that nobody learns it exists."""
    visit = db.session.get(VisitorsVisit, visit_id) or abort(404)
    require("visitors.view", visit.unit)
    return render_template("visitors/detail.html", visit=visit, purposes=PURPOSES)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("visitors.register")
def new():
    """Register a visitor at the unit the user works in."""
    unit = current_unit()
    require("visitors.register", unit)
    form = VisitForm()
    if form.validate_on_submit():
        visit = VisitorsVisit(
            unit_id=unit.id, name=form.name.data, company=form.company.data or "",
            purpose=form.purpose.data, host=form.host.data,
            expected_at=to_utc(form.expected_at.data),  # typed in local time, stored as UTC
            registered_by_id=current_user.id,
        )
        db.session.add(visit)
        db.session.flush()
        audit("visitors.registered", subject=visit, unit=unit, summary=visit.name)
        db.session.commit()
        flash(_("The visitor was registered."), "success")
        return redirect(url_for("visitors.detail", visit_id=visit.id))
    return render_template("visitors/form.html", form=form)


@bp.route("/<int:visit_id>/left", methods=["POST"])
@permission_required("visitors.register")
def left(visit_id):
    """The visitor went out through the gate: note the time, once."""
    visit = db.session.get(VisitorsVisit, visit_id) or abort(404)
    require("visitors.register", visit.unit)
    if visit.left_at is None:
        visit.left_at = utcnow()
        audit("visitors.left", subject=visit, unit=visit.unit, summary=visit.name)
        db.session.commit()
        flash(_("The visitor has left."), "success")
    return redirect(url_for("visitors.detail", visit_id=visit.id))
