"""Printing for filing (issue 18 §12): a plan and a summary on the company's form sample (表样).

Line 63 asks that plans follow the company's "unified format and form sample", and line 69
that every plan states who prepared and who approved it, when, and the review record: the
printed sheet has those as signature boxes, filled from the record and left blank for the
hand signature, on A4. Specifications print from their own page (print CSS).
"""

from __future__ import annotations

from flask import render_template

from core.api import permission_required

from .. import metrics, summarising, versions
from . import PLUGIN, bp
from .plans import _visible_version
from .summaries import _visible


@bp.route("/plans/v/<int:version_id>/print")
@permission_required(f"{PLUGIN}.view")
def print_plan(version_id: int):
    version = _visible_version(version_id)
    return render_template("property_reports/print_plan.html", version=version,
                           plan=version.plan, labels=versions.PLAN_ITEM_LABELS,
                           spec_text=versions.spec_text)


@bp.route("/summaries/<int:summary_id>/print")
@permission_required(f"{PLUGIN}.view")
def print_summary(summary_id: int):
    summary = _visible(summary_id)
    dept = summarising.department(summary.unit)
    return render_template("property_reports/print_summary.html", summary=summary, dept=dept,
                           rows=metrics.rows(dept, metrics.values_of(summary)))
