"""The secretary's annual report (述职报告) drafted from the year's records in the structure of
篇七 — duty, education and management, meetings, development, rules, conduct, service,
shortcomings — with the real counts, dates and names."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.api import db, local_now

from . import rules
from .i18n import gettext as _
from .models import (FULL, PartyAbsence, PartyDevFile, PartyDevStep, PartyIntegrityEntry,
                     PartyMeeting, PartyMember, PartyPairing, PartyPlanItem, PartyPledge,
                     PartyRegistration, PartyVisit)
from .records import standings


def _count(model, *where):
    return db.session.scalar(select(func.count(model.id)).where(*where)) or 0


def draft(unit, year: int) -> str:
    """The report's text from the records of *year*."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    today = min(end, local_now().date())
    in_year = (lambda col: col.between(start, end))
    members = db.session.scalars(select(PartyMember).where(
        PartyMember.unit_id == unit.id, PartyMember.left_on.is_(None))).all()
    full = sum(1 for m in members if m.status == FULL)
    items = db.session.scalars(select(PartyPlanItem).where(
        PartyPlanItem.unit_id == unit.id, PartyPlanItem.year == year)).all()
    done = [i for i in items if i.progress >= 100]
    meetings = dict(db.session.execute(
        select(PartyMeeting.kind, func.count(PartyMeeting.id))
        .where(PartyMeeting.unit_id == unit.id, in_year(PartyMeeting.held_on))
        .group_by(PartyMeeting.kind)).all())
    absences = _count(PartyAbsence, PartyAbsence.unit_id == unit.id, PartyAbsence.meeting_id.in_(
        select(PartyMeeting.id).where(PartyMeeting.unit_id == unit.id,
                                      in_year(PartyMeeting.held_on))))
    held = {}
    for kind, day in db.session.execute(select(PartyMeeting.kind, PartyMeeting.held_on).where(
            PartyMeeting.unit_id == unit.id, in_year(PartyMeeting.held_on))):
        held.setdefault(kind, []).append(day)
    gaps = [g for g in rules.meeting_gaps(unit, held, today) if g.state == "missing"]
    steps = db.session.execute(
        select(PartyDevStep.step, PartyDevStep.on, PartyDevFile.name)
        .join(PartyDevFile, PartyDevFile.id == PartyDevStep.file_id)
        .where(PartyDevStep.unit_id == unit.id, in_year(PartyDevStep.on),
               PartyDevStep.step.in_((rules.ACTIVIST, rules.TARGET, rules.ADMITTED,
                                      rules.CONVERTED)))
        .order_by(PartyDevStep.on)).all()

    def names(step):
        return "、".join(f"{n}（{d.isoformat()}）" for s, d, n in steps if s == step) or _("none")

    integrity = _count(PartyIntegrityEntry, PartyIntegrityEntry.unit_id == unit.id,
                       in_year(PartyIntegrityEntry.on))
    checks = _count(PartyIntegrityEntry, PartyIntegrityEntry.unit_id == unit.id,
                    in_year(PartyIntegrityEntry.on), PartyIntegrityEntry.kind == "self_check")
    pledges = db.session.execute(
        select(PartyPledge.quarter, func.count(PartyPledge.id),
               func.count(PartyPledge.review_published_on))
        .where(PartyPledge.unit_id == unit.id, PartyPledge.quarter.startswith(str(year)))
        .group_by(PartyPledge.quarter).order_by(PartyPledge.quarter)).all()
    pairings = _count(PartyPairing, PartyPairing.unit_id == unit.id)
    visits = _count(PartyVisit, PartyVisit.unit_id == unit.id, in_year(PartyVisit.on))
    registered = _count(PartyRegistration, PartyRegistration.unit_id == unit.id)
    late = [s for s in standings(unit, today.replace(day=1), today) if s.state != "ok"]
    lines = [
        _("Annual report of the secretary of %(branch)s, %(year)d", branch=unit.name, year=year),
        "",
        _("1. Carrying out the duty of party building"),
        _("The branch has %(n)d members (%(full)d full, %(prob)d probationary). The work plan "
          "of the year has %(items)d items, %(done)d of them completed.", n=len(members),
          full=full, prob=len(members) - full, items=len(items), done=len(done)),
        "",
        _("2. Education and management of the members"),
        _("%(lectures)d party lectures and %(days)d themed party days were held; "
          "%(talks)d rounds of talks were recorded; %(registered)d members registered with "
          "their community (双报到).", lectures=meetings.get("lecture", 0),
          days=meetings.get("party_day", 0), talks=meetings.get("talk", 0),
          registered=registered),
        "",
        _("3. Meetings (三会一课)"),
        *[_("%(kind)s: %(n)d held.", kind=rules.KIND_LABELS[k], n=meetings.get(k, 0))
          for k in rules.KIND_LABELS],
        _("%(n)d absences were recorded with their reasons.", n=absences),
        "",
        _("4. Member development"),
        _("Activists chosen: %(names)s.", names=names(rules.ACTIVIST)),
        _("Development targets chosen: %(names)s.", names=names(rules.TARGET)),
        _("Admitted as probationary members: %(names)s.", names=names(rules.ADMITTED)),
        _("Converted to full members: %(names)s.", names=names(rules.CONVERTED)),
        "",
        _("5. Rules and institutions"),
        *[f"- {i.title}（{i.owner or '—'}，{i.progress}%）" for i in items if i.part == "party"],
        "",
        _("6. Conduct and integrity"),
        _("%(n)d entries were added to the integrity files, %(checks)d of them risk "
          "self-checks.", n=integrity, checks=checks),
        *[_("%(quarter)s: %(n)d pledges, %(reviewed)d reviews published.", quarter=q, n=n,
            reviewed=r) for q, n, r in pledges],
        "",
        _("7. Service to the people"),
        _("%(pairings)d members are paired with a household in need; %(visits)d visits were "
          "made this year.", pairings=pairings, visits=visits),
        "",
        _("8. Shortcomings"),
        *[_("No %(kind)s from %(start)s to %(end)s.", kind=rules.KIND_LABELS[g.kind],
            start=g.start.isoformat(), end=g.last.isoformat()) for g in gaps],
        *[_("%(name)s owes %(n)d months of dues.", name=s.member.name, n=s.arrears)
          for s in late],
        *[_("Not completed: %(item)s (%(progress)d%%).", item=i.title, progress=i.progress)
          for i in items if i.progress < 100],
    ]
    return "\n".join(str(line) for line in lines)
