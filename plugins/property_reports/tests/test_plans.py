"""Monthly plans (篇二 lines 59–81): the fields of an item, the two approval paths, revisions by
the original author approved again by the original approver, and the differences between
versions."""

import pytest

P = "/property_reports"


@pytest.fixture
def eng(company, as_user):
    return as_user(company.people["engineering_manager"])


def test_department_plan_is_approved_by_the_project_manager(company, as_user, eng, pr):
    year, month = pr.next_month()
    version = pr.start_plan(eng, company.departments["engineering"], year, month)
    pr.add_item(eng, version)
    page = eng.get(f"{P}/plans/v/{version}").text
    # Every field of line 59 is on the plan.
    for value in pr.ITEM.values():
        if value != "0":
            assert value in page
    pr.submit(eng, version, "请审批")
    assert pr.version_status(version) == "submitted"
    instance = pr.workflow_of(version)
    assert [a.user.username for a in instance.open_step.assignments] == ["pm"]
    # The chain explains itself: a department plan goes to the project manager (line 71).
    shown = eng.get(f"{P}/plans/v/{version}").text
    assert "its plan is approved by the project manager" in shown

    # The department manager of another department cannot decide it.
    other = as_user(company.people["finance_manager"])
    assert pr.decide(other, instance).status_code in (302, 404)
    assert pr.version_status(version) == "submitted"

    pm = as_user(company.people["pm"])
    assert "Waiting for approval" in pm.get(f"{P}/plans/v/{version}").text
    response = pr.decide(pm, instance, comment="同意")
    assert response.status_code == 302
    assert pr.version_status(version) == "approved"
    page = eng.get(f"{P}/plans/v/{version}").text
    assert "张项目经理" in page  # approved by (line 69)
    assert "同意" in page  # the review record keeps the comment


def test_team_plan_is_approved_by_the_department_manager(company, as_user, pr):
    leader = as_user(company.people["leader"])
    year, month = pr.next_month()
    version = pr.start_plan(leader, company.teams["water"], year, month)
    pr.add_item(leader, version, content="水泵保养")
    pr.submit(leader, version)
    instance = pr.workflow_of(version)
    assert [a.user.username for a in instance.open_step.assignments] == ["engineering_mgr"]
    assert "is a team inside a department" in leader.get(f"{P}/plans/v/{version}").text

    # The project manager is not the approver of a team plan.
    pm = as_user(company.people["pm"])
    pr.decide(pm, instance)
    assert pr.version_status(version) == "submitted"

    manager = as_user(company.people["engineering_manager"])
    pr.decide(manager, instance)
    assert pr.version_status(version) == "approved"


def test_returned_plan_is_edited_and_resubmitted(company, as_user, eng, pr):
    year, month = pr.next_month()
    version = pr.start_plan(eng, company.departments["engineering"], year, month)
    pr.add_item(eng, version)
    pr.submit(eng, version)
    pm = as_user(company.people["pm"])
    pr.decide(pm, pr.workflow_of(version), action="send_back", comment="请补充检查人")
    assert pr.version_status(version) == "returned"
    assert "请补充检查人" in eng.get(f"{P}/plans/v/{version}").text
    pr.add_item(eng, version, content="泵房除锈")
    pr.submit(eng, version)
    assert pr.version_status(version) == "submitted"
    pr.decide(pm, pr.workflow_of(version))
    assert pr.version_status(version) == "approved"


def test_an_item_needs_every_field_and_a_specification(company, eng, pr):
    year, month = pr.next_month()
    version = pr.start_plan(eng, company.departments["engineering"], year, month)
    response = eng.post(f"{P}/plans/v/{version}/items/new",
                        data={**pr.ITEM, "inspector": "", "spec_note": ""})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert "Cite a specification from the library" in response.text
    assert "二次供水水箱清洗" in response.text  # what was typed is kept
    # An empty plan cannot be submitted.
    pr.submit(eng, version)
    assert pr.version_status(version) == "draft"


def test_only_the_author_revises_and_the_original_approver_approves(company, as_user, eng, pr):
    year, month = pr.next_month()
    dept = company.departments["engineering"]
    v1 = pr.start_plan(eng, dept, year, month)
    pr.add_item(eng, v1)
    pr.submit(eng, v1)
    pm = as_user(company.people["pm"])
    pr.decide(pm, pr.workflow_of(v1))
    assert pr.version_status(v1) == "approved"

    from danwei_property_reports.models import Plan, PlanVersion

    from core.api import db

    plan_id = db.session.get(PlanVersion, v1).plan_id
    # Someone else preparing plans in the same department may not propose the revision.
    other_user = as_user(_deputy(company, db))
    response = other_user.post(f"{P}/plans/{plan_id}/revise", data={"reason": "想改"})
    assert db.session.get(Plan, plan_id).versions[-1].number == 1
    assert "Only engineering经理, who prepared this plan" in other_user.get(
        response.headers["Location"]).text

    # The author proposes it, with the reason; it is a new draft copied from v1.
    response = eng.post(f"{P}/plans/{plan_id}/revise", data={"reason": "停水时间调整"})
    assert response.status_code == 302
    db.session.expire_all()
    plan = db.session.get(Plan, plan_id)
    v2 = plan.versions[-1]
    assert v2.number == 2 and v2.status == "draft" and len(v2.items) == 1
    item = v2.items[0]
    eng.post(f"{P}/plans/v/{v2.id}/items/{item.id}",
             data={**pr.ITEM, "schedule": "11-10 至 11-12"})
    pr.submit(eng, v2.id)
    instance = pr.workflow_of(v2.id)
    assert [a.user.username for a in instance.open_step.assignments] == ["pm"]
    page = pm.get(f"{P}/plans/v/{v2.id}").text
    assert "停水时间调整" in page  # the background: why ...
    assert "11-10 至 11-12" in page and "11-03 至 11-05" in page  # ... and what changed
    assert "the original approver, 张项目经理" in page

    # Approving without confirming the background is refused by the step form.
    pr.decide(pm, instance)
    assert pr.version_status(v2.id) == "submitted"
    pr.decide(pm, pr.workflow_of(v2.id), background_read="y")
    assert pr.version_status(v2.id) == "approved"
    assert pr.version_status(v1) == "superseded"  # every version is kept

    diff = eng.get(f"{P}/plans/{plan_id}/diff?a=1&b=2").text
    assert "Schedule" in diff and "11-03 至 11-05" in diff and "11-10 至 11-12" in diff
    assert "停水时间调整" in diff


