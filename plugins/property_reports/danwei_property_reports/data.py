"""What belongs to a unit, for core's confirmed purge (export first, then delete).

Rows belong to a unit through ``unit_id`` or through their parent row (a plan's versions, a
version's items...). Core deletes children first, so that no foreign key is left dangling.
"""

from __future__ import annotations

from sqlalchemy import select

from core.api import UnitData

from .models import (
    Catalogue,
    MetricValue,
    Notice,
    Plan,
    PlanItem,
    PlanVersion,
    RoutineItem,
    Spec,
    SpecRevision,
    Summary,
    SummaryItem,
    SummaryVersion,
)


def unit_data() -> list[UnitData]:
    """Every table, parents before children; core exports, then deletes, a unit's rows.

    A specification elsewhere may have been written because of a purged summary line, and a
    plan elsewhere may cite a purged specification: they keep their text and lose the link.
    """

    def specs(units):
        return select(Spec.id).where(Spec.unit_id.in_(units))

    def catalogues(units):
        return select(Catalogue.id).where(Catalogue.unit_id.in_(units))

    def plans(units):
        return select(Plan.id).where(Plan.unit_id.in_(units))

    def versions(units):
        return select(PlanVersion.id).where(PlanVersion.plan_id.in_(plans(units)))

    def summaries(units):
        return select(Summary.id).where(Summary.unit_id.in_(units))

    return [
        UnitData(Spec, detach=(PlanItem.spec_id, RoutineItem.spec_id)),
        UnitData(SpecRevision, lambda units: SpecRevision.spec_id.in_(specs(units))),
        UnitData(Catalogue),
        UnitData(RoutineItem, lambda units: RoutineItem.catalogue_id.in_(catalogues(units))),
        UnitData(Plan),
        UnitData(PlanVersion, lambda units: PlanVersion.plan_id.in_(plans(units))),
        UnitData(PlanItem, lambda units: PlanItem.version_id.in_(versions(units))),
        UnitData(Summary),
        UnitData(SummaryItem, lambda units: SummaryItem.summary_id.in_(summaries(units)),
                 detach=(SpecRevision.source_item_id,)),
        UnitData(SummaryVersion,
                 lambda units: SummaryVersion.summary_id.in_(summaries(units))),
        UnitData(MetricValue, lambda units: MetricValue.summary_id.in_(summaries(units))),
        UnitData(Notice),
    ]
