"""The unified inbox: what waits for me across plugins, filters, search, pagination, the count in
the navigation, bulk approve where a definition allows it, and my submissions."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

SOURCE = '''
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from core.api import RoleSpec, Step, WorkflowDefinition, hookimpl


class CheckForm(FlaskForm):
    document = StringField("Document number", validators=[DataRequired()])


def approver():
    return "wf_inbox.approver"


@hookimpl
def register_roles():
    return [RoleSpec("wf_inbox.approver", "Approver")]


@hookimpl
def register_workflows():
    return [
        WorkflowDefinition("wf_inbox.simple", "Stationery", bulk_approve=True, steps=(
            Step("ok", "Approver", role=approver()),)),
        WorkflowDefinition("wf_inbox.manual", "Overtime", steps=(
            Step("ok", "Approver", role=approver()),)),
        WorkflowDefinition("wf_inbox.checked", "Purchase", bulk_approve=True, steps=(
            Step("ok", "Approver", role=approver(), form=CheckForm),)),
    ]
'''

OTHER = '''
from core.api import Step, WorkflowDefinition, hookimpl


@hookimpl
def register_workflows():
    return [WorkflowDefinition("wf_inbox2.trip", "Business trip", steps=(
        Step("ok", "Approver", role="wf_inbox.approver"),))]
'''


@pytest.fixture
def office(make_plugin, make_app):
    make_plugin("wf_inbox", SOURCE)
    make_plugin("wf_inbox2", OTHER)
    app = make_app()
    ctx = app.app_context()
    ctx.push()
    from core import roles, units, users
    from core.extensions import db

    root = units.create_unit("o", "Office", "company")
    dept = units.create_unit("od", "Finance", "department", root)
    for plugin in ("wf_inbox", "wf_inbox2"):
        units.set_plugin_state(plugin, root, True)
    boss = users.create_user("boss", "Boss Liu", "secret123", root)
    roles.assign(boss, "wf_inbox.approver", root)
    staff = {name: users.create_user(name, label, "secret123", dept)
             for name, label in (("amy", "Amy Huang"), ("bob", "Bob Ma"))}
    db.session.commit()

    def client_for(username):
        client = app.test_client()
        assert client.post("/login", data={"username": username,
                                           "password": "secret123"}).status_code == 302
        return client

    counter = iter(range(1, 10**6))

    def submit(definition, who="amy", title=None):
        from core.api import start_workflow

        n = next(counter)
        instance = start_workflow(definition, ("thing", n), staff[who],
                                  title=title or f"{definition} {n}")
        db.session.commit()
        return instance.id

    yield SimpleNamespace(app=app, db=db, root=root, dept=dept, boss=boss, staff=staff,
                          client=client_for, submit=submit)
    ctx.pop()


def rows(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-instance="(\d+)"', page)]


def test_everything_waiting_across_plugins_with_filters_and_count(office):
    simple = [office.submit("wf_inbox.simple") for _ in range(2)]
    manual = office.submit("wf_inbox.manual", who="bob", title="Overtime on Sunday")
    trip = office.submit("wf_inbox2.trip")
    boss = office.client("boss")
    page = boss.get("/inbox/").text
    assert sorted(rows(page)) == sorted([*simple, manual, trip])
    assert 'data-testid="badge-inbox.index">4<' in page
    assert 'data-testid="count-waiting">4<' in page
    assert rows(boss.get("/inbox/?plugin=wf_inbox2").text) == [trip]
    assert rows(boss.get("/inbox/?definition=wf_inbox.manual").text) == [manual]
    assert rows(boss.get("/inbox/?q=Bob").text) == [manual]  # the applicant's name
    assert rows(boss.get("/inbox/?q=sunday").text) == [manual]  # the title
    assert "Nothing matches these filters." in boss.get("/inbox/?q=nothing-like-it").text
    # Once decided it leaves the inbox and the count drops.
    page = boss.get(f"/workflow/{trip}").text
    step = re.search(r'name="decide-step_id" type="hidden" value="(\d+)"', page).group(1)
    boss.post(f"/workflow/{trip}/decide", data={"decide-approve": "1", "decide-step_id": step})
    page = boss.get("/inbox/").text
    assert trip not in rows(page) and 'data-testid="badge-inbox.index">3<' in page


def test_nothing_waiting_shows_an_empty_state_and_no_badge(office):
    office.submit("wf_inbox.simple")
    page = office.client("amy").get("/inbox/").text
    assert "Nothing is waiting for you." in page
    assert 'data-testid="badge-inbox.index"' not in page


def test_pagination(office):
    from core.settings import set_setting

    set_setting("core", "page_size", 5)
    office.db.session.commit()
    made = [office.submit("wf_inbox.simple") for _ in range(7)]
    boss = office.client("boss")
    first, second = boss.get("/inbox/").text, boss.get("/inbox/?page=2").text
    assert len(rows(first)) == 5 and len(rows(second)) == 2
    assert sorted(rows(first) + rows(second)) == sorted(made)
    assert "Page 1 of 2" in first


def test_bulk_approve_only_where_the_definition_allows_it(office):
    simple = [office.submit("wf_inbox.simple") for _ in range(2)]
    manual = office.submit("wf_inbox.manual")
    checked = office.submit("wf_inbox.checked")
    boss = office.client("boss")
    page = boss.get("/inbox/").text
    boxes = [int(i) for i in re.findall(r'name="ids" value="(\d+)"', page)]
    assert sorted(boxes) == sorted(simple)  # no box for one-by-one kinds or steps with a form
    response = boss.post("/inbox/approve", data={
        "ids": [*simple, manual, checked], "bulk-comment": "all fine"}, follow_redirects=True)
    assert "Approved 2 requests." in response.text
    assert "this kind of request must be approved one by one" in response.text
    assert "its step has a form to fill in" in response.text
    assert sorted(rows(response.text)) == sorted([manual, checked])
    from core.workflow.models import WorkflowInstance

    office.db.session.expire_all()
    states = {i: office.db.session.get(WorkflowInstance, i).state
              for i in [*simple, manual, checked]}
    assert states == {simple[0]: "approved", simple[1]: "approved", manual: "pending",
                      checked: "pending"}
    # Someone who is not an approver approves nothing in bulk.
    other = office.submit("wf_inbox.simple", who="bob")
    response = office.client("amy").post("/inbox/approve", data={"ids": [other]},
                                         follow_redirects=True)
    assert "Not approved" in response.text and "Approved 1 request." not in response.text
    office.db.session.expire_all()
    assert office.db.session.get(WorkflowInstance, other).state == "pending"


def test_a_wtforms_step_form_must_be_filled_before_approving(office):
    checked = office.submit("wf_inbox.checked")
    boss = office.client("boss")
    page = boss.get(f"/workflow/{checked}").text
    assert "Document number" in page
    step = re.search(r'name="decide-step_id" type="hidden" value="(\d+)"', page).group(1)
    page = boss.post(f"/workflow/{checked}/decide",
                     data={"decide-approve": "1", "decide-step_id": step}).text
    assert "This field is required." in page
    page = boss.post(f"/workflow/{checked}/decide",
                     data={"decide-approve": "1", "decide-step_id": step,
                           "step-document": "CG-2026-118"}, follow_redirects=True).text
    assert "Approved." in page and "CG-2026-118" in page


def test_my_submissions_with_their_state(office):
    first = office.submit("wf_inbox.simple")
    second = office.submit("wf_inbox.manual")
    office.submit("wf_inbox.simple", who="bob")
    boss = office.client("boss")
    page = boss.get(f"/workflow/{first}").text
    step = re.search(r'name="decide-step_id" type="hidden" value="(\d+)"', page).group(1)
    boss.post(f"/workflow/{first}/decide", data={
        "decide-reject": "1", "decide-step_id": step, "decide-comment": "budget is spent"})
    amy = office.client("amy")
    page = amy.get("/inbox/submitted").text
    assert sorted(rows(page)) == sorted([first, second])
    states = dict(zip(rows(page), re.findall(r'data-testid="row-state">([^<]+)<', page),
                      strict=True))
    assert states == {first: "Rejected", second: "In progress"}
    assert rows(amy.get("/inbox/submitted?state=rejected").text) == [first]
    assert 'data-testid="count-submitted">1<' in page  # still open: the second one


def test_a_plugin_disabled_for_the_unit_drops_out_of_the_inbox(office):
    from core import units

    trip = office.submit("wf_inbox2.trip")
    simple = office.submit("wf_inbox.simple")
    units.set_plugin_state("wf_inbox2", office.root, False)
    office.db.session.commit()
    boss = office.client("boss")
    assert rows(boss.get("/inbox/").text) == [simple]
    assert boss.get(f"/workflow/{trip}").status_code == 404
