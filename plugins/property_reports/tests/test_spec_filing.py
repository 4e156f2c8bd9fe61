"""Existing specifications go to the company for approval and filing (篇二 line 49, issue 18
§13), on core's workflow engine like the routine-work catalogues."""

import re

P = "/property_reports"
SPEC = {"code": "GC-01", "title": "电梯日常巡检", "work_standard": "电梯运行正常,无故障",
        "delivery": "1. 检查轿厢\n2. 检查机房", "inspection": "主管每周抽查",
        "trigger": "new_work", "reason": ""}


def _request(spec_id):
    from danwei_property_reports.models import Spec

    from core.api import db, workflow_for

    db.session.expire_all()
    return workflow_for(db.session.get(Spec, spec_id).current)


def test_a_specification_is_filed_by_the_company(company, as_user, pr):
    eng = as_user(company.people["engineering_manager"])
    response = eng.post(f"{P}/specs/new",
                        data={**SPEC, "unit": company.departments["engineering"].id})
    spec_id = int(re.search(r"/specs/(\d+)", response.headers["Location"]).group(1))
    page = eng.get(f"{P}/specs/{spec_id}").text
    assert 'data-testid="not-filed"' in page and 'data-testid="file-spec"' in page

    # Only the department's writers submit it; staff and other departments cannot.
    assert as_user(company.people["finance_manager"]).post(
        f"{P}/specs/{spec_id}/file", data={}).status_code == 404
    assert _request(spec_id) is None
    response = eng.post(f"{P}/specs/{spec_id}/file", data={"comment": "现行规范报备"})
    assert response.status_code == 302
    instance = _request(spec_id)
    assert instance.state == "pending"
    assert [a.user.username for a in instance.open_step.assignments] == ["boss"]
    # Submitted once: no second request.
    assert 'data-testid="file-spec"' not in eng.get(f"{P}/specs/{spec_id}").text

    pr.decide(as_user(company.people["boss"]), instance)
    page = eng.get(f"{P}/specs/{spec_id}").text
    assert 'data-testid="filed"' in page and "李总" in page
