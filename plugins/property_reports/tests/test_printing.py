"""Printing for filing (issue 18 §12): a plan and a summary on the form sample, with the
boxes for who prepared and approved them and the review record; A4 print CSS."""

import re

P = "/property_reports"


def test_an_approved_plan_prints_with_its_signature_boxes(company, as_user, pr):
    eng = as_user(company.people["engineering_manager"])
    version = pr.start_plan(eng, company.departments["engineering"], *pr.next_month())
    pr.add_item(eng, version, content="水箱清洗")
    pr.submit(eng, version)
    pr.decide(as_user(company.people["pm"]), pr.workflow_of(version), comment="同意执行")
    assert f"/plans/v/{version}/print" in eng.get(f"{P}/plans/v/{version}").text
    sheet = eng.get(f"{P}/plans/v/{version}/print").text
    assert 'class="pr-sheet"' in sheet and "navbar" not in sheet
    assert "水箱清洗" in sheet and "清洗记录表" in sheet  # every column of line 59
    boxes = dict(re.findall(r'data-box="(\w+)"[^>]*>(.*?)</td>', sheet, re.S))
    assert "engineering经理" in boxes["prepared"]
    assert "张项目经理" in boxes["approved"]
    assert "同意执行" in boxes["review"]


def test_a_summary_prints_with_its_reviewer(company, as_user, pr):
    from danwei_property_reports import catalogue as cat

    eng = as_user(company.people["engineering_manager"])
    summary, _ = pr.hand_in_summary(eng, company.departments["engineering"], cat.ENGINEERING)
    sheet = eng.get(f"{P}/summaries/{summary}/print").text
    boxes = dict(re.findall(r'data-box="(\w+)"[^>]*>(.*?)</td>', sheet, re.S))
    assert "engineering经理" in boxes["prepared"] and "张项目经理" not in boxes["approved"]
    pr.decide(as_user(company.people["pm"]), pr.summary_request(summary), comment="数据属实")
    sheet = eng.get(f"{P}/summaries/{summary}/print").text
    boxes = dict(re.findall(r'data-box="(\w+)"[^>]*>(.*?)</td>', sheet, re.S))
    assert "张项目经理" in boxes["approved"] and "数据属实" in boxes["review"]
    assert cat.ENGINEERING.items[0].zh in sheet


def test_print_pages_are_scoped_and_the_css_prints_on_a4(company, as_user, pr, client):
    eng = as_user(company.people["engineering_manager"])
    version = pr.start_plan(eng, company.departments["engineering"], *pr.next_month())
    other = as_user(company.people["finance_manager"])
    assert other.get(f"{P}/plans/v/{version}/print").status_code == 404
    response = client.get(f"{P}/static/property_reports.css")
    css = response.text
    response.close()
    assert "size: A4" in css and "@media print" in css
