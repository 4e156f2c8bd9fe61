"""Daily jobs: remind secretaries of meetings a period still lacks before it ends, and warn of
development clocks before they lapse. Each acts on one exact day, so a job run once per day
reminds once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.api import (Unit, db, enabled_unit_ids, holders, is_working_day, local_date, notify,
                      permission_holders, working_days_between)

from . import rules
from .i18n import gettext as _
from .records import held_dates
from .models import PartyDevFile
from .settings import MEETING_KINDS, number

BRANCH = "party_branch"
OPEN = (rules.APPLIED, rules.ACTIVIST, rules.ADMITTED, rules.APPROVED, rules.EXTENDED)


def _branches():
    return db.session.scalars(select(Unit).where(
        Unit.kind == BRANCH, Unit.id.in_(enabled_unit_ids("party_building")))
        .order_by(Unit.id)).all()


def remind_meetings(scheduled_for):
    """On the working day *meeting_remind_days* working days before a period ends, tell the
    branch's secretary which required meetings the period still lacks, with the rule."""
    today = local_date(scheduled_for)
    if not is_working_day(today):
        return
    for branch in _branches():
        held = held_dates(branch, today.year)
        due = []
        for kind, _label, _freq in MEETING_KINDS:
            for start, end in rules.periods(rules.frequency(branch, kind), today.year):
                if start <= today < end and not any(start <= d < end for d in held.get(kind, [])):
                    left = working_days_between(today, end)
                    if left == number("meeting_remind_days", branch):
                        due.append(rules.meeting_rule(branch, kind))
        if due:
            notify(db.session.scalars(holders("party_building.secretary", branch,
                                            include_ancestors=False)).all(),
                   _("%(branch)s: meetings still to hold this period", branch=branch.name),
                   "\n".join(due), link=f"/party_building/branch/{branch.id}/meetings",
                   plugin="party_building", kind="reminder")


def remind_clocks(scheduled_for):
    """A development clock that falls due in *clock_warn_days* days, or today: tell those who
    keep the files."""
    today = local_date(scheduled_for)
    for branch in _branches():
        warn = today + timedelta(days=number("clock_warn_days", branch))
        files = db.session.scalars(
            select(PartyDevFile).options(selectinload(PartyDevFile.steps))
            .where(PartyDevFile.unit_id == branch.id, PartyDevFile.stage.in_(OPEN))).all()
        for file in files:
            for clock in rules.clocks(branch, file.stage, rules.History(file.steps)):
                if clock.kind == "due" and clock.on in (warn, today):
                    notify(db.session.scalars(permission_holders(
                        "party_building.develop", branch, include_ancestors=False)).all(),
                           _("%(name)s: %(step)s due by %(date)s",
                             name=file.name, step=rules.STEP_LABELS[clock.step],
                             date=clock.on.isoformat()),
                           clock.rule, link=f"/party_building/file/{file.id}",
                           plugin="party_building", kind="reminder")
