"""Exporting and purging a unit's data, for core's confirmed purge (export first, then delete).

Rows belong to a unit through ``unit_id`` or through their parent row (a plan's versions, a
version's items...). Deleting goes children first, so that no foreign key is left dangling.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, select, update

from core.api import Unit, db

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
)


def _units(unit: Unit):
    return select(Unit.id).where(Unit.is_within(unit))


def _selections(unit: Unit) -> list[tuple[type, object]]:
    """``(model, SQL condition)`` for every table, parents before children."""
    units = _units(unit)
    specs = select(Spec.id).where(Spec.unit_id.in_(units))
    catalogues = select(Catalogue.id).where(Catalogue.unit_id.in_(units))
    plans = select(Plan.id).where(Plan.unit_id.in_(units))
    versions = select(PlanVersion.id).where(PlanVersion.plan_id.in_(plans))
    summaries = select(Summary.id).where(Summary.unit_id.in_(units))
    return [
        (Spec, Spec.unit_id.in_(units)),
        (SpecRevision, SpecRevision.spec_id.in_(specs)),
        (Catalogue, Catalogue.unit_id.in_(units)),
        (RoutineItem, RoutineItem.catalogue_id.in_(catalogues)),
        (Plan, Plan.unit_id.in_(units)),
        (PlanVersion, PlanVersion.plan_id.in_(plans)),
        (PlanItem, PlanItem.version_id.in_(versions)),
        (Summary, Summary.unit_id.in_(units)),
        (SummaryItem, SummaryItem.summary_id.in_(summaries)),
        (MetricValue, MetricValue.summary_id.in_(summaries)),
        (Notice, Notice.unit_id.in_(units)),
    ]


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def export(unit: Unit) -> dict[str, list[dict]]:
    """Every row of the plugin in *unit*'s subtree, by table."""
    found = {}
    for model, condition in _selections(unit):
        table = model.__table__
        rows = db.session.execute(select(table).where(condition).order_by(table.c.id))
        found[table.name] = [{k: _plain(v) for k, v in row._mapping.items()} for row in rows]
    return found


def purge(unit: Unit) -> None:
    """Delete every row of the plugin in *unit*'s subtree (after :func:`export`)."""
    selections = _selections(unit)
    items = select(SummaryItem.id).where(dict(selections)[SummaryItem])
    # A specification elsewhere may have been written because of one of these summary lines.
    db.session.execute(update(SpecRevision).where(SpecRevision.source_item_id.in_(items))
                       .values(source_item_id=None))
    # Plans elsewhere may cite a specification of these units: they keep the text, not the link.
    specs = select(Spec.id).where(dict(selections)[Spec])
    for model in (PlanItem, RoutineItem):
        db.session.execute(update(model).where(model.spec_id.in_(specs)).values(spec_id=None))
    for model, condition in reversed(selections):
        db.session.execute(delete(model).where(condition))
    db.session.expire_all()
