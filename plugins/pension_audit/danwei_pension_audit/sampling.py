"""Samples for the items that cannot be computed (1, 3, 9, 10, 11).

A sample is reproducible: the records are drawn with ``random.Random(seed)`` from the
engagement's records in import order, and the seed, the size and the population's size are kept,
so anyone can draw it again and get the same records. Each sampled record gets a worksheet row
that the auditor fills in; a record found not compliant becomes a finding of the item.
"""

from __future__ import annotations

import random
import secrets

from sqlalchemy import func, insert, select

from core.api import db

from .models import (
    DATA_MODELS,
    PensionAuditFinding,
    PensionAuditSample,
    PensionAuditSampleRecord,
)


def draw_ids(ids: list[int], size: int, seed: int) -> list[int]:
    """*size* of *ids* (sorted), chosen by *seed*: the same arguments give the same records."""
    return random.Random(seed).sample(ids, min(size, len(ids)))


def label_of(population: str, row) -> str:
    if population == "members":
        return f"{row.name} {row.id_number}"
    if population == "contributions":
        return f"{row.id_number} {row.year} {row.amount / 100:.2f}"
    if population == "payments":
        return f"{row.id_number} {row.month:%Y-%m} {row.amount / 100:.2f}"
    return f"{row.id_number} {row.received_on} {row.amount / 100:.2f}"


def draw(engagement, item: int, population: str, size: int, seed: int | None,
         user) -> PensionAuditSample:
    model = DATA_MODELS[population]
    seed = secrets.randbelow(2**31) if seed is None else seed
    ids = list(db.session.scalars(select(model.id).where(
        model.engagement_id == engagement.id).order_by(model.id)))
    chosen = draw_ids(ids, size, seed)
    sample = PensionAuditSample(engagement_id=engagement.id, item=item, population=population,
                                population_size=len(ids), size=len(chosen), seed=seed,
                                created_by_id=user.id)
    db.session.add(sample)
    db.session.flush()
    rows = {row.id: row for row in db.session.scalars(
        select(model).where(model.id.in_(chosen)))} if chosen else {}
    if chosen:
        db.session.execute(insert(PensionAuditSampleRecord), [
            {"sample_id": sample.id, "position": n, "record_id": rid,
             "label": label_of(population, rows[rid])[:200], "result": "", "notes": ""}
            for n, rid in enumerate(chosen, start=1)])
    return sample


def record_finding(record: PensionAuditSampleRecord, sample: PensionAuditSample,
                   engagement) -> None:
    """A record found not compliant becomes a finding of the sample's item (once)."""
    exists = db.session.scalar(select(func.count(PensionAuditFinding.id)).where(
        PensionAuditFinding.engagement_id == engagement.id,
        PensionAuditFinding.rule == "sample",
        PensionAuditFinding.period == f"s{record.id}"))
    if exists:
        return
    id_number = record.label.split(" ")[1] if sample.population == "members" else \
        record.label.split(" ")[0]
    db.session.add(PensionAuditFinding(
        engagement_id=engagement.id, unit_id=engagement.unit_id, item=sample.item,
        rule="sample", severity="medium", id_number=id_number[:18], period=f"s{record.id}",
        measure="flag", description=record.notes[:2000], automatic=False))
