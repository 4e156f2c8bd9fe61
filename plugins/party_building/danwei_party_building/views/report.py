"""The secretary's annual report (述职报告): drafted from the year's records in the structure of
篇七 — duty, education and management, meetings, development, rules, conduct, service,
shortcomings — with the real counts, dates and names, then edited, saved and printed on A4."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.api import audit, db, local_now, permission_required, utcnow

from ..forms import AnnualReportForm
from ..i18n import gettext as _
from ..models import PartyAnnualReport
from ..annual import draft
from . import bp, branch_or_404, branch_pages

WRITE = "party_building.write_report"


def _year_or_404(year):
    if not 2000 <= year <= 2100:
        abort(404)


@bp.route("/branch/<int:unit_id>/report/<int:year>", methods=["GET", "POST"])
@permission_required(WRITE)
def annual_report(unit_id, year):
    """The report as saved, or a fresh draft from the records; the secretary edits and saves."""
    unit = branch_or_404(unit_id, WRITE)
    _year_or_404(year)
    saved = db.session.scalar(select(PartyAnnualReport).where(
        PartyAnnualReport.unit_id == unit.id, PartyAnnualReport.year == year))
    form = AnnualReportForm()
    if form.validate_on_submit():
        if saved is None:
            saved = PartyAnnualReport(unit_id=unit.id, year=year)
            db.session.add(saved)
        saved.body, saved.updated_at, saved.updated_by = (form.body.data, utcnow(),
                                                          current_user.id)
        db.session.flush()
        audit("party_building.report_saved", subject=saved, unit=unit, summary=str(year))
        db.session.commit()
        flash(_("The report was saved."), "success")
        return redirect(url_for("party_building.annual_report", unit_id=unit.id, year=year))
    if request.method == "GET":
        fresh = request.args.get("redraft") == "1" or saved is None
        form.body.data = draft(unit, year) if fresh else saved.body
    return render_template("party_building/report.html", branch=unit, year=year, form=form,
                           saved=saved, pages=branch_pages(unit))


@bp.route("/branch/<int:unit_id>/report/<int:year>/print")
@permission_required(WRITE)
def print_report(unit_id, year):
    """The saved report (or the draft) laid out for A4 paper."""
    unit = branch_or_404(unit_id, WRITE)
    _year_or_404(year)
    saved = db.session.scalar(select(PartyAnnualReport).where(
        PartyAnnualReport.unit_id == unit.id, PartyAnnualReport.year == year))
    body = saved.body if saved else draft(unit, year)
    return render_template("party_building/report_print.html", branch=unit, year=year,
                           paragraphs=body.split("\n"), saved=saved,
                           printed_at=local_now().strftime("%Y-%m-%d %H:%M"))
