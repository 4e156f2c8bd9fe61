"""A summary reviewed in a real Chromium (issue 18 §10, §12): the project manager returns it
with the reason, the manager corrects the typo and hands it in again, the project manager
accepts it, and the summary prints for filing with the reviewer in its box."""

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


def test_summary_returned_corrected_accepted_and_printed(page, new_page, company, log_in,
                                                         console_errors):
    manager, pm = company.people["engineering_manager"], company.people["pm"]
    today = date.today()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)

    log_in(page, manager)
    page.goto("/property_reports/summaries/new")
    page.locator("[name=month]").fill(f"{year}-{month:02d}")
    page.get_by_role("button", name="Start the summary").click()
    page.locator("[name=routine_work]").fill("例行工作完成")
    page.locator("[name=duties]").fill("职责履行正长")  # the typo
    for name, value in METRICS.items():
        page.locator(f"[name={name}]").fill(value)
    page.get_by_role("button", name="Submit the summary").click()
    expect(page.get_by_test_id("status").first).to_have_text("Submitted")
    summary_url = page.url

    reviewer = new_page()
    log_in(reviewer, pm)
    reviewer.goto(summary_url)
    decide = reviewer.get_by_test_id("workflow-decide")
    decide.locator("textarea").first.fill("职责一栏有错字")
    decide.get_by_role("button", name="Return for revision").click()
    expect(reviewer.get_by_test_id("status").first).to_have_text("Returned for correction")

    page.goto(summary_url)
    expect(page.get_by_test_id("workflow-panel")).to_contain_text("职责一栏有错字")
    page.get_by_role("link", name="Fill in").click()
    page.locator("[name=duties]").fill("职责履行正常")
    page.locator("[name=note]").fill("改正错字")
    page.get_by_role("button", name="Submit the summary").click()
    expect(page.get_by_test_id("status").first).to_have_text("Submitted")

    reviewer.goto(summary_url)
    reviewer.get_by_test_id("workflow-decide").get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_test_id("status").first).to_have_text("Accepted")
    versions = reviewer.get_by_test_id("versions")
    expect(versions).to_contain_text("改正错字")
    expect(versions.get_by_test_id("change")).to_contain_text("职责履行正长")

    page.goto(summary_url)
    page.get_by_test_id("print-link").click()
    expect(page.locator('[data-box="approved"]')).to_contain_text("张项目经理")
    expect(page.locator('[data-box="review"]')).to_contain_text("职责一栏有错字")
    assert console_errors == []
