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
from .i18n import lazy_gettext as _l
from .models import APPROVED, INCOMING, PENDING, Leave, ParentCall

#: A leave in these states holds its time: another leave of the student may not overlap it.
ALIVE = (PENDING, APPROVED)


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


def overlapping(student: User, start: datetime, end: datetime,
                exclude: Leave | None = None) -> Leave | None:
    """A pending or approved leave of *student* that shares some time with ``[start, end)``."""
    query = select(Leave).where(
        Leave.student_id == student.id, Leave.status.in_(ALIVE),
        Leave.start_at < end, start < Leave.end_at,
    )
    if exclude is not None and exclude.id is not None:
        query = query.where(Leave.id != exclude.id)
    return db.session.scalars(query.order_by(Leave.start_at).limit(1)).first()


def overlap_refusal(other: Leave) -> rules.Refusal:
    return rules.Refusal(
        "overlap",
        _l("This leave overlaps another leave of the same student (%(start)s – %(end)s), "
           "which is pending or approved.",
           start=f"{to_local(other.start_at):%Y-%m-%d %H:%M}",
           end=f"{to_local(other.end_at):%Y-%m-%d %H:%M}"),
        _l("Change the times, or withdraw the other leave first."))


#: The refusals about asking in advance, which the student-affairs office may override in an
#: emergency (a sick student whose parent could not phone half a day ahead).
OVERRIDABLE = ("evening_study", "parent_call_advance")


def preview(student: User, unit: Unit, leave_type: str, start: datetime, end: datetime,
            leaving_campus: bool, extension: bool = False,
            revising: Leave | None = None, emergency: bool = False) -> Preview:
    """Apply the rules to a leave (times are stored UTC); raises ValueError if end <= start,
    :class:`rules.TooLong` if it is longer than the school allows.

    An extension is filed by the monitor after the parent explained (line 21): the refusals,
    which are about asking in advance, do not apply to it, but the chain table does, and so
    does the one leave at a time. An *emergency* override (the student-affairs office, with a
    reason) lifts the refusals about asking in advance (:data:`OVERRIDABLE`), nothing else.
    """
    timetable = school.timetable(unit)
    duration = school.duration(start, end, unit)
    facts = rules.Facts(leave_type, duration, leaving_campus,
                        timetable.in_exam(to_local(start), to_local(end)))
    settings = school.leave_rules(unit)
    chain = rules.choose_chain(facts, settings)
    other = overlapping(student, start, end, exclude=revising)
    overlaps = [overlap_refusal(other)] if other is not None else []
    if extension:
        return Preview(duration, chain, overlaps)
    calls = advance_calls(student, unit)
    refused = rules.refusals(facts, to_local(start),
                             [to_local(c.called_at) for c in calls], settings)
    if emergency:
        refused = [r for r in refused if r.code not in OVERRIDABLE]
    return Preview(duration, chain, overlaps + refused, calls)
