"""The required metrics of 篇二 lines 85–192, transcribed as typed fields (admin 7 items, HR 7,
engineering 6, security 7, cleaning 8, property services 15, finance 9)."""

from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from danwei_property_reports import catalogue as cat

EXPECTED = {"admin": 7, "hr": 7, "engineering": 6, "security": 7, "cleaning": 8, "service": 15,
            "finance": 9}


def test_each_department_has_the_documents_number_of_items():
    assert {d.key: len(d.items) for d in cat.DEPARTMENTS} == EXPECTED
    zh = {d.key: d.zh for d in cat.DEPARTMENTS}
    assert zh == {"admin": "行政办公室", "hr": "人事部", "engineering": "工程部",
                  "security": "保安部", "cleaning": "保洁部", "service": "物业部",
                  "finance": "财务部"}


@pytest.mark.parametrize("dept", [*cat.DEPARTMENTS, cat.OTHER], ids=lambda d: d.key)
def test_items_and_fields_are_well_formed(dept):
    assert [i.number for i in dept.items] == list(range(1, len(dept.items) + 1))
    keys = [f.key for f in dept.fields]
    assert len(keys) == len(set(keys)), "field keys are unique within a department"
    seen = set()
    for item in dept.items:
        assert item.zh.strip() and str(item.en).strip()
        assert item.fields, f"item {item.number} asks for something"
        for field in item.fields:
            assert field.kind in cat.KINDS
            assert field.zh.strip() and str(field.en).strip()
            if field.computed:
                assert field.op in ("sum", "ratio")
                assert set(field.args) <= seen, "computed from fields declared before it"
            if getattr(field, "total", None):
                assert field.kind == cat.BREAKDOWN and field.total in keys
            seen.add(field.key)
        for rule in item.rules:
            assert {rule.a, rule.b} <= set(keys) and str(rule.message)
    if dept is not cat.OTHER:
        lines = [i.line for i in dept.items]
        assert lines == sorted(lines) and 85 <= lines[0] and lines[-1] <= 192


def test_the_ratios_the_document_asks_for_are_computed_not_typed():
    computed = {(d.key, f.key) for d in cat.DEPARTMENTS for f in d.fields if f.computed}
    for wanted in [("engineering", "service_total"), ("engineering", "share_normal"),
                   ("service", "requests_total"), ("service", "share_requests_rework"),
                   ("service", "letting_success_rate"), ("finance", "fee_collection_rate"),
                   ("finance", "income_to_budget"), ("finance", "hot_water_rate"),
                   ("admin", "newsletter_ratio")]:
        assert wanted in computed
    typed_percentages = [f for d in cat.DEPARTMENTS for f in d.inputs if f.kind == cat.PERCENT]
    assert typed_percentages == []


def test_a_company_rate_is_the_ratio_of_its_totals():
    two_departments = {"fee_receivable": Decimal(1000) + Decimal(3000),
                       "fee_collected": Decimal(500) + Decimal(3000)}
    rate = cat.compute(cat.FINANCE, two_departments)["fee_collection_rate"]
    assert rate == Decimal("0.875")  # not the mean of 50 % and 100 %
    assert cat.compute(cat.FINANCE, {"fee_receivable": Decimal(0),
                                     "fee_collected": Decimal(0)})["fee_collection_rate"] is None
    shares = cat.compute(cat.ENGINEERING, {"repairs_normal": 6, "repairs_special": 2,
                                           "repairs_rework": 1, "repairs_other": 1})
    assert shares["service_total"] == 10 and shares["share_normal"] == Decimal("0.6")


def test_the_chinese_labels_are_in_the_plugins_catalogue():
    po_file = (Path(cat.__file__).parent / "translations" / "zh_CN" / "LC_MESSAGES"
               / "danwei_property_reports.po")
    with po_file.open("rb") as f:
        catalog = read_po(f)
    for dept in cat.DEPARTMENTS:
        for item in dept.items:
            for label in (item.en, *(f.en for f in item.fields)):
                message = catalog.get(label._args[0])
                assert message is not None, label._args[0]
                assert message.string, f"no Chinese for {label._args[0]!r}"
