"""The daily class log and the Friday reconciliation, page by page."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.api import (
    Unit,
    arg_int,
    audit,
    can,
    current_unit,
    db,
    local_now,
    notify,
    permission_required,
    require,
    unit_ids_where,
)

from .. import classlog, leaves, people
from ..forms import LogEntryForm, ReconcileForm, choices
from ..i18n import lazy_gettext as _l
from ..models import LogEntry, LogReport, Reconciliation
from . import bp


def _classes(permission: str) -> list[Unit]:
    return list(db.session.scalars(
        select(Unit).where(Unit.id.in_(unit_ids_where(permission)), Unit.kind == "class")
        .order_by(Unit.path)))


def _pick_class(permission: str) -> tuple[Unit, list[Unit]]:
    """The class asked for (or the current one, or the first one may see)."""
    classes = _classes(permission)
    wanted = arg_int("unit", args=request.values)
    here = current_unit()
    for unit in classes:
        if unit.id == wanted:
            return unit, classes
    if wanted:
        abort(404)
    for unit in classes:
        if here is not None and unit.id == here.id:
            return unit, classes
    if not classes:
        abort(404)
    return classes[0], classes


def _day_arg(name: str = "day") -> date:
    raw = request.values.get(name)
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        day = None
    # The first and the last year of the calendar overflow when the day becomes UTC times.
    if day is None or not MINYEAR < day.year < MAXYEAR:
        return local_now().date()
    return day


@bp.route("/log", methods=["GET", "POST"])
@permission_required("school_leave.keep_log")
def log_day():
    """One class, one day: who is on leave (by itself) and what the duty cadre noted."""
    unit, classes = _pick_class("school_leave.keep_log")
    day = _day_arg()
    form = LogEntryForm()
    form.student.choices = choices((s.id, s.name) for s in people.students_of(unit))
    if form.validate_on_submit():
        exists = db.session.scalar(select(LogEntry).where(
            LogEntry.student_id == form.student.data, LogEntry.day == day,
            LogEntry.kind == form.kind.data))
        if exists is not None:
            form.kind.errors.append(_l("Already in today's log."))
        else:
            entry = LogEntry(unit_id=unit.id, day=day, student_id=form.student.data,
                             kind=form.kind.data, period=(form.period.data or "").strip(),
                             note=(form.note.data or "").strip(),
                             recorded_by_id=current_user.id)
            db.session.add(entry)
            audit("school_leave.log_entry", subject=entry, unit=unit,
                  summary=f"{day} {entry.kind} #{entry.student_id}")
            db.session.commit()
            flash(_l("Added to the log."), "success")
            return redirect(url_for("school_leave.log_day", unit=unit.id, day=day.isoformat()))
    view = classlog.day_view(unit, day)
    report = db.session.scalar(select(LogReport).where(LogReport.unit_id == unit.id,
                                                       LogReport.day == day))
    return render_template("school_leave/log_day.html", unit=unit, classes=classes, day=day,
                           view=view, form=form, report=report,
                           previous=day - timedelta(days=1), following=day + timedelta(days=1)
                           ), 200 if not form.errors else 422


@bp.route("/log/<int:entry_id>/delete", methods=["POST"])
@permission_required("school_leave.keep_log")
def delete_entry(entry_id: int):
    """Take back a line of the log written by mistake."""
    entry = db.session.get(LogEntry, entry_id)
    if entry is None:
        abort(404)
    unit = db.session.get(Unit, entry.unit_id)
    require("school_leave.keep_log", unit)
    audit("school_leave.log_entry_removed", subject=entry, unit=unit,
          summary=f"{entry.day} {entry.kind} #{entry.student_id}")
    db.session.delete(entry)
    db.session.commit()
    flash(_l("Removed from the log."), "info")
    return redirect(url_for("school_leave.log_day", unit=unit.id, day=entry.day.isoformat()))


@bp.route("/log/report", methods=["POST"])
@permission_required("school_leave.keep_log")
def report_day():
    """The duty cadre reports the day's log to the class teacher (line 15)."""
    unit, _ = _pick_class("school_leave.keep_log")
    day = _day_arg()
    if db.session.scalar(select(LogReport).where(LogReport.unit_id == unit.id,
                                                 LogReport.day == day)) is None:
        report = LogReport(unit_id=unit.id, day=day, reported_by_id=current_user.id)
        db.session.add(report)
        audit("school_leave.log_reported", subject=report, unit=unit, summary=f"{day}")
        view = classlog.day_view(unit, day)
        notify(leaves.class_teachers(unit, current_user._get_current_object()),
               str(_l("Class log of %(day)s: %(n)d entries, %(u)d not covered by leave",
                      day=day.isoformat(), n=len(view.entries), u=len(view.uncovered))),
               link=url_for("school_leave.log_day", unit=unit.id, day=day.isoformat()),
               plugin="school_leave")
        db.session.commit()
    flash(_l("The log was reported to the class teacher."), "success")
    return redirect(url_for("school_leave.log_day", unit=unit.id, day=day.isoformat()))


@bp.route("/reconcile", methods=["GET", "POST"])
@permission_required("school_leave.reconcile")
def reconcile():
    """Friday: the week's slips against the log, discrepancies first, then the sign-off."""
    unit, classes = _pick_class("school_leave.reconcile")
    monday = classlog.monday_of(_day_arg("week"))
    week = classlog.week_view(unit, monday)
    form = ReconcileForm()
    may_sign = can("school_leave.sign_reconciliation", unit)
    if request.method == "POST" and week.signed is not None:
        # Signed already (perhaps by another tab): say so rather than show the form's errors.
        flash(_l("This week was already signed off."), "warning")
        return redirect(url_for("school_leave.reconcile", unit=unit.id, week=monday.isoformat()))
    if form.validate_on_submit():
        if not may_sign:
            abort(404)
        if week.signed is None:
            signed = Reconciliation(unit_id=unit.id, week_start=monday,
                                    discrepancies=len(week.discrepancies),
                                    note=(form.note.data or "").strip(),
                                    signed_by_id=current_user.id)
            db.session.add(signed)
            audit("school_leave.reconciled", subject=signed, unit=unit,
                  summary=f"{unit.code} week of {monday}: {len(week.slips)} slips, "
                          f"{len(week.discrepancies)} discrepancies",
                  data={"slips": [lv.id for lv in week.slips],
                        "discrepancies": [d.message for d in week.discrepancies]})
            db.session.commit()
            flash(_l("The week was signed off."), "success")
        return redirect(url_for("school_leave.reconcile", unit=unit.id, week=monday.isoformat()))
    return render_template("school_leave/reconcile.html", week=week, unit=unit, classes=classes,
                           form=form, may_sign=may_sign,
                           previous=monday - timedelta(days=7), following=monday + timedelta(days=7))
