"""Charts in a real Chromium: Chart.js and charts.js load and draw under the strict CSP
(``script-src 'self'``, no inline script), on the dashboard, a report, and its A4 print view."""

import pytest

pytestmark = pytest.mark.browser

PLUGIN = '''
from core.api import (Chart, DataColumn, DataTable, Permission, Report, RoleSpec, Series,
                      chart_widget, hookimpl)

MONTHS = ["Jan", "Feb", "Mar"]


def trends(ctx):
    return [
        Chart("bar", "Absences", labels=MONTHS, stacked=True,
              series=[Series("Sick", [3, 5, 2]), Series("Personal", [1, 0, 4])]),
        Chart("line", "Attendance rate", labels=MONTHS, percent=True,
              series=[Series("Rate", [0.95, 0.975, 0.9])]),
        Chart("pie", "Kinds", labels=["Sick", "Personal"], series=[Series("Entries", [10, 5])]),
        DataTable(columns=[DataColumn("month", "Month"), DataColumn("n", "Absences", "int")],
                  rows=[("Jan", 4), ("Feb", 5), ("Mar", 6)]),
    ]


@hookimpl
def register_permissions():
    return [Permission("rep_web.view", "View")]


@hookimpl
def register_roles():
    return [RoleSpec("rep_web.viewer", "Viewer", ("rep_web.view",))]


@hookimpl
def register_reports():
    return [Report("rep_web.trends", "Trends", "rep_web.view", trends)]


@hookimpl
def dashboard_widgets():
    return [chart_widget("trend", "Trend", lambda: Chart(
        "line", "Trend", labels=MONTHS, series=[Series("Absences", [4, 5, 6])]), "rep_web.view")]
'''

DRAWN = """() => [...document.querySelectorAll('canvas[data-chart]')]
               .map(c => c.dataset.drawn === 'true' && !!Chart.getChart(c))"""


@pytest.fixture
def app(make_plugin, make_app):
    make_plugin("rep_web", PLUGIN)
    application = make_app()
    with application.app_context():
        yield application


@pytest.fixture
def viewer(app, create_unit, create_user, db):
    from core import units

    school = create_unit("web_s", "School", "school")
    units.set_plugin_state("rep_web", school, True)
    db.session.commit()
    return create_user("viewer", unit=school, roles=(("rep_web.viewer", school),))


def test_charts_draw_under_the_content_security_policy(page, viewer, log_in, console_errors):
    log_in(page, viewer)
    page.goto("/")
    page.wait_for_selector("canvas[data-drawn='true']")
    assert page.evaluate(DRAWN) == [True]
    assert console_errors == []

    page.goto("/reports/rep_web.trends?period=2026-03")
    page.wait_for_selector("canvas[data-drawn='true']")
    assert page.evaluate(DRAWN) == [True, True, True]
    kinds = page.evaluate("() => [...document.querySelectorAll('canvas[data-chart]')]"
                          ".map(c => Chart.getChart(c).config.type)")
    assert kinds == ["bar", "line", "pie"]
    assert console_errors == []

    page.get_by_test_id("print").click()
    page.wait_for_selector("canvas[data-drawn='true']")
    assert page.evaluate(DRAWN) == [True, True, True]
    assert page.locator("[data-testid=menu]").count() == 0
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert console_errors == []
