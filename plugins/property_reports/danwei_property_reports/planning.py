"""Monthly non-routine plans: who writes them, who approves them, how they are revised.

- A plan belongs to a department or to a team inside one (line 73); its first author is its
  author for good, and only the author proposes revisions (line 79).
- Department plans are approved by the project manager, team plans by the department manager
  (lines 71, 73), on core's workflow engine: :mod:`.approvals` declares the chain and turns its
  decisions into version states here.
- A revision is a new version copied from the one in force, with the reason for the change; it
  goes to the original approver. Someone else deciding it (a transfer, a vacancy) is a
  substitute approver and is shown the background first (line 81).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.api import Unit, User, audit, db, local_date, local_today, utcnow

from . import deadlines as dl
from . import tracking
from .catalogue import TEAM_KIND
from .i18n import gettext
from .models import (
    APPROVED,
    DEPARTMENT,
    REJECTED,
    RETURNED,
    SUBMITTED,
    SUPERSEDED,
    TEAM,
    WITHDRAWN,
    Plan,
    PlanItem,
    PlanVersion,
    period_key,
)
from .versions import PLAN_ITEM_COLUMNS, copy_plan_version

PLUGIN = "property_reports"


class PlanError(Exception):
    """A plan action that the rules refuse; the message says why."""


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(*dl.add_months(year, month, 1), 1)
    return first, following - timedelta(days=1)


def find(unit: Unit, year: int, month: int) -> Plan | None:
    return db.session.scalar(
        select(Plan).where(Plan.unit_id == unit.id, Plan.period == period_key(year, month))
    )


def start(unit: Unit, year: int, month: int, author: User, copy_last: bool = False) -> Plan:
    """Open the plan of *unit* for ``year-month`` with an empty first version, or with the
    items of the month before (its version in force, else its latest) when *copy_last*.

    Copied items cite their specification at the revision in force today, not the one
    last month's plan cited: a plan works to the current rules.
    """
    if find(unit, year, month) is not None:
        raise PlanError(gettext("%(unit)s already has a plan for %(month)s.", unit=unit.name,
                                month=f"{year}-{month:02d}"))
    deadline = tracking.deadline_for(unit, dl.PLAN, year, month)
    starts, ends = month_bounds(year, month)
    plan = Plan(unit=unit, period=period_key(year, month),
                level=TEAM if unit.kind == TEAM_KIND else DEPARTMENT,
                author=author, due_on=deadline.due)
    plan.versions.append(PlanVersion(
        number=1, starts_on=starts, ends_on=ends, prepared_by=author,
        prepared_on=local_today(),
    ))
    if copy_last:
        last_year, last_month = dl.add_months(year, month, -1)
        before = find(unit, last_year, last_month)
        if before is None:
            raise PlanError(gettext("%(unit)s has no plan for %(month)s to start from.",
                                    unit=unit.name, month=f"{last_year}-{last_month:02d}"))
        source = before.in_force or before.latest
        for item in source.items:
            copy = PlanItem(item_key=item.item_key, position=item.position,
                            **{c: getattr(item, c) for c in PLAN_ITEM_COLUMNS})
            if item.spec is not None:
                copy.spec_number = item.spec.current_number
            plan.versions[0].items.append(copy)
    db.session.add(plan)
    audit(f"{PLUGIN}.plan_started", subject=plan, unit=unit,
          summary=f"{unit.name} {year}-{month:02d}")
    return plan


def check_author(plan: Plan, user: User) -> None:
    """Only the plan's author writes and revises it (line 79)."""
    if plan.author_id != user.id:
        raise PlanError(gettext(
            "Only %(author)s, who prepared this plan, may change it or propose a revision.",
            author=plan.author.name))


def editable_version(plan: Plan, user: User) -> PlanVersion:
    check_author(plan, user)
    version = plan.latest
    if not version.editable:
        raise PlanError(gettext("Version %(n)d is %(state)s and can no longer be edited.",
                                n=version.number, state=version.status))
    return version


def propose_revision(plan: Plan, user: User, reason: str) -> PlanVersion:
    """A new draft version, copied from the version in force (or from a rejected one, to try
    again), to be approved again."""
    check_author(plan, user)
    latest = plan.latest
    if latest.status not in (APPROVED, REJECTED):
        raise PlanError(gettext("Only an approved or rejected plan can be revised; version "
                                "%(n)d is still being worked on.", n=latest.number))
    version = copy_plan_version(
        latest, latest.number + 1, prepared_by=user, prepared_on=local_today(),
        revision_reason=reason.strip(),
    )
    plan.versions.append(version)
    audit(f"{PLUGIN}.plan_revision_proposed", subject=plan, unit=plan.unit,
          summary=f"{plan.unit.name} {plan.year}-{plan.month:02d} v{version.number}",
          data={"reason": reason})
    return version


def check_complete(version: PlanVersion) -> None:
    if not version.items:
        raise PlanError(gettext("Add at least one piece of work before submitting the plan."))


def mark_submitted(version: PlanVersion) -> None:
    now = utcnow()
    version.status, version.submitted_at = SUBMITTED, now
    if version.plan.first_submitted_at is None:
        version.plan.first_submitted_at = now


def record_review(version: PlanVersion, who: User | None, what: str, comment: str) -> None:
    """Append a line to the version's review record (评审记录, line 69)."""
    stamp = local_date(utcnow()).isoformat()
    line = f"{stamp} {who.name if who else '—'}: {what}" + (f" — {comment}" if comment else "")
    version.review_record = (version.review_record + "\n" + line).strip()


def decided(version: PlanVersion, state: str, actor: User | None, comment: str) -> None:
    """Apply a decision of the workflow to *version* (called from the workflow event)."""
    plan = version.plan
    labels = {APPROVED: gettext("approved"), RETURNED: gettext("returned for changes"),
              REJECTED: gettext("rejected"), WITHDRAWN: gettext("withdrawn")}
    if state == APPROVED:
        for other in plan.versions:
            if other is not version and other.status == APPROVED:
                other.status = SUPERSEDED
        version.status = APPROVED
        version.approved_by = actor
        version.approved_on = local_date(utcnow())
        if plan.approver_id is None and actor is not None:
            plan.approver = actor
    elif state in (RETURNED, REJECTED, WITHDRAWN):
        version.status = state
    else:
        return
    record_review(version, actor, labels[state], comment)


def is_substitute(plan: Plan, version: PlanVersion, user: User) -> bool:
    """Whether *user* decides a revision in place of the plan's original approver."""
    return version.number > 1 and plan.approver_id is not None and plan.approver_id != user.id
