"""Monthly summaries: the plan comes back as a checklist, the metrics are the department's.

The author of a plan follows its execution and reports it in the summary (line 75): starting
the summary of a month copies every item of the department's plan in force for that month
into the checklist, to be marked done, partly done or not done, with an explanation. The rest
of the summary is the routine work, the duties (line 45) and the department's required
metrics (lines 85–192, :mod:`.catalogue`).
"""

from __future__ import annotations

from sqlalchemy import select

from core.api import Unit, User, audit, db, local_date, utcnow

from . import deadlines as dl
from . import metrics, tracking
from .catalogue import OTHER, Department, department_of_kind
from .i18n import gettext
from .models import DRAFT, SUBMITTED, Plan, Summary, SummaryItem, period_key

PLUGIN = "property_reports"


class SummaryError(Exception):
    """A summary action that the rules refuse; the message says why."""


def department(unit: Unit) -> Department:
    return department_of_kind(unit.kind) or OTHER


def find(unit: Unit, year: int, month: int) -> Summary | None:
    return db.session.scalar(select(Summary).where(Summary.unit_id == unit.id,
                                                   Summary.period == period_key(year, month)))


def start(unit: Unit, year: int, month: int, author: User) -> Summary:
    """Open the summary of ``year-month`` with the plan's items as its checklist."""
    if find(unit, year, month) is not None:
        raise SummaryError(gettext("%(unit)s already has a summary of %(month)s.",
                                   unit=unit.name, month=f"{year}-{month:02d}"))
    deadline = tracking.deadline_for(unit, dl.SUMMARY, year, month)
    summary = Summary(unit=unit, period=period_key(year, month), author=author,
                      due_on=deadline.due)
    plan = db.session.scalar(select(Plan).where(Plan.unit_id == unit.id,
                                                Plan.period == period_key(year, month)))
    version = plan.in_force if plan is not None else None
    if version is not None:
        summary.plan_version = version
        for item in version.items:
            summary.items.append(SummaryItem(plan_item=item, position=item.position,
                                             content=item.content))
    db.session.add(summary)
    audit(f"{PLUGIN}.summary_started", subject=summary, unit=unit,
          summary=f"{unit.name} {year}-{month:02d}",
          data={"plan_version": version.number if version else None,
                "checklist": len(summary.items)})
    return summary


def check_editable(summary: Summary, user: User) -> None:
    if summary.status != DRAFT:
        raise SummaryError(gettext("This summary was submitted on %(day)s and can no longer be "
                                   "changed.", day=local_date(summary.submitted_at)))


def save(summary: Summary, form) -> None:
    """Copy what *form* holds into *summary* (checklist answers, texts, metric values)."""
    summary.routine_work = (form.routine_work.data or "").strip()
    summary.duties = (form.duties.data or "").strip()
    for item, outcome, explanation, unclear in form.checklist_fields():
        item.outcome = outcome.data or None
        item.explanation = (explanation.data or "").strip()
        item.unclear_spec = bool(unclear.data) and item.outcome != "done"
    metrics.store(summary, department(summary.unit), form)


def hand_in(summary: Summary, user: User) -> None:
    """Submit the summary; its completeness is recorded for cadre evaluation."""
    summary.status = SUBMITTED
    summary.submitted_at, summary.submitted_by = utcnow(), user
    summary.completeness = metrics.completeness(
        department(summary.unit), metrics.values_of(summary), summary.items)
