"""The pages over HTTP: engagements scoped to the agency, the checklist, findings with filters,
rectification with its working-day deadline and escalation, the next audit's re-check,
samples, the printed report, the XLSX of findings, the summary, the widget."""

from __future__ import annotations

import io
import random
import re
from datetime import date, datetime

import openpyxl
from sqlalchemy import func, select

from core.api import add_working_days, set_setting
from danwei_pension_audit import checks
from danwei_pension_audit.generator import Population, id_number_for
from danwei_pension_audit.generator import load as load_population
from danwei_pension_audit.models import (
    PensionAuditAnswer,
    PensionAuditEngagement,
    PensionAuditFinding,
    PensionAuditSampleRecord,
)
from danwei_pension_audit.testing import add_rows, make_engagement

C = id_number_for(date(1950, 1, 2), 13)


def with_findings(db, engagement, n=3):
    """*n* double payments of one member, one finding each."""
    add_rows(db, engagement, "payments", [
        {"id_number": C, "month": date(2024, m, 1), "amount": 100}
        for m in range(1, n + 1) for _ in range(2)])
    checks.run_checks(engagement)
    db.session.commit()


def test_opening_an_audit_needs_two_people(app, db, client, county, login):
    login(county.auditor)
    data = {"unit": county.town2.id, "title": "河口乡 2024", "period_start": "2024-01-01",
            "period_end": "2024-12-31", "preparer": county.auditor.id,
            "verifier": county.auditor.id}
    response = client.post("/pension_audit/new", data=data)
    assert response.status_code == 200
    assert "must be someone other than the preparer" in response.text
    assert 'value="河口乡 2024"' in response.text  # what was typed is kept
    response = client.post("/pension_audit/new", data={**data, "verifier": county.verifier.id})
    assert response.status_code == 302
    engagement = db.session.scalar(select(PensionAuditEngagement).where(
        PensionAuditEngagement.title == "河口乡 2024"))
    assert engagement.unit_id == county.town2.id
    assert db.session.scalar(select(func.count(PensionAuditAnswer.id)).where(
        PensionAuditAnswer.engagement_id == engagement.id)) == 12
    page = client.get(response.headers["Location"]).text
    assert page.count('data-item="') == 12


def test_auditors_see_their_agency_only_and_stations_their_own_issued_findings(
        app, db, client, county, login, unit_tree, create_user, enable_plugin, as_user):
    other = unit_tree("oth", kinds=("agency",))
    enable_plugin("pension_audit", other)
    stranger = create_user("aud2", unit=other, roles=(("pension_audit.auditor", other),))
    with_findings(db, county.engagement)
    finding = db.session.scalar(select(PensionAuditFinding.id))
    e = county.engagement.id
    outsider = as_user(stranger)
    assert "2024 audit" not in outsider.get("/pension_audit/").text
    for path in (f"/pension_audit/{e}", f"/pension_audit/{e}/findings",
                 f"/pension_audit/findings/{finding}", f"/pension_audit/{e}/report",
                 f"/pension_audit/{e}/items/2"):
        assert outsider.get(path).status_code == 404, path
    station, station2 = as_user(county.station), as_user(county.station2)
    # Not before the report is issued.
    assert "data-rule" not in station.get("/pension_audit/findings").text
    assert station.get(f"/pension_audit/findings/{finding}/respond").status_code == 404
    county.engagement.state = "issued"
    db.session.commit()
    assert station.get("/pension_audit/findings").text.count('data-rule="double_payment"') == 3
    assert station.get(f"/pension_audit/findings/{finding}/respond").status_code == 200
    assert station.get(f"/pension_audit/{e}").status_code in (403, 404)  # no checklist
    assert "data-rule" not in station2.get("/pension_audit/findings").text
    assert station2.get(f"/pension_audit/findings/{finding}/respond").status_code == 404
    login(county.auditor)
    assert "2024 audit" in client.get("/pension_audit/").text


