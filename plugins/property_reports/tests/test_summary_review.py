"""A handed-in summary is reviewed (issue 18 §10): the project manager accepts it or returns it
with the reason; a typo found after hand-in is corrected through that, every version kept."""

from danwei_property_reports import catalogue as cat

P = "/property_reports"


def test_the_project_manager_returns_a_summary_and_accepts_the_correction(
        company, as_user, pr):
    eng = as_user(company.people["engineering_manager"])
    pm = as_user(company.people["pm"])
    summary, data = pr.hand_in_summary(eng, company.departments["engineering"], cat.ENGINEERING,
                             duties="部门职责履行正常，维修及时率百分之九十八。")
    page = eng.get(f"{P}/summaries/{summary}").text
    assert 'data-status="submitted"' in page

    # The project manager finds it in the inbox and sends it back with the reason.
    assert f'<tr data-instance="{pr.summary_request(summary).id}"' in pm.get("/inbox/").text
    response = pr.decide(pm, pr.summary_request(summary), action="send_back", comment="职责一栏有错字")
    assert response.status_code == 302
    page = eng.get(f"{P}/summaries/{summary}").text
    assert 'data-status="returned"' in page and "职责一栏有错字" in page

    # The author corrects it and hands it in again, saying what changed.
    response = eng.post(f"{P}/summaries/{summary}/edit",
                        data={**data, "duties": "部门职责履行正常。", "note": "改正错字"})
    assert response.status_code == 302, response.text
    pr.decide(pm, pr.summary_request(summary))
    page = eng.get(f"{P}/summaries/{summary}").text
    assert 'data-status="accepted"' in page
    versions = page.split('data-testid="versions"')[1]
    assert 'data-version="1"' in versions and 'data-version="2"' in versions
    assert "改正错字" in versions
    assert "维修及时率百分之九十八" in versions  # the first version is kept ...
    assert versions.count('data-testid="change"') == 1  # ... and only the duties changed


def test_a_typo_found_after_acceptance_is_corrected_through_a_new_review(
        company, as_user, pr):
    eng = as_user(company.people["engineering_manager"])
    pm = as_user(company.people["pm"])
    summary, data = pr.hand_in_summary(eng, company.departments["engineering"], cat.ENGINEERING)
    pr.decide(pm, pr.summary_request(summary))
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
    instance = pr.summary_request(summary)
    assert instance.state == "pending"
    pr.decide(pm, instance)
    page = eng.get(f"{P}/summaries/{summary}").text
    assert 'data-status="accepted"' in page and 'data-version="2"' in page


def test_only_the_reviewer_decides_and_only_writers_take_back(company, as_user, pr):
    eng = as_user(company.people["engineering_manager"])
    summary, _ = pr.hand_in_summary(eng, company.departments["engineering"], cat.ENGINEERING)
    # Another department's manager cannot decide, nor take back a summary not theirs.
    other = as_user(company.people["finance_manager"])
    pr.decide(other, pr.summary_request(summary))
    assert pr.summary_request(summary).state == "pending"
    assert other.post(f"{P}/summaries/{summary}/reopen",
                      data={"reason": "x"}).status_code == 404
    # The project manager reads and reviews, but does not write summaries.
    assert as_user(company.people["pm"]).post(f"{P}/summaries/{summary}/reopen",
                                              data={"reason": "x"}).status_code == 404
    assert pr.summary_request(summary).state == "pending"
