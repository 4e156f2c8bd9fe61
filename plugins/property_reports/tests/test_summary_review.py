"""A handed-in summary is reviewed (issue 18 §10): the project manager accepts it or returns it
with the reason; a typo found after hand-in is corrected through that, every version kept."""

import random
import re
from datetime import date

from danwei_property_reports import catalogue as cat
from danwei_property_reports import deadlines as dl
from danwei_property_reports.demo import sample_values

P = "/property_reports"
BASE = {"routine_work": "例行工作均已完成。", "duties": "部门职责履行正常。"}


def _hand_in(client, unit, dept, **changes):
    today = date.today()
    year, month = dl.add_months(today.year, today.month, -1)
    response = client.post(f"{P}/summaries/new",
                           data={"unit": unit.id, "month": f"{year}-{month:02d}"})
    assert response.status_code == 302, response.text
    summary = int(re.search(r"/summaries/(\d+)", response.headers["Location"]).group(1))
    data = {**BASE, "hand_in": "1", **_encode(dept), **changes}
    response = client.post(f"{P}/summaries/{summary}/edit", data=data)
    assert response.status_code == 302, response.text
    return summary, data


def _encode(dept):
    data = {}
    for field in dept.inputs:
        value = sample_values(dept, random.Random(5)).get(field.key)
        if value is None:
            continue
        if field.kind == cat.BREAKDOWN:
            data[f"m_{field.key}"] = "\n".join(f"{c}: {v}" for c, v in value)
        else:
            data[f"m_{field.key}"] = str(value)
    return data


def _request(summary_id):
    from danwei_property_reports.models import Summary

    from core.api import db, workflow_for

    db.session.expire_all()
    return workflow_for(db.session.get(Summary, summary_id))


def test_the_project_manager_returns_a_summary_and_accepts_the_correction(
        company, as_user, pr):
    eng = as_user(company.people["engineering_manager"])
    pm = as_user(company.people["pm"])
    summary, data = _hand_in(eng, company.departments["engineering"], cat.ENGINEERING,
                             duties="部门职责履行正常，维修及时率百分之九十八。")
    page = eng.get(f"{P}/summaries/{summary}").text
    assert 'data-status="submitted"' in page

    # The project manager finds it in the inbox and sends it back with the reason.
    assert f'<tr data-instance="{_request(summary).id}"' in pm.get("/inbox/").text
    response = pr.decide(pm, _request(summary), action="send_back", comment="职责一栏有错字")
    assert response.status_code == 302
    page = eng.get(f"{P}/summaries/{summary}").text
    assert 'data-status="returned"' in page and "职责一栏有错字" in page

    # The author corrects it and hands it in again, saying what changed.
    response = eng.post(f"{P}/summaries/{summary}/edit",
                        data={**data, "duties": "部门职责履行正常。", "note": "改正错字"})
    assert response.status_code == 302, response.text
    pr.decide(pm, _request(summary))
    page = eng.get(f"{P}/summaries/{summary}").text
    assert 'data-status="accepted"' in page
    versions = page.split('data-testid="versions"')[1]
    assert 'data-version="1"' in versions and 'data-version="2"' in versions
    assert "改正错字" in versions
    assert "维修及时率百分之九十八" in versions  # the first version is kept ...
    assert versions.count('data-testid="change"') == 1  # ... and only the duties changed


def test_a_typo_found_after_acceptance_is_corrected_through_a_new_review(company, as_user, pr):
    eng = as_user(company.people["engineering_manager"])
    pm = as_user(company.people["pm"])
    summary, data = _hand_in(eng, company.departments["engineering"], cat.ENGINEERING)
    pr.decide(pm, _request(summary))
    # Accepted: it can no longer be edited directly ...
    response = eng.post(f"{P}/summaries/{summary}/edit", data={**data, "save": "1"})
    assert "can no longer be changed" in eng.get(response.headers["Location"]).text
    # ... a reason is required to take it back ...
    response = eng.post(f"{P}/summaries/{summary}/reopen", data={"reason": ""})
    assert "Say what needs correcting." in eng.get(response.headers["Location"]).text
    response = eng.post(f"{P}/summaries/{summary}/reopen", data={"reason": "例行工作写错"})
    assert response.headers["Location"].endswith(f"/summaries/{summary}/edit")
    response = eng.post(f"{P}/summaries/{summary}/edit",
                        data={**data, "routine_work": "例行工作全部完成。"})
    assert response.status_code == 302
    # ... and the corrected summary goes through a new review, accepted again.
    instance = _request(summary)
    assert instance.state == "pending"
    pr.decide(pm, instance)
    page = eng.get(f"{P}/summaries/{summary}").text
    assert 'data-status="accepted"' in page and 'data-version="2"' in page


def test_only_the_reviewer_decides_and_only_writers_take_back(company, as_user, pr):
    eng = as_user(company.people["engineering_manager"])
    summary, _ = _hand_in(eng, company.departments["engineering"], cat.ENGINEERING)
    # Another department's manager cannot decide, nor take back a summary not theirs.
    other = as_user(company.people["finance_manager"])
    pr.decide(other, _request(summary))
    assert _request(summary).state == "pending"
    assert other.post(f"{P}/summaries/{summary}/reopen",
                      data={"reason": "x"}).status_code == 404
    # The project manager reads and reviews, but does not write summaries.
    assert as_user(company.people["pm"]).post(f"{P}/summaries/{summary}/reopen",
                                              data={"reason": "x"}).status_code == 404
    assert _request(summary).state == "pending"
