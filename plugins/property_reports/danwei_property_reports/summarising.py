"""Monthly summaries: the plan comes back as a checklist, the metrics are the department's.

The author of a plan follows its execution and reports it in the summary (line 75): starting
the summary of a month copies every item of the department's plan in force for that month
into the checklist, to be marked done, partly done or not done, with an explanation. The rest
of the summary is the routine work, the duties (line 45) and the department's required
metrics (lines 85–192, :mod:`.catalogue`).
"""

from __future__ import annotations

import json

from sqlalchemy import select

from core.api import Unit, User, audit, db, local_date, utcnow

from . import deadlines as dl
from . import metrics, tracking
from .catalogue import OTHER, Department, department_of_kind
from .i18n import gettext
from .models import (
    ACCEPTED,
    RETURNED,
    SUBMITTED,
    TEAM,
    Plan,
    Summary,
    SummaryItem,
    SummaryVersion,
    period_key,
)

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
    # The work its teams planned comes back too, marked with the team (issue 18 §14): the
    # department manager approved it and answers for it in the department's summary.
    team_plans = db.session.scalars(
        select(Plan).join(Unit, Unit.id == Plan.unit_id)
        .where(Unit.parent_id == unit.id, Plan.level == TEAM,
               Plan.period == period_key(year, month)).order_by(Unit.name))
    position = len(summary.items)
    for team_plan in team_plans:
        if team_plan.in_force is None:
            continue
        for item in team_plan.in_force.items:
            position += 1
            summary.items.append(SummaryItem(plan_item=item, position=position,
                                             content=f"[{team_plan.unit.name}] {item.content}"))
    db.session.add(summary)
    audit(f"{PLUGIN}.summary_started", subject=summary, unit=unit,
          summary=f"{unit.name} {year}-{month:02d}",
          data={"plan_version": version.number if version else None,
                "checklist": len(summary.items)})
    return summary


def previous(summary: Summary) -> Summary | None:
    """The department's summary of the month before, if handed in."""
    from .models import HANDED_IN

    year, month = dl.add_months(summary.year, summary.month, -1)
    return db.session.scalar(select(Summary).where(
        Summary.unit_id == summary.unit_id, Summary.period == period_key(year, month),
        Summary.status.in_(HANDED_IN)))


def check_editable(summary: Summary, user: User) -> None:
    if not summary.editable:
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


def hand_in(summary: Summary, user: User, note: str = "") -> None:
    """Submit the summary for review, keeping what it says as a new version.

    Timeliness counts from the first hand-in: a correction asked for by the reviewer does not
    make a summary handed in on time late.
    """
    from .approvals import submit_summary

    now = utcnow()
    summary.submitted_at = summary.submitted_at or now
    summary.submitted_by = user
    summary.completeness = metrics.completeness(
        department(summary.unit), metrics.values_of(summary), summary.items)
    summary.versions.append(SummaryVersion(
        number=len(summary.versions) + 1, submitted_at=now, submitted_by=user,
        content=json.dumps(snapshot(summary), ensure_ascii=False), note=note.strip()))
    submit_summary(summary, user, note.strip())


def reopen(summary: Summary, user: User, reason: str) -> None:
    """The author found a mistake after handing in: take the summary back to correct it.

    Under review, its request is withdrawn; once accepted, it is reopened and the corrected
    summary goes through a new review. Either way the earlier versions stay.
    """
    from core.api import RequestState, withdraw_workflow, workflow_for

    from .approvals import SUMMARY_FLOW

    if summary.status not in (SUBMITTED, ACCEPTED):
        raise SummaryError(gettext("Only a handed-in summary can be taken back for a "
                                   "correction."))
    instance = workflow_for(summary, SUMMARY_FLOW)
    if summary.status == SUBMITTED and instance is not None and instance.state == RequestState.PENDING:
        if instance.applicant_id != user.id:
            raise SummaryError(gettext("Only %(name)s, who handed it in, can take it back "
                                       "while it is under review.",
                                       name=instance.applicant.name))
        withdraw_workflow(instance, user, reason)
    summary.status = RETURNED
    audit(f"{PLUGIN}.summary_reopened", subject=summary, unit=summary.unit, actor=user,
          summary=f"{summary.unit.name} {summary.year}-{summary.month:02d}",
          data={"reason": reason})


def snapshot(summary: Summary) -> dict:
    """What the summary says, as plain JSON values (kept with every hand-in)."""
    values = metrics.values_of(summary)
    return {
        "routine_work": summary.routine_work, "duties": summary.duties,
        "items": [[i.content, i.outcome or "", i.explanation] for i in summary.items],
        "metrics": {field.key: metrics.display(field, values.get(field.key))
                    for field in department(summary.unit).inputs},
    }


def changes(summary: Summary) -> list[tuple[SummaryVersion, list[tuple[str, str, str]]]]:
    """Every version with what changed since the one before: ``(label, before, after)``."""
    dept = department(summary.unit)
    labels = {f.key: str(f.en) for f in dept.inputs}
    out, before = [], None
    for version in summary.versions:
        now = _flat(json.loads(version.content), labels)
        diff = [] if before is None else [
            (label, before.get(label, ""), now.get(label, ""))
            for label in dict.fromkeys([*before, *now]) if before.get(label) != now.get(label)]
        out.append((version, diff))
        before = now
    return out


def _flat(content: dict, labels: dict[str, str]) -> dict[str, str]:
    flat = {gettext("Routine work this month"): content.get("routine_work", ""),
            gettext("Duties"): content.get("duties", "")}
    for text, outcome, explanation in content.get("items", []):
        flat[text] = " — ".join(p for p in (outcome, explanation) if p)
    for key, value in content.get("metrics", {}).items():
        flat[labels.get(key, key)] = value
    return flat
