"""The controlled-drug ledger: caps per class and form at the boundary (the law over the seed),
running balance, the handover count that blocks dispensing, who may see it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from danwei_hospital_safety import drugs, rules
from danwei_hospital_safety.models import Drug, DrugCount, DrugEntry, DrugLot

from core.api import db, local_today

P = "/hospital_safety"


@pytest.fixture
def pharmacy(centre):
    """A pharmacy with one lot of each kind of drug, 50 in stock."""
    unit = centre.depts["pharmacy"]
    lots = {}
    for key, category, form in (("morphine_inj", "narcotic", "injection"),
                                ("morphine_sr", "narcotic", "controlled"),
                                ("tramadol", "psych1", "other"),
                                ("diazepam", "psych2", "other")):
        drug = Drug(unit_id=unit.id, unit=unit, name=key, category=category, form=form)
        db.session.add(drug)
        db.session.flush()
        lots[key] = drugs.receive(drug, "L1", 50, centre.people["pharmacist"]).lot_id
    db.session.commit()
    return lots


def dispense(client, lot_id, **fields):
    data = {"d-lot": lot_id, "d-prescription_no": "RX1", "d-patient": "患者", "d-quantity": 1,
            "d-submit": "x"}
    data.update({f"d-{k}": v for k, v in fields.items()})
    return client.post(f"{P}/drugs/dispense", data=data)


def balance(lot_id):
    db.session.expire_all()
    return db.session.get(DrugLot, lot_id).balance


@pytest.mark.parametrize("lot, fields, allowed, article", [
    # narcotic injection, out-patient: one usual dose (art. 23; the seed's 2 days superseded)
    ("morphine_inj", {"doses": 1}, True, "article 23"),
    ("morphine_inj", {"doses": 2}, False, "article 23"),
    # controlled-release: 7 days
    ("morphine_sr", {"days": "7"}, True, "article 23"),
    ("morphine_sr", {"days": "8"}, False, "article 23"),
    # other forms of narcotic / class-1: 3 days
    ("tramadol", {"days": "3"}, True, "article 23"),
    ("tramadol", {"days": "4"}, False, "article 23"),
    # class-2 psychotropic: 7 days
    ("diazepam", {"days": "7"}, True, "article 23"),
    ("diazepam", {"days": "8"}, False, "article 23"),
    # cancer pain: injections 3 days, controlled-release 15, other 7 (art. 24)
    ("morphine_inj", {"days": "3", "cancer_pain": "y"}, True, "article 24"),
    ("morphine_inj", {"days": "4", "cancer_pain": "y"}, False, "article 24"),
    ("morphine_sr", {"days": "15", "cancer_pain": "y"}, True, "article 24"),
    ("morphine_sr", {"days": "16", "cancer_pain": "y"}, False, "article 24"),
    ("tramadol", {"days": "7", "cancer_pain": "y"}, True, "article 24"),
    ("tramadol", {"days": "8", "cancer_pain": "y"}, False, "article 24"),
    # in-patients: one day per prescription (art. 27)
    ("morphine_sr", {"days": "1", "inpatient": "y"}, True, "article 27"),
    ("morphine_sr", {"days": "2", "inpatient": "y"}, False, "article 27"),
])
def test_prescription_cap_at_the_cap_and_one_over(centre, as_person, pharmacy, lot, fields,
                                                  allowed, article):
    pharmacist = as_person("pharmacist")
    response = dispense(pharmacist, pharmacy[lot], **fields)
    assert response.status_code == (302 if allowed else 303)
    assert balance(pharmacy[lot]) == (49 if allowed else 50)
    page = pharmacist.get(f"{P}/drugs/").text
    if not allowed:
        assert "exceeds" in page and article in page


def test_cap_needs_an_amount(app, centre):
    cap = rules.prescription_cap("psych2", "other", unit=centre.unit)
    assert rules.over_cap(cap, days=None, doses=None)
    assert not rules.over_cap(rules.prescription_cap("toxic", "other", unit=centre.unit),
                              days=None, doses=None)
    assert rules.SUPERSEDED["injection_days"][0] == 2


def test_retention_three_years_narcotic_two_years_class_two(centre, as_person, pharmacy):
    pharmacist = as_person("pharmacist")
    dispense(pharmacist, pharmacy["morphine_sr"], days="2")
    dispense(pharmacist, pharmacy["diazepam"], days="2")
    today = local_today()
    kept = dict(db.session.execute(db.select(Drug.category, DrugEntry.keep_until).join(
        DrugLot, DrugLot.id == DrugEntry.lot_id).join(Drug).where(
        DrugEntry.kind == "dispense")).all())
    assert kept == {"narcotic": rules.add_years(today, 3), "psych2": rules.add_years(today, 2)}


def test_running_balance_receipts_dispensing_empties_destruction(centre, as_person, pharmacy):
    pharmacist = as_person("pharmacist")
    lot = pharmacy["morphine_inj"]
    assert pharmacist.post(f"{P}/drugs/receive", data={
        "r-drug": db.session.get(DrugLot, lot).drug_id, "r-lot": "L1", "r-quantity": 10,
        "r-submit": "x"}).status_code == 302
    assert balance(lot) == 60
    dispense(pharmacist, lot, doses=1, quantity=1)
    entry = {"e-lot": lot, "e-kind": "return", "e-quantity": 1, "e-submit": "x"}
    assert pharmacist.post(f"{P}/drugs/entry", data=entry).status_code == 302
    assert db.session.get(DrugLot, lot).empties == 1 and balance(lot) == 59
    destroy = {**entry, "e-kind": "destroy", "e-quantity": 2, "e-witnesses": "李某"}
    assert pharmacist.post(f"{P}/drugs/entry", data=destroy).status_code == 303
    destroy["e-witnesses"] = "李某，王某"
    assert pharmacist.post(f"{P}/drugs/entry", data=destroy).status_code == 302
    assert balance(lot) == 57
    assert dispense(pharmacist, lot, doses=1, quantity=58).status_code == 303  # not in stock
    lines = db.session.scalars(db.select(DrugEntry.balance_after).where(
        DrugEntry.lot_id == lot).order_by(DrugEntry.id)).all()
    assert lines == [50, 60, 59, 59, 57]


def test_handover_difference_blocks_until_explained_by_another(centre, as_person, pharmacy):
    first, second = as_person("pharmacist"), as_person("pharmacist2")
    counts = {f"lot-{lot}": 50 for lot in pharmacy.values()}
    counts[f"lot-{pharmacy['diazepam']}"] = 49
    assert first.post(f"{P}/drugs/count", data=counts).status_code == 302
    assert dispense(first, pharmacy["diazepam"], days="1").status_code == 303
    assert "dispensing is blocked" in first.get(f"{P}/drugs/").text
    assert balance(pharmacy["diazepam"]) == 50
    count = db.session.scalar(db.select(DrugCount).where(DrugCount.state == "open"))
    # the person who counted may not sign the explanation of their own count
    assert first.post(f"{P}/drugs/counts/{count.id}/explain",
                      data={"x-explanation": "破损一支"}).status_code == 303
    assert dispense(first, pharmacy["diazepam"], days="1").status_code == 303
    assert second.post(f"{P}/drugs/counts/{count.id}/explain",
                       data={"x-explanation": "破损一支，已报告"}).status_code == 302
    assert dispense(first, pharmacy["diazepam"], days="1").status_code == 302


def test_a_matching_count_reconciles(centre, as_person, pharmacy):
    first = as_person("pharmacist")
    counts = {f"lot-{lot}": 50 for lot in pharmacy.values()}
    first.post(f"{P}/drugs/count", data={**counts, f"lot-{pharmacy['tramadol']}": 48})
    assert dispense(first, pharmacy["tramadol"], days="1").status_code == 303
    first.post(f"{P}/drugs/count", data=counts)
    assert dispense(first, pharmacy["tramadol"], days="1").status_code == 302
    states = db.session.scalars(db.select(DrugCount.state).order_by(DrugCount.id)).all()
    assert states == ["reconciled", "reconciled"]


def test_a_count_with_a_missing_line_keeps_what_was_typed(centre, as_person, pharmacy):
    response = as_person("pharmacist").post(f"{P}/drugs/count", data={
        f"lot-{pharmacy['tramadol']}": "47"})
    assert response.status_code == 400 and 'value="47"' in response.text
    assert db.session.scalar(db.select(db.func.count(DrugCount.id))) == 0


def test_ledger_only_for_pharmacy_and_director(centre, as_person, pharmacy):
    assert as_person("director").get(f"{P}/drugs/").status_code == 200
    assert as_person("pharmacist").get(f"{P}/drugs/").status_code == 200
    for key in ("head", "officer", "nurse", "committee", "public_health"):
        assert as_person(key).get(f"{P}/drugs/").status_code in (403, 404), key
    assert dispense(as_person("director"), pharmacy["diazepam"], days="1").status_code in (
        403, 404)
    assert Decimal("7") == rules.prescription_cap("psych2", "other", unit=centre.unit).amount
