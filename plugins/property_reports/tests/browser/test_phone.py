"""The plugin's pages on a 390 px phone (issue 18, point 9), with the demo company's data:
lists read as cards (no table of more than three columns left as a table) and no name is
squeezed into one character per line. axe-core checks each page as it loads."""

import pytest
from sqlalchemy import select

from core.api import db
from core.testing_kit import DEMO_PASSWORD

pytestmark = pytest.mark.browser

SQUEEZED = r"""() => {
  const found = [];
  for (const el of document.querySelectorAll('main td, main th, main dd, main li, main a')) {
    const text = (el.innerText || '').trim();
    if (text.length < 3 || el.offsetParent === null) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const box = range.getBoundingClientRect();
    const style = getComputedStyle(el);
    const line = parseFloat(style.lineHeight) || 1.5 * parseFloat(style.fontSize);
    const lines = Math.round(box.height / line);
    if (lines >= 3 && lines * 2 >= text.replace(/\s+/g, '').length) found.push(text.slice(0, 30));
  }
  return found;
}"""
#: Tables of more than three columns that are not cards (matrices and forms are bordered).
WIDE_TABLES = r"""() => [...document.querySelectorAll('main table:not(.table-bordered)')]
  .filter(t => t.offsetParent !== null && t.rows.length && t.rows[0].cells.length > 3)
  .filter(t => getComputedStyle(t.tBodies[0].rows[0] || t.rows[0]).display !== 'block')
  .map(t => t.dataset.testid || t.className)"""
PRINT_FORMS = ("/print",)


def test_the_pages_read_on_a_phone(phone, live_server, load_demo, log_in, console_errors):
    from danwei_property_reports.models import (
        Catalogue,
        Plan,
        PlanVersion,
        Spec,
        Summary,
    )

    load_demo()
    first = lambda model: db.session.scalars(select(model).order_by(model.id)).first()  # noqa: E731
    version = db.session.scalars(select(PlanVersion).join(Plan).where(
        Plan.unit.has(code="pr-eng")).order_by(PlanVersion.id)).first()
    summary = db.session.scalars(select(Summary).where(
        Summary.unit.has(code="pr-eng")).order_by(Summary.id)).first()
    spec, catalogue = first(Spec), first(Catalogue)
    pages = {
        "pr_pm": ["/", "/property_reports/", "/property_reports/plans",
                  "/property_reports/summaries", "/property_reports/routine",
                  "/property_reports/specs", "/property_reports/units",
                  "/property_reports/evaluation", f"/property_reports/plans/{version.plan_id}",
                  f"/property_reports/plans/v/{version.id}",
                  f"/property_reports/plans/v/{version.id}/print",
                  f"/property_reports/summaries/{summary.id}",
                  f"/property_reports/summaries/{summary.id}/print",
                  f"/property_reports/specs/{spec.id}",
                  f"/property_reports/routine/c/{catalogue.id}"],
        "pr_eng": ["/property_reports/plans/new", "/property_reports/summaries/new",
                   "/property_reports/specs/new"],
    }
    for username, paths in pages.items():
        phone.context.clear_cookies()
        log_in(phone, username, DEMO_PASSWORD)
        for path in paths:
            response = phone.goto(path)
            assert response.status == 200, (username, path)
            assert phone.evaluate(SQUEEZED) == [], (username, path)
            if not path.endswith(PRINT_FORMS):
                assert phone.evaluate(WIDE_TABLES) == [], (username, path)
    assert console_errors == []
