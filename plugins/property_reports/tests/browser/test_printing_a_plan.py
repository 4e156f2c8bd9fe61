"""A plan prints for filing in a real Chromium (issue 18 §12): the approved plan of the demo
company opens from its page on the company's form sample, the signature boxes filled in
(prepared, approved, review record), the intranet's chrome hidden in print, on A4."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.api import db
from core.testing_kit import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_an_approved_plan_prints_on_the_form_sample(page, live_server, load_demo, log_in,
                                                    console_errors):
    from danwei_property_reports.models import APPROVED, DEPARTMENT, Plan, PlanVersion

    load_demo()
    version = db.session.scalars(
        select(PlanVersion).join(Plan, Plan.id == PlanVersion.plan_id)
        .where(PlanVersion.status == APPROVED, Plan.level == DEPARTMENT)
        .order_by(PlanVersion.id)).first()
    assert version is not None, "the demo has an approved department plan"
    author = version.plan.author
    log_in(page, author.username, DEMO_PASSWORD)
    page.goto(f"/property_reports/plans/v/{version.id}")
    page.locator(f"a[href$='/plans/v/{version.id}/print']").first.click()
    page.wait_for_url(f"**/plans/v/{version.id}/print")
    items = page.get_by_test_id("print-items")
    expect(items).to_be_visible()
    assert version.items[0].content in items.inner_text()
    prepared = page.locator("[data-box=prepared]")
    approved = page.locator("[data-box=approved]")
    assert author.name in prepared.inner_text()
    assert approved.inner_text().strip() != "Signature:"  # the approver is named
    expect(page.locator("[data-box=review]")).to_be_visible()

    # In print: the form only, on A4.
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_have_count(0)
    expect(prepared).to_be_visible()
    pdf = page.pdf(prefer_css_page_size=True)  # the page size the stylesheet asks for
    boxes = re.findall(rb"/MediaBox \[([\d. ]+)\]", pdf)
    assert pdf.startswith(b"%PDF") and boxes
    width, height = sorted(float(n) for n in boxes[0].split()[2:4])
    assert (round(width), round(height)) in ((595, 842), (596, 842))  # A4 in points
    assert console_errors == []