def _deputy(company, db):
    """A second person preparing plans in engineering (not the plan's author)."""
    from core.api import assign_role, create_user

    unit = company.departments["engineering"]
    user = create_user("deputy", "副经理", "secret123", unit)
    assign_role(user, "property_reports.department_manager", unit)
    db.session.commit()
    return user


def test_a_substitute_approver_is_shown_the_background(company, as_user, eng, pr, db):
    from core.api import assign_role, create_user

    year, month = pr.next_month()
    v1 = pr.start_plan(eng, company.departments["engineering"], year, month)
    pr.add_item(eng, v1)
    pr.submit(eng, v1)
    pr.decide(as_user(company.people["pm"]), pr.workflow_of(v1))
    # The original approver leaves; another project manager takes over.
    company.people["pm"].active = False
    successor = create_user("pm2", "新项目经理", "secret123", company.unit)
    assign_role(successor, "property_reports.project_manager", company.unit)
    db.session.commit()

    from danwei_property_reports.models import PlanVersion

    plan_id = db.session.get(PlanVersion, v1).plan_id
    eng.post(f"{P}/plans/{plan_id}/revise", data={"reason": "增加一项工作"})
    db.session.expire_all()
    v2 = db.session.get(PlanVersion, v1).plan.versions[-1].id
    pr.add_item(eng, v2, content="屋面防水检查")
    pr.submit(eng, v2)
    substitute = as_user(successor)
    page = substitute.get(f"{P}/plans/v/{v2}").text
    assert 'data-testid="substitute"' in page
    assert "in place of the original approver, 张项目经理" in page
    assert "屋面防水检查" in page  # the added item is in the background
    pr.decide(substitute, pr.workflow_of(v2), background_read="y")
    assert pr.version_status(v2) == "approved"
    assert "substitute for 张项目经理" in eng.get(f"{P}/plans/v/{v2}").text


def test_plans_are_scoped_to_the_units_one_may_see(company, as_user, eng, pr):
    year, month = pr.next_month()
    version = pr.start_plan(eng, company.departments["engineering"], year, month)
    finance = as_user(company.people["finance_manager"])
    assert finance.get(f"{P}/plans/v/{version}").status_code == 404
    assert "二次供水" not in finance.get(f"{P}/plans").text
    # Nor may they start a plan for engineering.
    response = finance.post(f"{P}/plans/new", data={
        "unit": company.departments["engineering"].id, "month": pr.month_text(year, month)})
    assert response.status_code == 200 and "Not a valid choice" in response.text
    listing = eng.get(f"{P}/plans").text
    assert 'data-plan="' in listing
    empty = finance.get(f"{P}/plans?status=approved").text
    assert 'data-testid="empty"' in empty


def test_a_revision_goes_to_the_original_approver_not_any_holder(company, as_user, eng, pr):
    """Line 73: with two project managers, the revision goes to the one who approved; when
    that person has left, the other substitutes (and gets the background form)."""
    from danwei_property_reports.models import PlanVersion

    from core.api import assign_role, create_user, db

    second = create_user("pm2", "李项目经理", "secret123", company.unit)
    assign_role(second, "property_reports.project_manager", company.unit)
    db.session.commit()
    year, month = pr.next_month()
    v1 = pr.start_plan(eng, company.departments["engineering"], year, month)
    pr.add_item(eng, v1)
    pr.submit(eng, v1)
    pr.decide(as_user(company.people["pm"]), pr.workflow_of(v1))
    plan_id = db.session.get(PlanVersion, v1).plan_id

    eng.post(f"{P}/plans/{plan_id}/revise", data={"reason": "调整"})
    db.session.expire_all()
    v2 = db.session.get(PlanVersion, v1).plan.versions[-1]
    pr.submit(eng, v2.id)
    assert [a.user.username for a in pr.workflow_of(v2.id).open_step.assignments] == ["pm"]

    # The original approver leaves before deciding the next revision: pm2 substitutes.
    pr.decide(as_user(company.people["pm"]), pr.workflow_of(v2.id), background_read="y")
    eng.post(f"{P}/plans/{plan_id}/revise", data={"reason": "再调整"})
    company.people["pm"].active = False
    db.session.commit()
    db.session.expire_all()
    v3 = db.session.get(PlanVersion, v1).plan.versions[-1]
    pr.submit(eng, v3.id)
    assert [a.user.username for a in pr.workflow_of(v3.id).open_step.assignments] == ["pm2"]
