"""What belongs to a unit, for core's confirmed purge (export first, then delete).

Every table holds the student's class in ``unit_id``. An extension points at the leave it
extends: core clears that link before deleting, so the order of the leaves does not matter.
"""

from __future__ import annotations

from core.api import UnitData

from .leaves import path_of
from .models import Contact, Leave, LogEntry, LogReport, ParentCall, Reconciliation


def unit_data() -> list[UnitData]:
    """Every table, parents before children (a call may name the leave it allowed)."""
    return [
        UnitData(Contact),
        UnitData(Leave, detach=(Leave.extends_id,), url=path_of),
        UnitData(ParentCall),
        UnitData(LogEntry),
        UnitData(LogReport),
        UnitData(Reconciliation),
    ]
