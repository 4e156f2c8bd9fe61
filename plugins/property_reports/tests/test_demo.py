"""Demo data: a property company with all seven departments and a year of plans and summaries,
loaded by ``danwei demo``, twice without adding anything."""

from sqlalchemy import func, select


def test_demo_builds_a_company_with_a_year_of_history(app, db, login, client, load_demo):
    from danwei_property_reports.catalogue import DEPARTMENT_KINDS
    from danwei_property_reports.models import Plan, Summary

    from core.api import Unit

    accounts = [a for plugin, a in load_demo() if plugin == "property_reports"]
    assert {a.username for a in accounts} == {"pr_boss", "pr_pm", "pr_eng", "pr_service",
                                              "pr_team", "pr_staff"}
    departments = db.session.scalars(select(Unit).where(Unit.kind.in_(DEPARTMENT_KINDS))).all()
    assert len(departments) == 7
    summaries = db.session.scalar(select(func.count(Summary.id)))
    plans = db.session.scalar(select(func.count(Plan.id)))
    assert summaries >= 7 * 11 and plans >= 7 * 13

    load_demo()
    assert db.session.scalar(select(func.count(Summary.id))) == summaries
    assert db.session.scalar(select(func.count(Plan.id))) == plans

    # The project manager has next month's engineering plan waiting, the board shows it.
    login("pr_pm", password="danwei2026")
    board = client.get("/property_reports/")
    assert board.status_code == 200 and "工程部" in board.text
    assert client.get("/property_reports/evaluation").status_code == 200
