"""The printable slip (two copies and a QR code) and the guard's check at the gate."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.api import (
    can,
    db,
    local_today,
    login_required_only,
    permission_required,
    unit_ids_where,
    utcnow,
)

from .. import approval, leaves, people, slip
from ..i18n import lazy_gettext as _l
from ..models import APPROVED, Leave, ParentCall
from . import bp
from .apply import _leave_or_404


@bp.route("/leave/<int:leave_id>/slip")
@login_required_only
def print_slip(leave_id: int):
    """The A5 slip: class committee copy and class teacher copy (line 33), each with the QR."""
    leave = _leave_or_404(leave_id)
    url = url_for("school_leave.check", token=slip.token(leave), _external=True)
    calls = db.session.scalars(select(ParentCall).where(ParentCall.leave_id == leave.id)
                               .order_by(ParentCall.called_at)).all()
    private = people.may_see_private(leave.student, current_user)
    return render_template("school_leave/slip.html", leave=leave, qr=slip.qr_data_uri(url),
                           url=url, steps=approval.signatures(leave), calls=calls,
                           due_back=leaves.effective_end(leave.root),
                           no_pass=leaves.exit_refusal(leave), private=private)


@bp.route("/gate")
@permission_required("school_leave.verify_slip")
def gate():
    """The guard's page: the scanner, who is out and when they are due back, who may go out
    today."""
    return render_template("school_leave/gate.html", **leaves.gate_lists())


@bp.route("/gate/today")
@permission_required("school_leave.verify_slip")
def gate_today():
    """Today's approved exits on A4, for the gate when the network is down: the guard checks
    the student against this list and writes the times by hand."""
    return render_template("school_leave/gate_today.html", day=local_today(),
                           printed=utcnow(), **leaves.gate_lists(limit=500))


@bp.route("/gate/code", methods=["POST"])
@permission_required("school_leave.verify_slip")
def gate_code():
    """Check a slip by pasting or typing its code (when the phone cannot open the link)."""
    raw = (request.form.get("code") or "").strip()
    if "/check/" in raw:
        raw = raw.rsplit("/check/", 1)[1]
    if not raw:
        flash(_l("Scan the QR code on the slip, or paste its link."), "warning")
        return redirect(url_for("school_leave.gate"))
    return redirect(url_for("school_leave.check", token=raw))


def _verdict_in_scope(token: str) -> slip.Verdict:
    verdict = slip.verify(token)
    # A guard of another school learns nothing about this school's leave.
    if verdict.leave is not None and not can("school_leave.verify_slip", verdict.leave.unit):
        return slip.Verdict(False, str(_l("This slip is not from your school.")))
    return verdict


@bp.route("/check/<token>")
@permission_required("school_leave.verify_slip")
def check(token: str):
    """What the QR code opens: is this slip fully signed and valid right now?"""
    verdict = _verdict_in_scope(token)
    # An invalid slip is a page like any other: the verdict is what it says, in red.
    return render_template("school_leave/check.html", verdict=verdict, token=token)


@bp.route("/check/<token>/<any(exit, return):event>", methods=["POST"])
@permission_required("school_leave.verify_slip")
def gate_event(token: str, event: str):
    """The guard records that the student went out, or came back."""
    verdict = _verdict_in_scope(token)
    leave = verdict.leave
    if event == "exit" and verdict.may_exit:
        try:
            leaves.record_exit(leave.root, current_user._get_current_object(), utcnow())
        except ValueError as refused:  # the rules refuse it, whatever the verdict said
            flash(_l("Nothing recorded: %(why)s", why=str(refused)), "danger")
            return redirect(url_for("school_leave.check", token=token))
        flash(_l("Exit recorded for %(name)s.", name=leave.student.name), "success")
    elif event == "return" and verdict.may_return:
        leaves.record_return(leave, current_user._get_current_object(), utcnow())
        flash(_l("Return recorded for %(name)s.", name=leave.student.name), "success")
    else:
        flash(_l("Nothing recorded: %(why)s", why=verdict.reason), "danger")
        return redirect(url_for("school_leave.check", token=token))
    db.session.commit()
    return redirect(url_for("school_leave.check", token=token))


__all__ = ["APPROVED"]
