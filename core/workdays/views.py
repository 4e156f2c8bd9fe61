"""The calendar page: everyone may read the year's holidays; administrators edit them."""

from __future__ import annotations

import textwrap
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..access import can_anywhere, login_required_only, permission_required
from ..args import arg_int
from ..audit import record
from ..extensions import db
from ..forms import DateField
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..localtime import local_today
from . import (
    BUILTIN,
    HOLIDAY,
    WORKDAY,
    Holiday,
    forget_cache,
    holidays_of,
    import_year,
    parse_lines,
    working_days_between,
)

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

PERMISSION = "core.manage_calendar"


class HolidayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(HOLIDAY, _l("Holiday (day off)")),
                 SelectChoice(WORKDAY, _l("Make-up working day (调休)"))],
    )
    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)],
                       description=_l("e.g. 春节, 国庆节调休"))
    provisional = BooleanField(_l("Provisional (not yet officially announced)"))
    submit = SubmitField(_l("Save"))


class ImportForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    lines = TextAreaField(
        _l("Days"), validators=[DataRequired()], render_kw={"rows": 14},
        description=_l("One line per day or range: 2026-10-01..2026-10-07 holiday 国庆节, or "
                       "2026-10-10 workday 国庆节调休. Lines starting with # are ignored."),
    )
    replace = BooleanField(_l("Replace every entry of that year"), default=True)
    provisional = BooleanField(_l("Mark as provisional"))
    submit = SubmitField(_l("Import"))


def _year() -> int:
    return arg_int("year", local_today().year, high=9999)


@bp.route("/")
@login_required_only
def index():
    """The holidays and make-up working days of one year."""
    year = _year()
    if not 2000 <= year <= 2100:
        abort(404)
    rows = holidays_of(year)
    return render_template(
        "calendar/index.html",
        year=year,
        rows=rows,
        working_days=working_days_between(date(year, 1, 1), date(year + 1, 1, 1)),
        provisional=any(r.provisional for r in rows),
        may_edit=can_anywhere(PERMISSION),
        builtin=year in BUILTIN,
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required(PERMISSION)
def create():
    """Add a holiday or a make-up working day."""
    form = HolidayForm()
    if form.validate_on_submit():
        if db.session.scalar(db.select(Holiday).where(Holiday.day == form.day.data)):
            form.day.errors.append(_("This date is already in the calendar; edit it instead."))
        else:
            row = Holiday()
            form.populate_obj(row)
            db.session.add(row)
            record("core.holiday_added", subject=row, summary=f"{row.day} {row.kind} {row.name}")
            db.session.commit()
            forget_cache()
            flash(_("%(day)s added to the calendar.", day=row.day.isoformat()), "success")
            return redirect(url_for(".index", year=row.day.year))
    elif request.method == "GET" and request.args.get("day"):
        try:
            form.day.data = date.fromisoformat(request.args["day"])
        except ValueError:
            pass
    return render_template("calendar/edit.html", form=form, row=None)


@bp.route("/<int:holiday_id>", methods=["GET", "POST"])
@permission_required(PERMISSION)
def edit(holiday_id):
    """Change one entry."""
    row = db.get_or_404(Holiday, holiday_id)
    form = HolidayForm(obj=row)
    if form.validate_on_submit():
        clash = db.session.scalar(
            db.select(Holiday).where(Holiday.day == form.day.data, Holiday.id != row.id)
        )
        if clash:
            form.day.errors.append(_("This date is already in the calendar; edit it instead."))
        else:
            before = f"{row.day} {row.kind} {row.name}"
            form.populate_obj(row)
            record("core.holiday_changed", subject=row,
                   summary=f"{before} → {row.day} {row.kind} {row.name}")
            db.session.commit()
            forget_cache()
            flash(_("%(day)s saved.", day=row.day.isoformat()), "success")
            return redirect(url_for(".index", year=row.day.year))
    return render_template("calendar/edit.html", form=form, row=row)


@bp.route("/<int:holiday_id>/delete", methods=["POST"])
@permission_required(PERMISSION)
def delete(holiday_id):
    """Remove one entry: the day follows the weekly rhythm again."""
    row = db.get_or_404(Holiday, holiday_id)
    record("core.holiday_deleted", subject=row, summary=f"{row.day} {row.kind} {row.name}")
    db.session.delete(row)
    db.session.commit()
    forget_cache()
    flash(_("%(day)s removed from the calendar.", day=row.day.isoformat()), "success")
    return redirect(url_for(".index", year=row.day.year))


@bp.route("/import", methods=["GET", "POST"])
@permission_required(PERMISSION)
def import_():
    """Import a year's holidays as text (as published in the State Council notice)."""
    form = ImportForm()
    if request.method == "GET":
        year = _year()
        form.year.data = year
        if year in BUILTIN:
            provisional, text = BUILTIN[year]
            form.lines.data = textwrap.dedent(text).strip()
            form.provisional.data = provisional
    if form.validate_on_submit():
        entries, problems = parse_lines(form.lines.data)
        problems += [
            _("%(day)s is not in %(year)d.", day=day.isoformat(), year=form.year.data)
            for day, _kind, _name in entries if day.year != form.year.data
        ][:5]
        days = [day for day, _kind, _name in entries]
        if len(days) != len(set(days)):
            problems.append(_("A date appears twice."))
        if problems:
            form.lines.errors.extend(problems)
        else:
            count = import_year(form.year.data, entries, replace=form.replace.data,
                                provisional=form.provisional.data)
            record("core.holidays_imported", subject=("calendar", form.year.data),
                   summary=f"{count} days imported for {form.year.data}",
                   data={"replace": form.replace.data, "lines": form.lines.data[:4000]})
            db.session.commit()
            forget_cache()
            flash(_("%(n)d days imported for %(year)d.", n=count, year=form.year.data),
                  "success")
            return redirect(url_for(".index", year=form.year.data))
    return render_template("calendar/import.html", form=form)
