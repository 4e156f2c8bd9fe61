"""The infectious-disease report clock's job: warn the public-health officer at half and at
four fifths of a case's limit, and the director once it is overdue. Idempotent: ``warned``
records the last level told."""

from __future__ import annotations

from sqlalchemy import select

from core.api import db, enabled_unit_ids, holders, notify

from . import rules
from .i18n import gettext as _
from .models import DiseaseCase

PLUGIN = "hospital_safety"
LEVELS = {"ok": 0, "half": 1, "four_fifths": 2, "overdue": 3}


def warn(scheduled_for):
    rows = db.session.scalars(
        select(DiseaseCase).where(DiseaseCase.reported_at.is_(None), DiseaseCase.warned < 3,
                                  DiseaseCase.unit_id.in_(enabled_unit_ids(PLUGIN)))).all()
    for case in rows:
        state = rules.clock(case.diagnosed_at, case.limit_minutes, scheduled_for, None,
                            case.unit)
        level = LEVELS[state["level"]]
        if level <= case.warned:
            continue
        case.warned = level
        role = "hospital_safety.director" if level == 3 else "hospital_safety.public_health"
        minutes = max(0, round(state["left"]))
        subject = (_("Report overdue: %(disease)s (%(patient)s)", disease=case.disease,
                     patient=case.patient) if level == 3 else
                   _("%(minutes)d minutes left to report %(disease)s (%(patient)s)",
                     minutes=minutes, disease=case.disease, patient=case.patient))
        notify(db.session.scalars(holders(role, case.unit)).all(), subject,
               link="/hospital_safety/cases/", plugin=PLUGIN,
               kind="warning" if level >= 2 else "reminder")
