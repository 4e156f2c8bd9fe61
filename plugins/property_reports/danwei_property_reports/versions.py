"""Versions of plans and routine-work catalogues: copying one into the next, and comparing two.

Items carry an ``item_key`` that survives from version to version, so a comparison can say
"item 3 changed its place from A to B" rather than "item 3 removed, item 3 added".
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from .i18n import gettext
from .i18n import lazy_gettext as _l
from .models import Catalogue, PlanItem, PlanVersion, RoutineItem


def new_key() -> str:
    return secrets.token_hex(8)


#: The columns of a plan item as line 59 lists them, with their labels.
PLAN_ITEM_LABELS = (
    ("content", _l("Work content")),
    ("standard", _l("Work standard")),
    ("place", _l("Place")),
    ("schedule", _l("Schedule")),
    ("people", _l("People")),
    ("staff", _l("Resources: staff")),
    ("machines", _l("Resources: machines")),
    ("materials", _l("Resources: materials")),
    ("spec", _l("Work specification")),
    ("records", _l("Record requirements")),
    ("inspection_method", _l("Inspection method")),
    ("inspector", _l("Inspector")),
    ("inputs", _l("Hand-offs: inputs from other departments")),
    ("outputs", _l("Hand-offs: outputs to other departments")),
)
PLAN_HEADER_LABELS = (
    ("starts_on", _l("Execution starts")),
    ("ends_on", _l("Execution ends")),
)
ROUTINE_ITEM_LABELS = (
    ("cadence", _l("Cadence")),
    ("content", _l("Work content")),
    ("standard", _l("Work standard")),
    ("responsible", _l("Responsible")),
    ("spec", _l("Work specification")),
)

PLAN_ITEM_COLUMNS = ("content", "standard", "place", "schedule", "people", "staff", "machines",
                     "materials", "spec_id", "spec_number", "spec_note", "records",
                     "inspection_method", "inspector", "inputs", "outputs")


def spec_text(item) -> str:
    """How an item's specification reads: ``GC-01 Lift maintenance (rev. 2)`` or its note."""
    if item.spec is not None:
        number = getattr(item, "spec_number", None)
        suffix = " " + gettext("(rev. %(n)s)", n=number) if number else ""
        return f"{item.spec.code} {item.spec.title}{suffix}"
    return getattr(item, "spec_note", "") or ""


def copy_plan_version(source: PlanVersion, number: int, **header) -> PlanVersion:
    """A new draft version with *source*'s header and items (keys kept)."""
    version = PlanVersion(
        number=number, starts_on=source.starts_on, ends_on=source.ends_on, **header
    )
    for item in source.items:
        version.items.append(PlanItem(
            item_key=item.item_key, position=item.position,
            **{c: getattr(item, c) for c in PLAN_ITEM_COLUMNS},
        ))
    return version


def copy_catalogue(source: Catalogue, number: int, **fields) -> Catalogue:
    catalogue = Catalogue(unit_id=source.unit_id, number=number, **fields)
    for item in source.items:
        catalogue.items.append(RoutineItem(
            item_key=item.item_key, cadence=item.cadence, cadence_order=item.cadence_order,
            position=item.position, content=item.content, standard=item.standard,
            responsible=item.responsible, spec_id=item.spec_id,
        ))
    return catalogue


# -- comparing -----------------------------------------------------------------------------


@dataclass
class Change:
    """One difference between two versions."""

    #: ``added``, ``removed`` or ``changed`` (an item), ``header`` (a header field).
    kind: str
    #: The item's content (as in the newer version when it exists).
    title: str
    #: ``[(label, old, new)]`` for the fields that differ.
    fields: list[tuple[str, str, str]]


def _shown(item, attr: str) -> str:
    if attr == "spec":
        return spec_text(item)
    value = getattr(item, attr)
    return "" if value is None else str(value)


def compare_items(old_items, new_items, labels) -> list[Change]:
    """What changed from *old_items* to *new_items*, matched by ``item_key``."""
    old = {i.item_key: i for i in old_items}
    new = {i.item_key: i for i in new_items}
    changes = []
    for key, item in new.items():
        if key not in old:
            changes.append(Change("added", item.content,
                                  [(str(lbl), "", _shown(item, a)) for a, lbl in labels
                                   if _shown(item, a)]))
            continue
        before = old[key]
        differs = [(str(lbl), _shown(before, a), _shown(item, a)) for a, lbl in labels
                   if _shown(before, a) != _shown(item, a)]
        if differs:
            changes.append(Change("changed", item.content, differs))
    for key, item in old.items():
        if key not in new:
            changes.append(Change("removed", item.content,
                                  [(str(lbl), _shown(item, a), "") for a, lbl in labels
                                   if _shown(item, a)]))
    return changes


def compare_plan_versions(old: PlanVersion, new: PlanVersion) -> list[Change]:
    header = [(str(lbl), _shown(old, a), _shown(new, a)) for a, lbl in PLAN_HEADER_LABELS
              if _shown(old, a) != _shown(new, a)]
    changes = [Change("header", str(_l("Plan header")), header)] if header else []
    return changes + compare_items(old.items, new.items, PLAN_ITEM_LABELS)


def compare_catalogues(old: Catalogue, new: Catalogue) -> list[Change]:
    return compare_items(old.items, new.items, ROUTINE_ITEM_LABELS)
