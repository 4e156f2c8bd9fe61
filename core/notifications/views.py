"""The notification inbox, and the delivery log of the outside channels for administrators."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select, update

from ..access import login_required_only, permission_required
from ..args import arg_int
from ..auth import safe_next
from ..extensions import db
from ..i18n import gettext as _
from ..models import utcnow
from . import FAILED, PENDING, Delivery, Notification, inbox_query, mark_read, unread_count

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@login_required_only
def index():
    """The current user's notifications, newest first."""
    unread_only = request.args.get("show") == "unread"
    plugin = request.args.get("plugin") or None
    page = db.paginate(
        inbox_query(current_user, unread_only, plugin),
        page=arg_int("page", 1),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    plugins = db.session.scalars(
        select(Notification.plugin).where(Notification.user_id == current_user.id).distinct()
    ).all()
    return render_template(
        "notifications/index.html", page=page, unread_only=unread_only, plugin=plugin,
        plugins=sorted(plugins), unread=unread_count(current_user),
    )


@bp.route("/<int:note_id>/open", methods=["POST"])
@login_required_only
def open_(note_id):
    """Mark one notification read and go where it points."""
    note = db.session.get(Notification, note_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    mark_read(current_user, [note.id])
    db.session.commit()
    return redirect(safe_next(note.link) if note.link else url_for(".index"))


@bp.route("/read", methods=["POST"])
@login_required_only
def read():
    """Mark the chosen notifications read, or all of them."""
    if request.form.get("all"):
        count = mark_read(current_user)
    else:
        ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
        count = mark_read(current_user, ids) if ids else 0
    db.session.commit()
    flash(_("%(n)d notifications marked read.", n=count), "success")
    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for(".index"))


@bp.route("/deliveries")
@permission_required("core.manage_notifications")
def deliveries():
    """E-mails and webhook messages: queued, sent, failed, with each attempt."""
    status = request.args.get("status") or None
    query = select(Delivery).order_by(Delivery.id.desc())
    if status:
        query = query.where(Delivery.status == status)
    page = db.paginate(query, page=arg_int("page", 1),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("notifications/deliveries.html", page=page, status=status)


@bp.route("/deliveries/<int:delivery_id>/retry", methods=["POST"])
@permission_required("core.manage_notifications")
def retry(delivery_id):
    """Queue a failed delivery again, now."""
    from ..audit import record

    done = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == FAILED)
        .values(status=PENDING, attempts=0, next_attempt_at=utcnow(), claimed_until=None)
    ).rowcount
    if not done:
        abort(404)
    record("core.delivery_retried", subject=("delivery", delivery_id),
           summary=f"delivery {delivery_id} queued again")
    db.session.commit()
    flash(_("The message is queued again."), "success")
    return redirect(url_for(".deliveries", status=FAILED))
