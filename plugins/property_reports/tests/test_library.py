"""Work specifications (篇二 lines 194–212), routine-work catalogues (line 39) and the
company's departments."""

import re
from datetime import date

P = "/property_reports"

SPEC = {"code": "GC-01", "title": "电梯日常巡检", "work_standard": "电梯运行正常,无故障",
        "delivery": "1. 检查轿厢\n2. 检查机房", "inspection": "主管每周抽查",
        "trigger": "new_work", "reason": ""}


def test_a_specification_keeps_its_revisions(company, as_user, pr, db):
    eng = as_user(company.people["engineering_manager"])
    unit = company.departments["engineering"]
    response = eng.post(f"{P}/specs/new", data={**SPEC, "unit": unit.id})
    assert response.status_code == 302
    spec_id = int(re.search(r"/specs/(\d+)", response.headers["Location"]).group(1))
    # A department's codes are unique.
    again = eng.post(f"{P}/specs/new", data={**SPEC, "unit": unit.id})
    assert "already has a specification with this code" in again.text

    # A plan cites the specification at its current revision.
    year, month = pr.next_month()
    version = pr.start_plan(eng, unit, year, month)
    pr.add_item(eng, version, spec=str(spec_id), spec_note="")
    assert "GC-01 电梯日常巡检 (rev. 1)" in eng.get(f"{P}/plans/v/{version}").text

    # Revising needs a reason; the first revision stays readable.
    refused = eng.post(f"{P}/specs/{spec_id}/revise", data={**SPEC, "reason": ""})
    assert refused.status_code == 200 and "This field is required." in refused.text
    response = eng.post(f"{P}/specs/{spec_id}/revise", data={
        **SPEC, "delivery": "1. 检查轿厢\n2. 检查机房\n3. 检查井道", "trigger": "nonconformity",
        "reason": "井道漏检导致故障"})
    assert response.status_code == 302
    page = eng.get(f"{P}/specs/{spec_id}").text
    assert "检查井道" in page and "井道漏检导致故障" in page
    assert "A non-conformity traced back to an unclear specification" in page
    old = eng.get(f"{P}/specs/{spec_id}?rev=1").text
    assert "检查井道" not in old.split('data-testid="delivery"')[1].split("</div>")[1]
    assert 'data-testid="old-revision"' in old
    # The plan keeps citing the revision it was written with.
    assert "GC-01 电梯日常巡检 (rev. 1)" in eng.get(f"{P}/plans/v/{version}").text

    # Other departments see nothing of it.
    finance = as_user(company.people["finance_manager"])
    assert finance.get(f"{P}/specs/{spec_id}").status_code == 404
    assert "GC-01" not in finance.get(f"{P}/specs").text
    listing = eng.get(f"{P}/specs?q=电梯").text
    assert 'data-spec="GC-01"' in listing
    assert 'data-testid="empty"' in eng.get(f"{P}/specs?q=nothing-like-this").text


def _new_catalogue(client, unit) -> int:
    response = client.post(f"{P}/routine/{unit.id}/new")
    assert response.status_code == 302
    return int(re.search(r"/routine/c/(\d+)", response.headers["Location"]).group(1))


def _catalogue_flow(catalogue_id):
    from danwei_property_reports.models import Catalogue

    from core.api import db, workflow_for

    db.session.expire_all()
    catalogue = db.session.get(Catalogue, catalogue_id)
    return catalogue, workflow_for(catalogue)


