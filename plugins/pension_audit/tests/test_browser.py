"""From import to report in a real Chromium: the auditor uploads the fund's payments and the
death register, maps the columns, runs the checks, reads the findings, and prints the report.
Every page is checked by axe-core (core.testing_browser)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from danwei_pension_audit.generator import id_number_for

pytestmark = pytest.mark.browser

DEAD = id_number_for(date(1950, 1, 2), 31)
TWICE = id_number_for(date(1952, 7, 8), 32)


def csv_file(name, lines):
    return {"name": name, "mimeType": "text/csv",
            "buffer": ("\n".join(lines) + "\n").encode("gbk")}


def upload(page, engagement_id, kind, source, file):
    page.goto(f"/pension_audit/{engagement_id}")
    page.get_by_test_id("import").click()
    page.get_by_label("Data").select_option(kind)
    page.get_by_label("Source").fill(source)
    page.get_by_label("CSV or XLSX file").set_input_files(file)
    page.get_by_role("button", name="Upload").click()
    page.get_by_test_id("start-import").click()
    expect(page.get_by_test_id("import-state")).to_have_attribute("data-state", "imported")


def test_from_import_to_report(page, live_server, county, log_in, console_errors):
    engagement = county.engagement.id
    log_in(page, county.auditor)
    page.get_by_test_id("menu").get_by_role("link", name="Pension audit").click()
    page.get_by_role("link", name="2024 audit").click()
    expect(page.get_by_test_id("checklist").locator("tr[data-item]")).to_have_count(12)

    upload(page, engagement, "payments", "县农商行", csv_file("发放.csv", [
        "身份证号,发放月份,发放金额",
        f"{DEAD},2024-01,200.00", f"{DEAD},2024-02,200.00", f"{DEAD},2024-03,200.00",
        f"{TWICE},2024-01,180.00", f"{TWICE},2024-01,180.00"]))
    upload(page, engagement, "deaths", "民政局", csv_file("死亡.csv", [
        "身份证号,死亡日期", f"{DEAD},2024年1月20日"]))

    page.goto(f"/pension_audit/{engagement}")
    page.get_by_test_id("run-checks").click()
    expect(page.get_by_test_id("task-status")).to_have_attribute("data-status", "done")
    page.goto(f"/pension_audit/{engagement}/findings")
    expect(page.get_by_test_id("total")).to_have_text("3 findings")
    page.get_by_label("Rule").select_option("paid_after_death")
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_test_id("findings").locator("tbody tr")
    expect(rows).to_have_count(2)
    rows.first.get_by_role("link").click()
    expect(page.get_by_test_id("rule")).to_have_attribute("data-rule", "paid_after_death")
    expect(page.get_by_test_id("records-payments")).to_contain_text("2024-02-01")

    page.goto(f"/pension_audit/{engagement}/report")
    expect(page.get_by_test_id("signatures")).to_contain_text(county.verifier.name)
    expect(page.get_by_test_id("report-rules").locator("tr[data-rule]")).to_have_count(2)
    assert console_errors == []
