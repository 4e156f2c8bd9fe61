"""Rectification (整改) of a finding: assigned with a working-day deadline, answered by the
audited unit with evidence, accepted or returned by the auditor; overdue ones escalate.

::

    open ──assign──▶ rectifying ──reply──▶ replied ──accept──▶ accepted
                        ▲                    │
                        └──────return────────┘ (returned: the unit replies again)
"""

from __future__ import annotations

from sqlalchemy import select

from core.api import (
    add_working_days,
    audit,
    can,
    db,
    get_setting,
    notify,
    permission_holders,
    utcnow,
)

from .i18n import gettext as _
from .models import (
    ACCEPTED,
    OPEN,
    PREPARING,
    RECTIFYING,
    REPLIED,
    RETURNED,
    PensionAuditEngagement,
    PensionAuditEvidence,
    PensionAuditFinding,
    PensionAuditReply,
)

PLUGIN = "pension_audit"


def finding_path(finding_id: int, respond: bool = False) -> str:
    """The finding's page for auditors, or the audited unit's (*respond*): a plain path, since
    jobs have no request to build URLs in."""
    return f"/pension_audit/findings/{finding_id}" + ("/respond" if respond else "")


class RectificationError(ValueError):
    """The step is not possible now; the message says why."""


def may_see_finding(finding: PensionAuditFinding, user=None) -> bool:
    """Auditors of the unit; the audited unit's staff once the report is issued."""
    if can("pension_audit.view", finding.unit, user):
        return True
    return (finding.engagement.state != PREPARING
            and can("pension_audit.respond", finding.unit, user))


def may_see_evidence(user, attachment) -> bool:
    evidence = db.session.get(PensionAuditEvidence, int(attachment.subject_id))
    if evidence is None:
        return False
    if evidence.finding_id is not None:
        return may_see_finding(db.session.get(PensionAuditFinding, evidence.finding_id), user)
    engagement = db.session.get(PensionAuditEngagement, evidence.engagement_id)
    return can("pension_audit.view", engagement.unit, user)


def _step(finding, action: str, actor, text: str = "") -> None:
    db.session.add(PensionAuditReply(finding_id=finding.id, action=action, text=text,
                                     actor_id=actor.id if actor else None))
    audit(f"pension_audit.finding_{action}", subject=finding, unit=finding.unit,
          summary=text[:200], actor=actor)


def assign(finding: PensionAuditFinding, responsible, actor, note: str = "") -> None:
    """Give the finding to *responsible* in the audited unit, due in the working days the
    ``rectification_days`` setting says."""
    if finding.state not in (OPEN, RECTIFYING, RETURNED):
        raise RectificationError(_("This finding cannot be assigned now."))
    if not can("pension_audit.respond", finding.unit, responsible):
        raise RectificationError(_("The responsible person must be staff of the audited unit."))
    days = get_setting(PLUGIN, "rectification_days", finding.unit)
    finding.responsible_id = responsible.id
    finding.deadline_at = add_working_days(utcnow(), days, unit=finding.unit)
    finding.state, finding.escalated_at = RECTIFYING, None
    _step(finding, "assigned", actor, note or responsible.name)
    notify(responsible, _("Audit finding to rectify"), finding.description or finding.rule,
           link=finding_path(finding.id, respond=True), plugin=PLUGIN,
           kind="action")


def reply(finding: PensionAuditFinding, actor, text: str) -> None:
    if finding.state not in (RECTIFYING, RETURNED):
        raise RectificationError(_("This finding is not waiting for a reply."))
    if not text.strip():
        raise RectificationError(_("Say what was done."))
    finding.state = REPLIED
    _step(finding, "replied", actor, text)


def decide(finding: PensionAuditFinding, actor, accept: bool, text: str = "") -> None:
    if finding.state != REPLIED:
        raise RectificationError(_("There is no reply to decide on."))
    if not accept and not text.strip():
        raise RectificationError(_("Say why the rectification is returned."))
    if accept:
        finding.state, finding.closed_at = ACCEPTED, utcnow()
        _step(finding, "accepted", actor, text)
    else:
        finding.state = RETURNED
        _step(finding, "returned", actor, text)
    if finding.responsible_id:
        notify(finding.responsible_id, _("Rectification accepted") if accept else
               _("Rectification returned"), text,
               link=finding_path(finding.id, respond=True), plugin=PLUGIN)


def escalate_overdue(scheduled_for=None) -> int:
    """The daily job: findings past their deadline without an accepted reply go to the
    auditors above the unit (once per finding and deadline)."""
    now = scheduled_for or utcnow()
    overdue = db.session.scalars(select(PensionAuditFinding).where(
        PensionAuditFinding.state.in_((RECTIFYING, RETURNED)),
        PensionAuditFinding.deadline_at < now,
        PensionAuditFinding.escalated_at.is_(None))).all()
    for finding in overdue:
        finding.escalated_at = now
        auditors = db.session.scalars(permission_holders("pension_audit.audit", finding.unit))
        notify(list(auditors), _("Rectification overdue"),
               f"{finding.unit.name}: {finding.rule} {finding.id_number or ''}",
               link=finding_path(finding.id), plugin=PLUGIN,
               kind="warning")
        _step(finding, "escalated", None, _("The deadline passed."))
    return len(overdue)