def test_routine_work_is_approved_and_filed_by_the_company(company, as_user, pr):
    cleaning = as_user(company.people["cleaning_manager"])
    unit = company.departments["cleaning"]
    first = _new_catalogue(cleaning, unit)
    for cadence, content in (("daily", "公共区域保洁"), ("weekly", "玻璃擦拭"),
                             ("monthly", "地毯清洗"), ("yearly", "外墙清洗")):
        response = cleaning.post(f"{P}/routine/c/{first}/items/new", data={
            "cadence": cadence, "content": content, "standard": "干净整洁", "responsible": "领班",
            "spec": "0"})
        assert response.status_code == 302
    page = cleaning.get(f"{P}/routine/c/{first}").text
    for cadence in ("daily", "weekly", "monthly", "yearly"):
        assert f'data-cadence="{cadence}"' in page
    response = cleaning.post(f"{P}/routine/c/{first}/submit",
                             data={"effective_from": "2026-10-21", "change_note": ""})
    assert response.status_code == 302
    catalogue, instance = _catalogue_flow(first)
    assert catalogue.status == "submitted"
    assert [a.user.username for a in instance.open_step.assignments] == ["boss"]
    pr.decide(as_user(company.people["boss"]), instance, comment="备案")
    catalogue, _ = _catalogue_flow(first)
    assert catalogue.status == "approved" and catalogue.decided_by.username == "boss"

    # A change is a new version; it says what changed, and the first is kept.
    second = _new_catalogue(cleaning, unit)
    cleaning.post(f"{P}/routine/c/{second}/items/new", data={
        "cadence": "weekly", "content": "垃圾桶消毒", "standard": "", "responsible": "", "spec": "0"})
    refused = cleaning.post(f"{P}/routine/c/{second}/submit",
                            data={"effective_from": "2027-01-01", "change_note": ""})
    assert refused.status_code == 200 and "Say what changed" in refused.text
    cleaning.post(f"{P}/routine/c/{second}/submit",
                  data={"effective_from": "2027-01-01", "change_note": "增加消毒"})
    _, instance = _catalogue_flow(second)
    pr.decide(as_user(company.people["boss"]), instance)
    assert _catalogue_flow(first)[0].status == "superseded"
    assert _catalogue_flow(second)[0].status == "approved"
    diff = cleaning.get(f"{P}/routine/c/{second}/diff?against={first}").text
    assert 'data-change="added"' in diff and "垃圾桶消毒" in diff and "增加消毒" in diff
    # A filed version can no longer be edited.
    response = cleaning.post(f"{P}/routine/c/{first}/items/new", data={
        "cadence": "daily", "content": "x", "spec": "0"})
    assert response.status_code == 302
    assert "垃圾桶消毒" not in cleaning.get(f"{P}/routine/c/{first}").text.split(
        'data-testid="versions"')[0]


def test_leadership_adds_departments_and_teams(company, as_user, db):
    boss = as_user(company.people["boss"])
    response = boss.post(f"{P}/units", data={"name": "绿化部", "code": "acme-green",
                                               "kind": "property_department",
                                               "parent": company.unit.id})
    assert response.status_code == 302
    refused = boss.post(f"{P}/units", data={"name": "修剪班", "code": "acme-trim",
                                             "kind": "property_team", "parent": company.unit.id})
    assert "A team belongs inside a department." in refused.text
    from core.api import Unit

    def by_code(code):
        return db.session.scalar(db.select(Unit).where(Unit.code == code))

    green = by_code("acme-green")
    boss.post(f"{P}/units", data={"name": "修剪班", "code": "acme-trim", "kind": "property_team",
                                   "parent": green.id})
    assert by_code("acme-trim").parent_id == green.id
    # A department the company adds reports the items every department shares.
    from core.api import assign_role, create_user

    manager = create_user("green_mgr", "绿化经理", "secret123", green)
    assign_role(manager, "property_reports.department_manager", green)
    db.session.commit()
    client = as_user(manager)
    today = date.today()
    response = client.post(f"{P}/summaries/new", data={"unit": green.id,
                                                       "month": f"{today.year}-{today.month:02d}"})
    page = client.get(response.headers["Location"]).text
    assert page.count('class="pr-source') == 2
    # Only leadership adds units.
    assert as_user(company.people["engineering_manager"]).post(
        f"{P}/units", data={"name": "x", "code": "x", "kind": "property_team",
                            "parent": company.departments["engineering"].id}).status_code == 404


def test_purging_a_department_exports_then_deletes_only_its_data(company, as_user, pr, db,
                                                                  tmp_path, cli):
    import json

    from danwei_property_reports.models import Plan

    eng = as_user(company.people["engineering_manager"])
    finance = as_user(company.people["finance_manager"])
    year, month = pr.next_month()
    version = pr.start_plan(eng, company.departments["engineering"], year, month)
    pr.add_item(eng, version)
    pr.start_plan(finance, company.departments["finance"], year, month)
    eng.post(f"{P}/specs/new", data={**SPEC, "unit": company.departments["engineering"].id})

    code = company.departments["engineering"].code
    result = cli("plugins", "purge", "property_reports", "--unit", code, "--to", tmp_path,
                 "--yes")
    assert result.exit_code == 0, result.output
    [target] = tmp_path.glob(f"property_reports-{code}-*.json")
    db.session.expire_all()
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert len(exported["property_reports_plans"]) == 1
    assert exported["property_reports_plan_items"][0]["content"] == pr.ITEM["content"]
    assert exported["property_reports_specs"][0]["code"] == "GC-01"
    remaining = db.session.scalars(db.select(Plan)).all()
    assert [p.unit.code for p in remaining] == ["acme-finance"]
