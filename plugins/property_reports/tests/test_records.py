"""Plans and summaries take the records the work produces (篇二 line 83, issue 18 §13)."""

import re
from io import BytesIO

from danwei_property_reports import catalogue as cat

P = "/property_reports"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, path, data=PDF, name="水质检测报告.pdf"):
    return client.post(path, data={"files": (BytesIO(data), name)},
                       content_type="multipart/form-data")


def _fetch(client, link):
    response = client.get(link)
    found = (response.status_code, response.data)
    response.close()
    return found


def test_a_plan_and_a_summary_keep_their_records(company, as_user, pr):
    eng = as_user(company.people["engineering_manager"])
    version = pr.start_plan(eng, company.departments["engineering"], *pr.next_month())
    page = eng.get(f"{P}/plans/v/{version}").text
    plan_id = re.search(r"/plans/(\d+)/records", page).group(1)
    response = _upload(eng, f"{P}/plans/{plan_id}/records")
    assert response.status_code == 302
    page = eng.get(f"{P}/plans/v/{version}").text
    assert "水质检测报告.pdf" in page
    link = re.search(r'href="(/attachments/[^"]+)"', page).group(1)
    assert _fetch(eng, link) == (200, PDF)
    # The company's project manager sees the records; another department does not.
    assert _fetch(as_user(company.people["pm"]), link)[0] == 200
    assert _fetch(as_user(company.people["finance_manager"]), link)[0] == 404

    summary, _ = pr.hand_in_summary(eng, company.departments["engineering"], cat.ENGINEERING)
    response = _upload(eng, f"{P}/summaries/{summary}/records", name="巡检记录.pdf")
    assert response.status_code == 302
    assert "巡检记录.pdf" in eng.get(f"{P}/summaries/{summary}").text


def test_only_records_are_taken_and_only_by_writers(company, as_user, pr):
    eng = as_user(company.people["engineering_manager"])
    summary, _ = pr.hand_in_summary(eng, company.departments["engineering"], cat.ENGINEERING)
    response = _upload(eng, f"{P}/summaries/{summary}/records", data=b"MZ\x90\x00binary",
                       name="report.pdf")
    assert response.status_code == 302
    page = eng.get(response.headers["Location"]).text
    assert "is not an allowed file" in page
    assert 'data-testid="attachments"' not in page
    assert _upload(as_user(company.people["finance_manager"]),
                   f"{P}/summaries/{summary}/records").status_code == 404
    assert _upload(as_user(company.people["pm"]),
                   f"{P}/summaries/{summary}/records").status_code == 404
