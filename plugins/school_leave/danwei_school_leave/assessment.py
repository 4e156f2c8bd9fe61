"""What the rules say about a leave before it is filed: its length, its chain, its refusals.

Filing (:mod:`.leaves`) and a resubmission (:mod:`.approval`, which reads the fields again)
both ask here, so neither module has to import the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from core.api import Unit, User, db, to_local, utcnow

from . import rules, school
from .models import INCOMING, ParentCall


@dataclass
class Preview:
    """What the rules say about a leave before it is filed: its length, chain and refusals."""

    duration: rules.Duration
    chain: rules.Chain
    refusals: list[rules.Refusal]
    #: The parent's advance calls the application relies on (linked to it when filed).
    calls: list[ParentCall] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.refusals


def advance_calls(student: User, unit: Unit, now: datetime | None = None) -> list[ParentCall]:
    """The parent's recent calls to the class teacher not yet used by another leave."""
    now = now or utcnow()
    days = int(school.setting("parent_call_valid_days", unit))
    return list(db.session.scalars(
        select(ParentCall).where(
            ParentCall.student_id == student.id,
            ParentCall.direction == INCOMING,
            ParentCall.leave_id.is_(None),
            ParentCall.called_at >= now - timedelta(days=days),
            ParentCall.called_at <= now,
        ).order_by(ParentCall.called_at)
    ))


def preview(student: User, unit: Unit, leave_type: str, start: datetime, end: datetime,
            leaving_campus: bool, extension: bool = False) -> Preview:
    """Apply the rules to a leave (times are stored UTC); raises ValueError if end <= start.

    An extension is filed by the monitor after the parent explained (line 21): the refusals,
    which are about asking in advance, do not apply to it, but the chain table does.
    """
    timetable = school.timetable(unit)
    duration = school.duration(start, end, unit)
    facts = rules.Facts(leave_type, duration, leaving_campus,
                        timetable.in_exam(to_local(start), to_local(end)))
    settings = school.leave_rules(unit)
    chain = rules.choose_chain(facts, settings)
    if extension:
        return Preview(duration, chain, [])
    calls = advance_calls(student, unit)
    refused = rules.refusals(facts, to_local(start),
                             [to_local(c.called_at) for c in calls], settings)
    return Preview(duration, chain, refused, calls)
