"""Two simple registers: the holiday and key-period duty roster with the leader on call and the
handover note (seed line 473), and the boiler-room access and operating log (lines 670–694)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.api import (
    DateField,
    Unit,
    audit,
    db,
    is_working_day,
    local_today,
    paginate,
    permission_required,
    require,
    unit_ids_where,
    utcnow,
)

from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import LogEntry
from . import bp

P = "hospital_safety"
KINDS = {"duty": (_l("Duty roster"), _l("Leader on call"), f"{P}.manage_duty"),
         "boiler": (_l("Boiler-room log"), _l("Shift"), f"{P}.boiler_log")}


class LogForm(FlaskForm):
    unit = SelectField(_l("Unit"), coerce=int, validators=[InputRequired()])
    day = DateField(_l("Day"), validators=[InputRequired()])
    person = StringField(_l("Person"), validators=[DataRequired(), Length(max=64)])
    second = StringField(_l("Leader on call / shift"), validators=[Optional(), Length(max=64)])
    note = StringField(_l("Handover note / operation"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Add"))


def log_page(kind):
    title, second_label, permission = KINDS[kind]
    form = LogForm()
    form.second.label.text = second_label
    units = db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids_where(permission)))
                               .order_by(Unit.path)).all()
    form.unit.choices = [(u.id, u.name) for u in units]
    if request.method == "GET":
        form.day.data = local_today()
    if request.method == "POST":
        if not units:
            abort(403)
        if form.validate_on_submit():
            unit = db.session.get(Unit, form.unit.data)
            require(permission, unit)
            row = LogEntry(unit_id=unit.id, kind=kind, day=form.day.data,
                           person=form.person.data.strip(),
                           second=(form.second.data or "").strip(),
                           note=(form.note.data or "").strip(), by_id=current_user.id,
                           at=utcnow())
            db.session.add(row)
            db.session.flush()
            audit(f"{P}.{kind}_logged", subject=row, unit=unit, summary=row.person)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for(f".{kind}"))
    rows = paginate(select(LogEntry).options(joinedload(LogEntry.unit))
                    .where(LogEntry.unit_id.in_(unit_ids_where(f"{P}.view")),
                           LogEntry.kind == kind)
                    .order_by(LogEntry.day.desc(), LogEntry.id.desc()))
    return render_template("hospital_safety/logs.html", rows=rows, kind=kind, title=title,
                           second_label=second_label, form=form if units else None,
                           holidays={r.id: not is_working_day(r.day) for r in rows}), (
        400 if form.errors else 200)


@bp.route("/duty/", methods=["GET", "POST"])
@permission_required(f"{P}.view")
def duty():
    """The duty roster: who is on duty, the leader on call, the handover note."""
    return log_page("duty")


@bp.route("/boiler/", methods=["GET", "POST"])
@permission_required(f"{P}.view")
def boiler():
    """The boiler-room access and operating log."""
    return log_page("boiler")