def test_checklist_answer_and_evidence_with_its_own_date(app, db, client, county, login):
    login(county.auditor)
    url = f"/pension_audit/{county.engagement.id}/items/9"
    response = client.post(url, data={"answer-result": "compliant",
                                      "answer-notes": "财政专户对账单一致", "answer-submit": "1"})
    assert response.status_code == 302
    answer = db.session.scalar(select(PensionAuditAnswer).where(
        PensionAuditAnswer.engagement_id == county.engagement.id, PensionAuditAnswer.item == 9))
    assert answer.result == "compliant" and answer.answered_by_id == county.auditor.id
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = client.post(url, data={
        "evidence-made_on": "2024-06-30", "evidence-description": "财政专户对账单",
        "evidence-file": (io.BytesIO(pdf), "statement.pdf"), "evidence-add": "1"},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.text
    page = client.get(url).text
    assert "2024-06-30" in page and "财政专户对账单" in page and "statement" in page
    response = client.post(url, data={"answer-result": "maybe", "answer-submit": "1"})
    assert response.status_code == 200 and "Not a valid choice" in response.text


def test_findings_are_filtered_and_paged(app, db, client, county, login):
    set_setting("core", "page_size", 2)
    with_findings(db, county.engagement, n=5)
    add_rows(db, county.engagement, "deaths", [{"id_number": C, "died_on": date(2024, 2, 10)}])
    checks.run_checks(county.engagement)
    db.session.commit()
    login(county.auditor)
    url = f"/pension_audit/{county.engagement.id}/findings"
    first = client.get(url).text
    # 5 double payments, 3 months paid after death
    assert "8 findings" in first and first.count("data-rule=") == 2
    assert client.get(url + "?page=4").text.count("data-rule=") == 2
    deaths = client.get(url + "?rule=paid_after_death").text
    assert "3 findings" in deaths and 'data-period="2024-03"' in deaths
    assert "5 findings" in client.get(url + "?item=12&rule=double_payment").text
    assert "0 findings" in client.get(url + "?q=999").text
    assert client.get(url + "?item=abc&severity=<x>&page=-3").status_code == 200
    # One root cause for the findings shown by a filter.
    response = client.post(url + "?rule=paid_after_death", data={
        "title": "死亡信息未比对", "root_cause": "未与民政死亡登记比对", "group": "1"})
    assert response.status_code == 302
    grouped = db.session.scalar(select(func.count(PensionAuditFinding.id)).where(
        PensionAuditFinding.group_id.is_not(None)))
    assert grouped == 3


def test_rectification_assign_reply_return_accept_and_escalation(
        app, db, county, as_user, run_jobs, notifications_of):
    with_findings(db, county.engagement, n=1)
    finding = db.session.scalar(select(PensionAuditFinding))
    county.engagement.state = "issued"
    db.session.commit()
    auditor, station = as_user(county.auditor), as_user(county.station)
    url = f"/pension_audit/findings/{finding.id}"
    # Only staff of the audited unit may be made responsible.
    response = auditor.post(url, data={"assign-responsible": county.station2.id,
                                       "assign-assign": "1"})
    assert db.session.get(PensionAuditFinding, finding.id).state == "open"
    before = datetime.utcnow()
    response = auditor.post(url, data={"assign-responsible": county.station.id,
                                       "assign-note": "核实重复发放", "assign-assign": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    finding = db.session.get(PensionAuditFinding, finding.id)
    assert finding.state == "rectifying" and finding.responsible_id == county.station.id
    due = add_working_days(before, 20, unit=county.town1)
    assert abs((finding.deadline_at - due).total_seconds()) < 120
    told = [n for n in notifications_of(county.station) if "rectify" in n.subject]
    assert told and station.get(told[0].link).status_code == 200  # the link opens for them
    respond = f"{url}/respond"
    assert station.post(respond, data={"reply-text": "", "reply-reply": "1"}).status_code == 200
    assert station.post(respond, data={"reply-text": "已追回多发金额",
                                       "reply-reply": "1"}).status_code == 302
    assert auditor.post(url, data={"decide-decision": "return", "decide-text": "",
                                   "decide-decide": "1"}).status_code == 200
    assert auditor.post(url, data={"decide-decision": "return", "decide-text": "缺银行凭证",
                                   "decide-decide": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(PensionAuditFinding, finding.id).state == "returned"
    # Past the deadline, the auditors hear of it once.
    run_jobs(at=due.replace(hour=0) + (datetime(2000, 1, 2) - datetime(2000, 1, 1)) * 2,
             job="pension_audit.escalate", force=True)
    db.session.expire_all()
    finding = db.session.get(PensionAuditFinding, finding.id)
    assert finding.escalated_at is not None
    assert any("overdue" in n.subject for n in notifications_of(county.auditor))
    assert "data-state=\"overdue\"" in auditor.get(url).text
    station.post(respond, data={"reply-text": "已补银行凭证", "reply-reply": "1"})
    auditor.post(url, data={"decide-decision": "accept", "decide-decide": "1"})
    db.session.expire_all()
    assert db.session.get(PensionAuditFinding, finding.id).state == "accepted"
    steps = re.findall(r'data-action="(\w+)"', auditor.get(url).text)
    assert steps == ["assigned", "replied", "returned", "escalated", "replied", "accepted"]


def test_next_audit_rechecks_open_findings_and_compares(app, db, client, county, login):
    with_findings(db, county.engagement, n=2)
    county.engagement.state = "issued"
    db.session.commit()
    later = make_engagement(db, county.town1, county.auditor, county.verifier,
                            previous=county.engagement.id)
    add_rows(db, later, "payments", [{"id_number": C, "month": date(2024, 1, 1),
                                      "amount": 100}] * 2)  # one still there, one fixed
    checks.run_checks(later)
    db.session.commit()
    login(county.auditor)
    page = client.get(f"/pension_audit/{later.id}").text
    assert "2 findings of the previous audit were not resolved: 1 are still found, 1 no " \
           "longer" in page
    finding = db.session.scalar(select(PensionAuditFinding).where(
        PensionAuditFinding.engagement_id == later.id))
    assert 'data-testid="repeat"' in client.get(f"/pension_audit/findings/{finding.id}").text


def test_the_verifier_issues_and_may_not_have_prepared_payments(app, db, as_user, county):
    e = county.engagement
    with_findings(db, e, n=1)
    preparer, verifier = as_user(county.auditor), as_user(county.verifier)
    preparer.post(f"/pension_audit/{e.id}/issue")
    assert db.session.get(PensionAuditEngagement, e.id).state == "preparing"
    add_rows(db, e, "payments", [{"id_number": C, "month": date(2023, 1, 1), "amount": 1,
                                  "prepared_by": county.verifier.username}])
    checks.run_checks(e)
    db.session.commit()
    page = verifier.get(verifier.post(f"/pension_audit/{e.id}/issue").headers["Location"])
    assert "may not verify" in page.text
    db.session.expire_all()
    assert db.session.get(PensionAuditEngagement, e.id).state == "preparing"


def test_samples_are_reproducible_and_worksheets_make_findings(app, db, client, county, login):
    load_population(county.engagement, Population(random.Random(3), 80, 20), county.auditor.id)
    db.session.commit()
    login(county.auditor)
    url = f"/pension_audit/{county.engagement.id}/samples"
    drawn = []
    for _ in range(2):
        response = client.post(url, data={"item": 1, "population": "members", "size": 10,
                                          "seed": 4242, "draw": "1"})
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).text
        assert "10 of 80 records, seed 4242" in page
        drawn.append(re.findall(r'data-record="(\d+)"', page))
    assert drawn[0] == drawn[1] and len(set(drawn[0])) == 10
    assert client.post(url, data={"item": 2, "population": "members", "size": 5,
                                  "draw": "1"}).status_code == 200  # item 2 is computed
    record = db.session.scalar(select(PensionAuditSampleRecord).order_by(
        PensionAuditSampleRecord.id))
    response = client.post(f"/pension_audit/samples/records/{record.id}", data={
        "result": "not_compliant", "notes": "存折未按时发放", "save": "1"})
    assert response.status_code == 302
    finding = db.session.scalar(select(PensionAuditFinding).where(
        PensionAuditFinding.rule == "sample"))
    assert finding.item == 1 and finding.description == "存折未按时发放"


def test_report_xlsx_summary_section_and_widget(app, db, client, county, login):
    load_population(county.engagement, Population(random.Random(9), 200, 20), county.auditor.id)
    checks.run_checks(county.engagement)
    db.session.commit()
    total = db.session.scalar(select(func.count(PensionAuditFinding.id)))
    login(county.auditor)
    page = client.get(f"/pension_audit/{county.engagement.id}/report").text
    assert 'data-testid="signatures"' in page and 'data-rule="paid_after_death"' in page
    xlsx = re.search(r'href="([^"]+)" data-testid="xlsx"', page).group(1).replace("&amp;", "&")
    response = client.get(xlsx)
    assert response.status_code == 200, response.text[:300]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len([r for r in rows if isinstance(r[0], int | float)]) == total
    summary = client.get(f"/reports/pension_audit.summary?unit={county.agency.id}&period=2024")
    assert summary.status_code == 200 and "t1" in summary.text
    period = client.get(f"/reports/period?unit={county.agency.id}&period=2024")
    assert "Pension audit" in period.text
    home = client.get("/").text
    assert 'data-testid="pension_audit-widget"' in home


def test_demo_loads_twice_and_its_checks_find_every_kind(app, db, load_demo):
    load_demo()
    load_demo()
    engagements = db.session.scalar(select(func.count(PensionAuditEngagement.id)))
    assert engagements == 3
    rules = set(db.session.scalars(select(PensionAuditFinding.rule)))
    assert rules >= {"contribution_received", "back_payment", "subsidy_start",
                     "interest_yearly", "interest_sealed", "not_sealed", "payment_before_age",
                     "pension_formula", "double_payment", "paid_after_death"}
