"""The school's timetable and the numbers of the regulation, edited by the school office."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from core.api import (
    Unit,
    arg_int,
    contact_channels,
    db,
    permission_required,
    set_setting,
    unit_ids_where,
)

from .. import parents, school
from ..forms import SettingsForm
from ..i18n import lazy_gettext as _l
from . import bp

KEYS = ("monitor_max_periods", "class_teacher_max_days", "grade_max_days",
        "parent_call_advance_hours", "timetable", "exam_windows", *parents.TEXT_SETTINGS.values())


@bp.route("/settings", methods=["GET", "POST"])
@permission_required("school_leave.manage_timetable")
def settings():
    """Timetable, exam periods and the thresholds of the chain table, for one school."""
    schools = db.session.scalars(
        select(Unit).where(Unit.id.in_(unit_ids_where("school_leave.manage_timetable")))
        .order_by(Unit.depth, Unit.path)).all()
    wanted = arg_int("unit", args=request.values)
    unit = next((u for u in schools if u.id == wanted), schools[0])
    form = SettingsForm()
    if not form.is_submitted():
        for key in KEYS:
            value = school.setting(key, unit)
            getattr(form, key).data = f"{value:g}" if isinstance(value, float) else str(value)
    if form.validate_on_submit():
        for key in KEYS:
            raw = getattr(form, key).data
            kind = SettingsForm.NUMBERS.get(key)
            value = kind(raw) if kind else (raw or "").replace("\r\n", "\n").strip()
            if value != school.setting(key, unit):
                set_setting(school.PLUGIN, key, value, unit)
        db.session.commit()
        flash(_l("The timetable and rules of %(unit)s were saved.", unit=unit.name), "success")
        return redirect(url_for("school_leave.settings", unit=unit.id))
    periods, _ = school.parse_timetable(school.setting("timetable", unit))
    return render_template("school_leave/settings.html", form=form, unit=unit, schools=schools,
                           periods=periods, kinds=school.SLOT_KINDS,
                           channels=contact_channels(unit), message_fields=[
                               getattr(form, key) for key in parents.TEXT_SETTINGS.values()],
                           ), 200 if not form.errors else 422
