"""Certificates with their expiry (warned 60 days ahead) and penalties proposed from the
register and decided by the safety committee (seed lines 497, 539–543)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from core.api import (
    DateField,
    Unit,
    audit,
    can,
    db,
    get_setting,
    local_today,
    paginate,
    permission_required,
    require,
    unit_ids_where,
    utcnow,
)

from ..forms import choices
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import Certificate, Hazard, Penalty
from . import bp

P = "hospital_safety"
PENALTY_KINDS = {"hazard": _l("Notified hazard"), "accident": _l("Safety accident")}


class CertificateForm(FlaskForm):
    unit = SelectField(_l("Department"), coerce=int, validators=[InputRequired()])
    holder = StringField(_l("Holder"), validators=[DataRequired(), Length(max=64)])
    kind = StringField(_l("Certificate"), validators=[DataRequired(), Length(max=64)])
    number = StringField(_l("Number"), validators=[Optional(), Length(max=64)])
    expires_on = DateField(_l("Expires on"), validators=[InputRequired()])
    submit = SubmitField(_l("Add the certificate"))


class PenaltyForm(FlaskForm):
    unit = SelectField(_l("Department"), coerce=int, validators=[InputRequired()])
    kind = SelectField(_l("For"), choices=choices(PENALTY_KINDS))
    hazard = IntegerField(_l("Hazard number in the register"),
                          validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    person = StringField(_l("Person responsible"), validators=[DataRequired(), Length(max=64)])
    amount = IntegerField(_l("Fine (yuan)"), validators=[InputRequired(),
                                                         NumberRange(min=1, max=100000)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    veto = BooleanField(_l("One-vote veto of this year's awards"))
    submit = SubmitField(_l("Propose"))


def units_where(permission):
    return db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids_where(permission)))
                              .order_by(Unit.path)).all()


@bp.route("/certificates/", methods=["GET", "POST"])
@permission_required(f"{P}.view")
def certificates():
    """Special-operation certificates; those expiring within the warning period first."""
    form = CertificateForm()
    form.unit.choices = [(u.id, u.name) for u in units_where(f"{P}.manage_certificates")]
    if request.method == "POST":
        if not form.unit.choices:
            abort(403)
        if form.validate_on_submit():
            unit = db.session.get(Unit, form.unit.data)
            require(f"{P}.manage_certificates", unit)
            row = Certificate(unit_id=unit.id, holder=form.holder.data.strip(),
                              kind=form.kind.data.strip(), number=(form.number.data or "").strip(),
                              expires_on=form.expires_on.data)
            db.session.add(row)
            db.session.flush()
            audit(f"{P}.certificate_added", subject=row, unit=unit, summary=row.kind)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(".certificates"))
    rows = paginate(select(Certificate).options(joinedload(Certificate.unit))
                    .where(Certificate.unit_id.in_(unit_ids_where(f"{P}.view")))
                    .order_by(Certificate.expires_on, Certificate.id))
    today = local_today()
    warn = {c.id: c.expires_on <= today + timedelta(
        days=get_setting(P, "certificate_warn_days", c.unit)) for c in rows}
    return render_template("hospital_safety/certificates.html", rows=rows, warn=warn,
                           today=today, form=form if form.unit.choices else None)


@bp.route("/penalties/", methods=["GET", "POST"])
@permission_required(f"{P}.view")
def penalties():
    """Fines proposed from the register and the committee's decisions."""
    form = PenaltyForm()
    form.unit.choices = [(u.id, u.name) for u in units_where(f"{P}.propose_penalties")]
    if request.method == "POST":
        if not form.unit.choices:
            abort(403)
        if form.validate_on_submit():
            unit = db.session.get(Unit, form.unit.data)
            require(f"{P}.propose_penalties", unit)
            low = get_setting(P, f"fine_{form.kind.data}_min", unit)
            high = get_setting(P, f"fine_{form.kind.data}_max", unit)
            hazard = db.session.get(Hazard, form.hazard.data) if form.hazard.data else None
            if not low <= form.amount.data <= high:
                form.amount.errors = [_("Between %(low)d and %(high)d yuan each time.",
                                        low=low, high=high)]
            elif form.hazard.data and (hazard is None or not can(f"{P}.view", hazard.unit)
                                       or hazard.state == "reported"):
                form.hazard.errors = [_("No notified hazard with this number.")]
            else:
                row = Penalty(unit_id=unit.id, kind=form.kind.data,
                              hazard_id=hazard.id if hazard else None,
                              person=form.person.data.strip(), amount=form.amount.data,
                              reason=form.reason.data.strip(), veto=form.veto.data,
                              proposed_by_id=current_user.id, proposed_at=utcnow())
                db.session.add(row)
                db.session.flush()
                audit(f"{P}.penalty_proposed", subject=row, unit=unit,
                      summary=f"{row.person} {row.amount}")
                db.session.commit()
                flash(_("The penalty was proposed to the committee."), "success")
                return redirect(url_for(".penalties"))
    rows = paginate(select(Penalty).options(joinedload(Penalty.unit))
                    .where(Penalty.unit_id.in_(unit_ids_where(f"{P}.view")))
                    .order_by(Penalty.proposed_at.desc(), Penalty.id.desc()))
    return render_template("hospital_safety/penalties.html", rows=rows, kinds=PENALTY_KINDS,
                           form=form if form.unit.choices else None), (
        400 if form.errors else 200)


@bp.route("/penalties/<int:penalty_id>/decide", methods=["POST"])
@permission_required(f"{P}.decide_penalties")
def decide_penalty(penalty_id):
    """The committee decides the penalty."""
    return verdict_on(penalty_id, "decide")


@bp.route("/penalties/<int:penalty_id>/reject", methods=["POST"])
@permission_required(f"{P}.decide_penalties")
def reject_penalty(penalty_id):
    """The committee rejects the proposal."""
    return verdict_on(penalty_id, "reject")


def verdict_on(penalty_id, verdict):
    """The committee decides a proposed penalty (once)."""
    row = db.session.scalar(select(Penalty).where(Penalty.id == penalty_id).with_for_update()
                            ) or abort(404)
    require(f"{P}.decide_penalties", row.unit)
    if row.state != "proposed":
        flash(_("This penalty was already decided."), "danger")
        return redirect(url_for(".penalties")), 303
    row.state = "decided" if verdict == "decide" else "rejected"
    row.decided_by_id, row.decided_at = current_user.id, utcnow()
    audit(f"{P}.penalty_{row.state}", subject=row, unit=row.unit, summary=row.person)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".penalties"))
