"""From one month to the next (issue 18 §11): a plan starts from last month's with one click,
running totals (累计收楼, 累计车位) are carried over and computed, and counts read as whole
numbers ("205", not "205.00")."""

import random
import re
from datetime import date

from danwei_property_reports import catalogue as cat
from danwei_property_reports import deadlines as dl
from danwei_property_reports.demo import sample_values

P = "/property_reports"
BASE = {"routine_work": "例行工作均已完成。", "duties": "部门职责履行正常。"}


def test_a_plan_starts_from_last_months_with_one_click(company, as_user, pr, db):
    eng = as_user(company.people["engineering_manager"])
    unit = company.departments["engineering"]
    year, month = pr.next_month()
    after = dl.add_months(year, month, 1)
    # Nothing to copy yet: said so, nothing started.
    response = eng.post(f"{P}/plans/new", data={"unit": unit.id, "month": pr.month_text(*after),
                                                "copy_last": "1"})
    assert response.status_code == 200
    assert "has no plan for" in response.text

    first = pr.start_plan(eng, unit, year, month)
    pr.add_item(eng, first, content="水箱清洗")
    pr.add_item(eng, first, content="泵房除锈", inspector="孙班长")
    pr.submit(eng, first)
    pr.decide(as_user(company.people["pm"]), pr.workflow_of(first))

    response = eng.post(f"{P}/plans/new", data={"unit": unit.id, "month": pr.month_text(*after),
                                                "copy_last": "1"})
    assert response.status_code == 302, response.text
    page = eng.get(response.headers["Location"]).text
    assert "水箱清洗" in page and "泵房除锈" in page and "孙班长" in page
    from danwei_property_reports.models import PlanVersion

    version_id = int(re.search(r"/plans/v/(\d+)", response.headers["Location"]).group(1))
    version = db.session.get(PlanVersion, version_id)
    assert version.status == "draft" and version.plan.period == after[0] * 100 + after[1]
    assert [i.content for i in version.items] == ["水箱清洗", "泵房除锈"]


def _summary(client, unit, year, month, **metrics):
    response = client.post(f"{P}/summaries/new",
                           data={"unit": unit.id, "month": f"{year}-{month:02d}"})
    assert response.status_code == 302, response.text
    summary = int(re.search(r"/summaries/(\d+)", response.headers["Location"]).group(1))
    values = sample_values(cat.SERVICE, random.Random(11))
    data = {**BASE, "hand_in": "1"}
    for field in cat.SERVICE.inputs:
        value = values.get(field.key)
        if field.kind == cat.BREAKDOWN and value is not None:
            data[f"m_{field.key}"] = "\n".join(f"{c}: {v}" for c, v in value)
        elif value is not None:
            data[f"m_{field.key}"] = str(value)
    data.update({f"m_{k}": v for k, v in metrics.items()})
    return summary, data


def test_running_totals_are_carried_over_and_counts_have_no_decimals(company, as_user):
    service = as_user(company.people["service_manager"])
    unit = company.departments["service"]
    today = date.today()
    last = dl.add_months(today.year, today.month, -1)
    before = dl.add_months(*last, -1)
    summary, data = _summary(service, unit, *before, handovers="12",
                             handovers_cumulative="200", parking_let="4",
                             parking_let_cumulative="50")
    assert service.post(f"{P}/summaries/{summary}/edit", data=data).status_code == 302

    summary, data = _summary(service, unit, *last, handovers="5", handovers_cumulative="",
                             parking_let="3", parking_let_cumulative="")
    form = service.get(f"{P}/summaries/{summary}/edit").text
    assert "Last month&#39;s total was 200" in form or "Last month's total was 200" in form
    response = service.post(f"{P}/summaries/{summary}/edit", data=data)
    assert response.status_code == 302, response.text
    page = service.get(f"{P}/summaries/{summary}").text

    def shown(key):
        return page.split(f'data-metric="{key}">')[1].split("</dd>")[0].strip()

    assert shown("handovers_cumulative") == "205 户"
    assert shown("parking_let_cumulative").startswith("53")

    # The company report shows counts as whole numbers.
    boss = as_user(company.people["boss"])
    report = boss.get(f"/reports/property_reports.company_monthly?unit={company.unit.id}"
                      f"&period={last[0]}-{last[1]:02d}").text
    row = report.split(str(cat.SERVICE.field("handovers_cumulative").en))[1].split("</tr>")[0]
    assert ">205<" in row.replace(" ", "") and "205.00" not in row


def test_a_typed_total_is_kept(company, as_user):
    service = as_user(company.people["service_manager"])
    unit = company.departments["service"]
    today = date.today()
    last = dl.add_months(today.year, today.month, -1)
    before = dl.add_months(*last, -1)
    summary, data = _summary(service, unit, *before, handovers="12",
                             handovers_cumulative="200")
    service.post(f"{P}/summaries/{summary}/edit", data=data)
    summary, data = _summary(service, unit, *last, handovers="5", handovers_cumulative="210")
    assert service.post(f"{P}/summaries/{summary}/edit", data=data).status_code == 302
    page = service.get(f"{P}/summaries/{summary}").text
    assert 'data-metric="handovers_cumulative">210 户' in page.replace("\n", "").replace(
        '">  ', '">')
