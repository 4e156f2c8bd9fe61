"""Helpers of the plugin's tests (and the benchmark): an engagement, rows as imported."""

from __future__ import annotations

from datetime import date

from .models import ITEMS, PensionAuditAnswer, PensionAuditEngagement, PensionAuditImport


def make_engagement(db, unit, preparer, verifier, previous=None):
    engagement = PensionAuditEngagement(
        unit_id=unit.id, title="2024 audit", period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31), preparer_id=preparer.id, verifier_id=verifier.id,
        created_by_id=preparer.id, previous_id=previous)
    db.session.add(engagement)
    db.session.flush()
    for item in ITEMS:
        db.session.add(PensionAuditAnswer(engagement_id=engagement.id, item=item))
    db.session.commit()
    return engagement


def add_rows(db, engagement, kind, rows, user_id=None):
    """Insert typed rows of *kind* (as the import would) under a new import record."""
    from sqlalchemy import insert

    from .models import DATA_MODELS

    record = PensionAuditImport(engagement_id=engagement.id, kind=kind, filename="t.csv",
                                state="imported", created_by_id=user_id or engagement.preparer_id)
    db.session.add(record)
    db.session.flush()
    defaults = {"contributions": {"kind": "regular", "years": 1},
                "payments": {"prepared_by": ""}, "rates": {"id_number": ""},
                "members": {"village": "", "status": "paying", "balance_at_retirement": None,
                            "account_pension": None}}.get(kind, {})
    db.session.execute(insert(DATA_MODELS[kind]), [
        {**defaults, **row, "engagement_id": engagement.id, "import_id": record.id,
         "line": n + 2} for n, row in enumerate(rows)])
    db.session.commit()
