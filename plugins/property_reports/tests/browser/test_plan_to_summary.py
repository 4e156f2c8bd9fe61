"""One department's month in a real Chromium: the engineering manager plans next month's work,
the project manager approves it, and the manager hands in the summary with its checklist and
the engineering department's required metrics."""

from datetime import date

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

METRICS = {
    "m_repairs_normal": "180", "m_repairs_special": "40", "m_repairs_rework": "10",
    "m_repairs_other": "20", "m_maintenance_total": "420", "m_attendance": "760",
    "m_systems_operation": "各系统运行正常", "m_main_problems": "备件不足",
    "m_main_improvements": "建立备件台账",
}


def test_plan_approved_then_summary_submitted(page, new_page, company, log_in, console_errors):
    manager, pm = company.people["engineering_manager"], company.people["pm"]
    today = date.today()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)

    # The manager finds next month's plan on the board and starts it.
    log_in(page, manager)
    page.get_by_test_id("menu").get_by_role("link", name="Plans & summaries").click()
    row = page.locator('tr[data-unit="acme-engineering"]')
    row.get_by_test_id("plan-cell").get_by_role("link", name="Start the plan").click()
    page.get_by_role("button", name="Start the plan").click()
    expect(page.locator("h1")).to_contain_text(f"{year}-{month:02d}")

    page.get_by_test_id("add-item").click()
    for name, value in {
        "content": "二次供水水箱清洗", "standard": "水质检测合格", "place": "地下泵房",
        "schedule": "上旬", "people": "水电班 3 人", "spec_note": "按卫生部门要求",
        "records": "清洗记录表", "inspection_method": "取水样送检", "inspector": "工程部经理",
        "outputs": "向物业部提交检测报告",
    }.items():
        page.locator(f"[name={name}]").fill(value)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("items")).to_contain_text("二次供水水箱清洗")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_test_id("status").first).to_have_text("Waiting for approval")
    plan_url = page.url
    assert console_errors == []

    # The project manager approves it on the plan's page.
    approver = new_page()
    log_in(approver, pm)
    approver.goto(plan_url)
    panel = approver.get_by_test_id("workflow-panel")
    expect(panel).to_contain_text("approved by the project manager")
    panel.get_by_test_id("workflow-decide").get_by_role("button", name="Approve").click()
    expect(approver.get_by_test_id("status").first).to_have_text("Approved")

    # The month's summary: the plan's work comes back as a checklist.
    page.goto("/property_reports/summaries/new")
    page.locator("[name=month]").fill(f"{year}-{month:02d}")
    page.get_by_role("button", name="Start the summary").click()
    form = page.get_by_test_id("summary-form")
    expect(form).to_contain_text("二次供水水箱清洗")
    form.get_by_label("Done", exact=True).check()
    page.locator("[name=routine_work]").fill("例行工作完成")
    page.locator("[name=duties]").fill("职责履行正常")
    for name, value in METRICS.items():
        page.locator(f"[name={name}]").fill(value)
    # Submitting without a required figure is refused and keeps what was typed.
    page.locator("[name=m_attendance]").fill("")
    page.get_by_role("button", name="Submit the summary").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("Required before")
    expect(page.locator("[name=m_repairs_normal]")).to_have_value("180")
    page.locator("[name=m_attendance]").fill("760")
    page.get_by_role("button", name="Submit the summary").click()
    expect(page.get_by_test_id("status").first).to_have_text("Submitted")
    expect(page.get_by_test_id("checklist")).to_contain_text("Done")
    share = page.locator('[data-metric="share_normal"]')
    expect(share).to_have_text("72.0%")  # 180 of 250 services, computed
    assert console_errors == []
