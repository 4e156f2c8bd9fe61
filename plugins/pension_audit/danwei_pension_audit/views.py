"""The plugin's pages: the list, one item, and the form that adds one."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from core.api import (audit, current_unit, db, paginate, permission_required, require,
                      unit_ids_where)

from .forms import ItemForm
from .i18n import gettext as _
from .models import PensionAuditItem

bp = Blueprint("pension_audit", __name__, template_folder="templates")


@bp.route("/")
@permission_required("pension_audit.view")
def index():
    """Items of every unit where the user may see them, newest first, filtered in SQL."""
    query = (
        db.select(PensionAuditItem)
        .where(PensionAuditItem.unit_id.in_(unit_ids_where("pension_audit.view")))
        .order_by(PensionAuditItem.created_at.desc(), PensionAuditItem.id.desc())
    )
    return render_template("pension_audit/list.html", items=paginate(query))


@bp.route("/<int:item_id>")
@permission_required("pension_audit.view")
def detail(item_id):
    """One item; 404 for one the user may not see, so that nobody learns it exists."""
    item = db.session.get(PensionAuditItem, item_id) or abort(404)
    require("pension_audit.view", item.unit)
    return render_template("pension_audit/detail.html", item=item)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("pension_audit.edit")
def new():
    """Add an item to the unit the user works in."""
    unit = current_unit()
    require("pension_audit.edit", unit)
    form = ItemForm()
    if form.validate_on_submit():
        item = PensionAuditItem(unit_id=unit.id, title=form.title.data, body=form.body.data or "")
        db.session.add(item)
        db.session.flush()
        audit("pension_audit.created", subject=item, unit=unit, summary=item.title)
        db.session.commit()
        flash(_("The item was saved."), "success")
        return redirect(url_for("pension_audit.detail", item_id=item.id))
    return render_template("pension_audit/form.html", form=form)
