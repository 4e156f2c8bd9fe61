"""The controlled-drug ledger (麻精药品, 五专): every movement is a ledger line that moves the
lot's running balance under a row lock; dispensing is refused over the prescription cap and
while a handover count with an unexplained difference is open in that pharmacy."""

from __future__ import annotations

from sqlalchemy import select

from core.api import audit, db, local_today, utcnow

from . import rules
from .i18n import gettext as _
from .models import CountState, Drug, DrugCount, DrugEntry, DrugLot

PLUGIN = "hospital_safety"


class Refused(Exception):
    """The movement is not allowed; ``str()`` says why (with the article for a cap)."""


def lock_lot(lot_id: int) -> DrugLot | None:
    return db.session.scalar(select(DrugLot).where(DrugLot.id == lot_id).with_for_update()
                             .execution_options(populate_existing=True))


def open_count(unit_id: int) -> DrugCount | None:
    """The handover count that blocks dispensing in this pharmacy, if any."""
    return db.session.scalar(select(DrugCount).where(DrugCount.unit_id == unit_id,
                                                     DrugCount.state == CountState.OPEN).limit(1))


def receive(drug: Drug, lot_name: str, quantity: int, user) -> DrugEntry:
    lot = db.session.scalar(select(DrugLot).where(DrugLot.drug_id == drug.id,
                                                  DrugLot.lot == lot_name))
    if lot is None:
        lot = DrugLot(drug_id=drug.id, drug=drug, lot=lot_name, balance=0)
        db.session.add(lot)
        db.session.flush()
    lot = lock_lot(lot.id)
    return _line(lot, "receipt", quantity, user)


def dispense(lot_id: int, user, *, quantity: int, prescription_no: str, patient: str,
             days=None, doses=None, inpatient=False, cancer_pain=False) -> DrugEntry:
    lot = lock_lot(lot_id)
    if lot is None:
        raise Refused(_("No such lot."))
    drug = lot.drug
    if open_count(drug.unit_id):
        raise Refused(_("The last handover count found a difference: dispensing is blocked "
                        "until it is reconciled or explained and signed."))
    cap = rules.prescription_cap(drug.category, drug.form, inpatient=inpatient,
                                 cancer_pain=cancer_pain, unit=drug.unit)
    if rules.over_cap(cap, days=days, doses=doses):
        measure = _("usual doses") if cap.measure == "doses" else _("days")
        amount = format(cap.amount.normalize(), "f")
        raise Refused(_("Refused: the prescription exceeds %(amount)s %(measure)s. %(article)s",
                        amount=amount, measure=measure, article=cap.article))
    if quantity > lot.balance:
        raise Refused(_("Only %(n)d left in this lot.", n=lot.balance))
    entry = _line(lot, "dispense", -quantity, user, prescription_no=prescription_no,
                  patient=patient, days=days, doses=doses,
                  keep_until=rules.keep_until(drug.category, local_today(), drug.unit))
    return entry


def return_or_destroy(lot_id: int, user, *, kind: str, quantity: int, witnesses: str,
                      note: str) -> DrugEntry:
    lot = lock_lot(lot_id)
    if lot is None:
        raise Refused(_("No such lot."))
    if kind == "return":
        lot.empties += quantity
        return _line(lot, "return", 0, user, note=note or _("%(n)d empties", n=quantity),
                     witnesses=witnesses)
    names = [n for n in witnesses.replace("，", ",").split(",") if n.strip()]
    if len(names) < 2:
        raise Refused(_("A destruction needs two witnesses."))
    if quantity > lot.balance:
        raise Refused(_("Only %(n)d left in this lot.", n=lot.balance))
    return _line(lot, "destroy", -quantity, user, witnesses=witnesses, note=note)


def _line(lot: DrugLot, kind: str, change: int, user, **fields) -> DrugEntry:
    lot.balance += change
    entry = DrugEntry(lot_id=lot.id, lot=lot, kind=kind, quantity=abs(change) or 0,
                      balance_after=lot.balance, by_id=user.id, at=utcnow(), **fields)
    db.session.add(entry)
    db.session.flush()
    audit(f"{PLUGIN}.drug_{kind}", subject=entry, unit=lot.drug.unit,
          summary=f"{lot.drug.name} {lot.lot} {change:+d}", data={"balance": lot.balance})
    return entry


def handover(unit, counted: dict[int, int], user) -> DrugCount:
    """Record a shift-handover count: *counted* maps lot ids to what is in the cabinet."""
    lots = db.session.scalars(select(DrugLot).join(Drug).where(Drug.unit_id == unit.id)
                              .with_for_update(of=DrugLot)).all()
    diffs = [f"{lot.id}:{lot.balance}:{counted.get(lot.id, 0)}" for lot in lots
             if counted.get(lot.id, 0) != lot.balance]
    # A matching count reconciles any open one.
    if not diffs:
        for previous in db.session.scalars(select(DrugCount).where(
                DrugCount.unit_id == unit.id, DrugCount.state == CountState.OPEN)):
            previous.state = CountState.RECONCILED
    count = DrugCount(unit_id=unit.id, unit=unit, state=CountState.OPEN if diffs else CountState.RECONCILED,
                      differences=";".join(diffs), counted_by_id=user.id, counted_at=utcnow())
    db.session.add(count)
    db.session.flush()
    audit(f"{PLUGIN}.drug_count", subject=count, unit=unit, summary=count.state,
          data={"differences": count.differences})
    return count


def explain(count_id: int, user, explanation: str) -> DrugCount:
    """Sign an explanation of a count's difference; the counter may not sign their own."""
    count = db.session.scalar(select(DrugCount).where(DrugCount.id == count_id)
                              .with_for_update().execution_options(populate_existing=True))
    if count is None or count.state != CountState.OPEN:
        raise Refused(_("This count has no open difference."))
    if count.counted_by_id == user.id:
        raise Refused(_("Someone other than the person who counted must sign the explanation."))
    count.state, count.explanation = CountState.EXPLAINED, explanation
    count.signed_by_id, count.signed_at = user.id, utcnow()
    audit(f"{PLUGIN}.drug_count_explained", subject=count, unit=count.unit,
          summary=explanation[:200])
    return count
