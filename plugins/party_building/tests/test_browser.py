"""In a real Chromium: an applicant's file walked from the application to full membership
across two years of dated steps — one step refused as too early, with the date it becomes
allowed — then the secretary's annual report drafted, saved and printed. Every page is checked
by axe-core (core's browser fixtures)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

VOTE = {"Full members entitled to vote": "10", "Of them present": "8", "In favour": "7"}
#: (step, date, extra fields): application 2023, conversion 2025.
STEPS = (
    ("talked", "2023-01-20", {}),
    ("activist", "2023-02-01", {"Contact person (培养联系人)": "王伟"}),
    ("review", "2023-08-01", {}),
    ("review", "2024-01-20", {}),
    ("target", "2024-02-01", {}),
    ("political_review", "2024-02-10", {}),
    ("training", "2024-02-20", {"Class hours": "24"}),
    ("notice", "2024-03-04", {}),
    ("admitted", "2024-03-11", VOTE),
    ("approved", "2024-04-20", {}),
    ("converted", "2025-03-11", VOTE),
)


def record(page, step, on, fields):
    page.get_by_label("Step", exact=True).select_option(step)
    page.get_by_label("Date", exact=True).fill(on)
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Record the step").click()


def test_a_file_walked_to_conversion_then_the_annual_report_printed(
        page, live_server, log_in, org, create_user, console_errors):
    branch = org["branch"]
    keeper = create_user(unit=branch, roles=(("party_building.organisation_member", branch),))
    secretary = create_user(unit=branch, roles=(("party_building.secretary", branch),))

    log_in(page, keeper)
    page.goto(f"/party_building/branch/{branch.id}/development")
    page.get_by_role("link", name="Open a file").click()
    page.get_by_label("Applicant's name").fill("赵磊")
    page.get_by_label("Application dated").fill("2023-01-09")
    page.get_by_role("button", name="Open the file").click()
    expect(page.get_by_test_id("stage")).to_have_attribute("data-state", "applied")

    for step, on, fields in STEPS:
        if step == "target":
            # One day early: refused, with the date it becomes allowed.
            record(page, step, "2024-01-31", fields)
            expect(page.get_by_test_id("allowed-from")).to_have_text("2024-02-01")
        record(page, step, on, fields)
        expect(page.locator(".alert-success")).to_contain_text("recorded")
        assert console_errors == []
    expect(page.get_by_test_id("stage")).to_have_attribute("data-state", "converted")
    expect(page.get_by_test_id("steps").locator("li")).to_have_count(len(STEPS) + 1)

    page.context.clear_cookies()
    log_in(page, secretary)
    page.goto(f"/party_building/branch/{branch.id}/report/2025")
    body = page.get_by_label("Report")
    expect(body).to_contain_text("Converted to full members: 赵磊（2025-03-11）")
    body.fill(body.input_value() + "\n一年来，支部严格执行发展党员工作细则。")
    page.get_by_role("button", name="Save the report").click()
    expect(page.locator(".alert-success")).to_contain_text("saved")
    page.get_by_test_id("print-link").click()
    report = page.get_by_test_id("annual-report")
    expect(report).to_contain_text("赵磊（2025-03-11）")
    expect(report).to_contain_text("一年来，支部严格执行发展党员工作细则。")
    expect(report.locator("h2").first).to_be_visible()
    assert console_errors == []
