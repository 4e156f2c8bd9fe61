"""The approval engine through HTTP, with a throwaway plugin whose workflow mirrors the school
leave chain table (spec/domain.md §1): every row, its explanation, the parent-call form, reject
with a reason, return and resubmit, withdraw, transfer, CC, urge, fallbacks for vacant and
deactivated roles, and an approver of another class who can neither see nor act."""

from __future__ import annotations

import re
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

PLUGIN = "wf_leave"

SOURCE = '''
import itertools

from flask import Blueprint, abort, flash, redirect, render_template_string, request, url_for
from flask_login import current_user

from core.api import (
    ALL, Condition, FormField, Permission, RoleApprover, RoleSpec, Route, Step,
    WorkflowDefinition, WorkflowError, can_view_workflow, db, hookimpl, lazy_gettext as _l,
    login_required_only, permission_required, resubmit_workflow, start_workflow, workflow_for,
)

N = "wf_leave"
MONITOR, PE, DORM = f"{N}.monitor", f"{N}.pe_member", f"{N}.dorm_head"
CT, GRADE, AFFAIRS = f"{N}.class_teacher", f"{N}.grade_office", f"{N}.student_affairs"
ACADEMIC, VICE, PRINCIPAL = f"{N}.academic_affairs", f"{N}.vice_principal", f"{N}.principal"

EVENTS = []
COUNTER = itertools.count(1)

PARENT_CALL = (
    FormField("called_at", _l("Time of the call"), "datetime"),
    FormField("number", _l("Number called"), "phone"),
    FormField("answered_by", _l("Who answered")),
    FormField("note", _l("Note"), "text", required=False),
)

MORNING = Condition(lambda f: f["type"] == "morning_exercise",
                    yes="Morning-exercise leave: yes", no="Morning-exercise leave: no")
EXAM = Condition(lambda f: f["exam"], yes="Exam period: yes", no="Exam period: no")
NEEDS_CT = Condition(
    lambda f: f["periods"] > 2 or f["leaving"] or f["evening"],
    yes="%(periods)s periods, or it leaves campus or falls in evening study: the class teacher signs",
    no="%(periods)s periods on campus: the monitor signs alone",
)
OVER_1 = Condition(lambda f: f["days"] > 1, yes="the leave is %(days)s days, more than 1",
                   no="the leave is %(days)s days, at most 1")
OVER_2 = Condition(lambda f: f["days"] > 2, yes="the leave is %(days)s days, more than 2",
                   no="the leave is %(days)s days, at most 2")

LEAVE = WorkflowDefinition(
    id=f"{N}.leave",
    label="Student leave",
    subject_url=lambda sid: url_for(f"{N}.show", sid=sid),
    routes=(
        Route("morning", "Morning exercise", when=MORNING, steps=(
            Step("joint", "Monitor, PE member and dorm head", mode=ALL, approvers=(
                RoleApprover(MONITOR, "class"), RoleApprover(PE, "class"),
                RoleApprover(DORM, "class"))),
            Step("ct_review", "Class teacher review", role=CT, at="class"),
        )),
        Route("exam", "Exam period", when=EXAM, steps=(
            Step("ct", "Class teacher", role=CT, at="class", form=PARENT_CALL,
                 fallback_role=GRADE),
            Step("grade", "Grade office", role=GRADE, at="grade"),
            Step("affairs", "Student affairs", role=AFFAIRS, at="school"),
            Step("academic", "Academic affairs", role=ACADEMIC, at="school"),
            Step("vice", "Vice principal", role=VICE, at="school"),
        )),
        Route("length", "By length", steps=(
            Step("monitor", "Class monitor", role=MONITOR, at="class", fallback_role=CT),
            Step("ct", "Class teacher", role=CT, at="class", when=NEEDS_CT, form=PARENT_CALL,
                 fallback_role=GRADE, due_days=1, escalate_to=GRADE),
            Step("grade", "Grade office", role=GRADE, at="grade", when=OVER_1),
            Step("affairs", "Student affairs", role=AFFAIRS, at="school", when=OVER_1),
            Step("principal", "Principal", role=PRINCIPAL, at="school", when=OVER_2),
        )),
    ),
)

bp = Blueprint(N, __name__)

PAGE = """{% extends 'base.html' %}{% block content %}
<h1>Leave {{ sid }}</h1>{{ workflow_panel(instance) }}{% endblock %}"""


def fields_from(form):
    return {
        "type": form.get("type", "personal"),
        "periods": int(form.get("periods", 1)),
        "days": float(form.get("days", 0.1)),
        "leaving": form.get("leaving") == "1",
        "exam": form.get("exam") == "1",
        "evening": form.get("evening") == "1",
    }


@bp.route("/apply", methods=["POST"])
@permission_required(f"{N}.apply")
def apply():
    sid = str(next(COUNTER))
    fields = fields_from(request.form)
    start_workflow(f"{N}.leave", ("leave", sid), current_user._get_current_object(),
                   fields=fields, title=f"Leave of {current_user.name}: {fields['days']} days")
    db.session.commit()
    return redirect(url_for(f"{N}.show", sid=sid))


@bp.route("/leave/<sid>")
@login_required_only
def show(sid):
    instance = workflow_for(("leave", sid))
    if instance is None or not can_view_workflow(instance, current_user):
        abort(404)
    return render_template_string(PAGE, sid=sid, instance=instance)


@bp.route("/leave/<sid>/revise", methods=["POST"])
@login_required_only
def revise(sid):
    instance = workflow_for(("leave", sid))
    if instance is None or instance.applicant_id != current_user.id:
        abort(404)
    try:
        resubmit_workflow(instance, current_user._get_current_object(),
                          comment=request.form.get("comment", ""),
                          fields=fields_from(request.form))
        db.session.commit()
        flash("Revised and submitted again.", "success")
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    return redirect(url_for(f"{N}.show", sid=sid))


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_permissions():
    return [Permission(f"{N}.apply", "Apply for leave"),
            Permission(f"{N}.view", "See the leave of the unit")]


@hookimpl
def register_roles():
    roles = [RoleSpec(f"{N}.student", "Student", (f"{N}.apply",))]
    for name, label in ((MONITOR, "Class monitor"), (PE, "PE member"), (DORM, "Dorm head"),
                        (CT, "Class teacher"), (GRADE, "Grade office"),
                        (AFFAIRS, "Student affairs"), (ACADEMIC, "Academic affairs"),
                        (VICE, "Vice principal"), (PRINCIPAL, "Principal")):
        # The staff see the unit's leave (and so may be copied in); the cadres do not.
        staff = name not in (MONITOR, PE, DORM)
        roles.append(RoleSpec(name, label, (f"{N}.view",) if staff else ()))
    return roles


@hookimpl
def register_workflows():
    return [LEAVE]


@hookimpl
def on_workflow_event(event):
    if event.comment == "refuse me":
        raise RuntimeError("the plugin refuses")
    EVENTS.append(event)
'''

R = f"{PLUGIN}."


@pytest.fixture
def school(make_plugin, make_app):
    """A school → grade → classes A and B, with every signer of the chain table."""
    make_plugin(PLUGIN, SOURCE)
    app = make_app()
    ctx = app.app_context()
    ctx.push()
    from core import roles, units, users
    from core.extensions import db

    s = units.create_unit("s", "No. 1 School", "school")
    g1 = units.create_unit("g1", "Grade 1", "grade", s)
    a = units.create_unit("a", "Class A", "class", g1)
    b = units.create_unit("b", "Class B", "class", g1)
    units.set_plugin_state(PLUGIN, s, True)
    people = {}

    def person(username, name, unit, *held):
        user = users.create_user(username, name, "secret123", unit)
        for role, where in held:
            roles.assign(user, role, where)
        people[username] = user
        return user

    person("stu", "Zhang San", a, (R + "student", a))
    person("stu_b", "Li Si", b, (R + "student", b))
    person("mon", "Monitor Wang", a, (R + "monitor", a), (R + "student", a))
    person("pe", "PE Zhao", a, (R + "pe_member", a))
    person("dorm", "Dorm Qian", a, (R + "dorm_head", a))
    person("ct", "Teacher Sun", a, (R + "class_teacher", a))
    person("ct_b", "Teacher Zhou", b, (R + "class_teacher", b))
    person("mon_b", "Monitor Wu", b, (R + "monitor", b))
    person("grade", "Grade Head Zheng", g1, (R + "grade_office", g1))
    person("affairs", "Affairs Feng", s, (R + "student_affairs", s))
    person("academic", "Academic Chen", s, (R + "academic_affairs", s))
    person("vice", "Vice Chu", s, (R + "vice_principal", s))
    person("principal", "Principal Wei", s, (R + "principal", s))
    person("admin", "Admin Jiang", s, ("core.unit_admin", s))
    db.session.commit()

    def client_for(username):
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": "secret123"})
        assert response.status_code == 302, f"login of {username} failed"
        return client

    yield SimpleNamespace(app=app, db=db, units={"s": s, "g1": g1, "a": a, "b": b},
                          people=people, client=client_for, events=sys.modules[
                              f"danwei_{PLUGIN}"].EVENTS)
    ctx.pop()


def apply(client, **fields):
    """File a leave as the client's user; returns (leave page URL, workflow instance id)."""
    data = {"type": "personal", "periods": 1, "days": 0.1}
    data.update({k: ("1" if v is True else v) for k, v in fields.items() if v is not False})
    response = client.post(f"/{PLUGIN}/apply", data=data)
    assert response.status_code == 302, response.text
    url = response.headers["Location"]
    from core.extensions import db
    from core.workflow.models import WorkflowInstance

    instance_id = db.session.scalar(select(func.max(WorkflowInstance.id)))
    return url, instance_id


def steps_of(page: str) -> list[str]:
    return re.findall(r'data-step="([^"]+)"', page)


def decide(client, instance_id, action="approve", comment="", follow=True, **form):
    page = client.get(f"/workflow/{instance_id}").text
    step_id = re.search(r'name="decide-step_id" type="hidden" value="(\d+)"', page)
    data = {"decide-comment": comment, f"decide-{action}": "1",
            "decide-step_id": step_id.group(1) if step_id else ""}
    data.update({f"step-{k}": v for k, v in form.items()})
    return client.post(f"/workflow/{instance_id}/decide", data=data,
                       follow_redirects=follow)


PARENT_CALL = {"called_at": "2026-11-23T07:40", "number": "138 0000 1234",
               "answered_by": "his mother", "note": "fever since last night"}


def state(school, instance_id):
    from core.workflow.models import WorkflowInstance

    school.db.session.expire_all()
    return school.db.session.get(WorkflowInstance, instance_id).state


# -- the chain table ---------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "expected", "because"), [
    ({"periods": 1, "days": 0.12}, ["monitor"],
     "1 periods on campus: the monitor signs alone"),
    ({"periods": 2, "days": 0.25, "leaving": True}, ["monitor", "ct"],
     "the class teacher signs"),
    ({"periods": 2, "days": 0.25, "evening": True}, ["monitor", "ct"],
     "the class teacher signs"),
    ({"periods": 8, "days": 1.0}, ["monitor", "ct"], "the leave is 1.0 days, at most 1"),
    ({"periods": 12, "days": 1.5}, ["monitor", "ct", "grade", "affairs"],
     "the leave is 1.5 days, more than 1"),
    ({"periods": 16, "days": 2.0}, ["monitor", "ct", "grade", "affairs"],
     "the leave is 2.0 days, at most 2"),
    ({"periods": 18, "days": 2.25}, ["monitor", "ct", "grade", "affairs", "principal"],
     "the leave is 2.25 days, more than 2"),
    ({"periods": 1, "days": 0.12, "exam": True}, ["ct", "grade", "affairs", "academic", "vice"],
     "Exam period: yes"),
    ({"type": "morning_exercise", "periods": 0, "days": 0}, ["joint", "ct_review"],
     "Morning-exercise leave: yes"),
])
def test_each_row_of_the_chain_table_and_its_explanation(school, fields, expected, because):
    student = school.client("stu")
    url, instance_id = apply(student, **fields)
    page = student.get(url).text
    assert steps_of(page) == expected
    headline = f"{len(expected)} step{'s' if len(expected) > 1 else ''} because"
    assert headline in page
    assert because in page
    if "exam" not in fields and "type" not in fields:
        assert "Exam period: no" in page


def test_one_and_a_half_days_goes_through_four_signatures(school):
    student = school.client("stu")
    url, iid = apply(student, periods=12, days=1.5)
    page = student.get(url).text
    assert ("4 steps because Morning-exercise leave: no; Exam period: no; 12 periods, or it "
            "leaves campus or falls in evening study: the class teacher signs; the leave is 1.5 "
            "days, more than 1") in page
    assert "Not needed: Principal (the leave is 1.5 days, at most 2)" in page

    assert "Approved." in decide(school.client("mon"), iid).text
    teacher = school.client("ct")
    # The class teacher must record the parent call first: the form comes back with a message
    # and with what was typed.
    page = decide(teacher, iid, comment="called the mother").text
    assert "This field is required." in page
    assert "called the mother" in page
    assert state(school, iid) == "pending"

    page = decide(teacher, iid, comment="mother confirmed", **PARENT_CALL).text
    assert "Approved." in page
    timeline = student.get(url).text
    assert "138 0000 1234" in timeline and "his mother" in timeline
    assert "Number called" in timeline and "mother confirmed" in timeline

    decide(school.client("grade"), iid)
    assert state(school, iid) == "pending"
    decide(school.client("affairs"), iid)
    assert state(school, iid) == "approved"
    page = student.get(url).text
    assert 'data-testid="workflow-state">Approved' in page
    assert [e.action for e in school.events] == [
        "submitted", "step_approved", "step_approved", "step_approved", "approved"]
    assert school.events[-1].final

    from core.models import AuditEvent

    actions = school.db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("core.workflow_%"))).all()
    assert actions.count("core.workflow_approve") == 4


def test_preview_explains_a_chain_without_saving_it(school):
    from core.api import preview_workflow
    from core.workflow.models import WorkflowInstance

    plan = preview_workflow(f"{PLUGIN}.leave", {"type": "personal", "periods": 18, "days": 2.25,
                                                "leaving": False, "exam": False,
                                                "evening": False})
    assert [s.key for s in plan.steps] == ["monitor", "ct", "grade", "affairs", "principal"]
    assert plan.headline().startswith("5 steps because Morning-exercise leave: no; Exam "
                                      "period: no;")
    assert plan.left_out() == []
    assert school.db.session.scalar(select(func.count()).select_from(WorkflowInstance)) == 0


def test_morning_exercise_needs_all_three_signatures(school):
    url, iid = apply(school.client("stu"), type="morning_exercise", periods=0, days=0)
    decide(school.client("mon"), iid)
    decide(school.client("pe"), iid)
    page = school.client("ct").get(url).text
    assert 'data-testid="workflow-decide"' not in page  # the joint step is not complete yet
    assert state(school, iid) == "pending"
    decide(school.client("dorm"), iid)
    page = school.client("ct").get(url).text
    assert 'data-testid="workflow-decide"' in page  # now the class teacher reviews
    assert "Approved." in decide(school.client("ct"), iid).text
    assert state(school, iid) == "approved"


def test_reject_needs_a_reason_and_ends_the_request(school):
    student = school.client("stu")
    url, iid = apply(student, periods=12, days=1.5)
    monitor = school.client("mon")
    page = decide(monitor, iid, action="reject").text
    assert "Give a reason: the applicant sees it." in page
    assert state(school, iid) == "pending"
    decide(monitor, iid, action="reject", comment="no reason given for the leave")
    assert state(school, iid) == "rejected"
    assert "no reason given for the leave" in student.get(url).text
    # Nobody can act on it any more; the class teacher, never asked, does not even see it.
    assert "This request was already rejected." in decide(monitor, iid).text
    assert school.client("ct").get(f"/workflow/{iid}").status_code == 404
    assert school.events[-1].action == "rejected" and school.events[-1].final


def test_return_for_revision_then_resubmit_with_a_new_chain(school):
    student = school.client("stu")
    url, iid = apply(student, periods=12, days=1.5)
    monitor = school.client("mon")
    page = decide(monitor, iid, action="send_back").text
    assert "Say what should be revised" in page
    decide(monitor, iid, action="send_back", comment="one period is enough")
    assert state(school, iid) == "returned"
    assert school.events[-1].action == "returned"
    assert "one period is enough" in student.get(url).text

    # The plugin resubmits with revised fields: the chain is chosen again (one step now).
    student.post(f"/{PLUGIN}/leave/1/revise",
                 data={"periods": 1, "days": 0.12, "comment": "shortened"})
    page = student.get(url).text
    assert state(school, iid) == "pending"
    assert steps_of(page) == ["monitor"]
    assert "1 step because" in page and "shortened" in page
    assert school.events[-1].action == "resubmitted"
    decide(monitor, iid)
    assert state(school, iid) == "approved"


def test_resubmit_from_the_core_panel_keeps_the_fields(school):
    student = school.client("stu")
    url, iid = apply(student, periods=4, days=0.5)
    decide(school.client("mon"), iid, action="send_back", comment="add the reason")
    assert 'data-testid="workflow-resubmit"' in student.get(url).text
    response = student.post(f"/workflow/{iid}/resubmit",
                            data={"resubmit-comment": "reason added", "next": url},
                            follow_redirects=True)
    assert "The request was submitted again." in response.text
    assert steps_of(response.text) == ["monitor", "ct"]


def test_withdraw_by_the_applicant_only_before_the_decision(school):
    student = school.client("stu")
    url, iid = apply(student, periods=12, days=1.5)
    monitor = school.client("mon")
    response = monitor.post(f"/workflow/{iid}/withdraw", data={"withdraw-comment": ""},
                            follow_redirects=True)
    assert state(school, iid) == "pending"
    response = student.post(f"/workflow/{iid}/withdraw",
                            data={"withdraw-comment": "feeling better"}, follow_redirects=True)
    assert "The request was withdrawn." in response.text
    assert state(school, iid) == "withdrawn"
    assert "withdrawn by the applicant" in decide(monitor, iid).text
    assert school.client("mon").get("/inbox/").text.count('data-instance=') == 0
    assert school.events[-1].action == "withdrawn"
    # Withdrawing again is refused with the state.
    response = student.post(f"/workflow/{iid}/withdraw", data={}, follow_redirects=True)
    assert "withdrawn by the applicant" in response.text


def test_transfer_to_an_eligible_person(school):
    student = school.client("stu")
    url, iid = apply(student, periods=4, days=0.5)
    decide(school.client("mon"), iid)
    teacher = school.client("ct")
    page = teacher.get(url).text
    assert 'data-testid="workflow-transfer"' in page
    grade = school.people["grade"]
    # Teacher Zhou of class B is no holder in this class's ancestry: not a valid choice.
    response = teacher.post(f"/workflow/{iid}/transfer",
                            data={"transfer-target": school.people["ct_b"].id})
    assert "Not a valid choice" in response.text
    response = teacher.post(f"/workflow/{iid}/transfer",
                            data={"transfer-target": grade.id, "transfer-comment": "I am away",
                                  "next": url}, follow_redirects=True)
    assert f"Transferred to {grade.name}." in response.text
    assert "it no longer waits for you" in decide(teacher, iid).text
    assert decide(school.client("grade"), iid, **PARENT_CALL).status_code == 200
    assert state(school, iid) == "approved"
    assert "transferred" in student.get(url).text and "I am away" in student.get(url).text


def test_cc_lets_someone_read_but_not_decide(school):
    student = school.client("stu")
    url, iid = apply(student, periods=1, days=0.12)
    other = school.client("grade")
    assert other.get(f"/workflow/{iid}").status_code == 404
    response = student.post(f"/workflow/{iid}/cc", data={"cc-usernames": "nobody_here"})
    assert "No active user is called nobody_here." in response.text
    response = student.post(f"/workflow/{iid}/cc",
                            data={"cc-usernames": "grade", "cc-comment": "fyi", "next": url},
                            follow_redirects=True)
    assert "Copied in: Grade Head Zheng." in response.text
    page = other.get(f"/workflow/{iid}").text
    assert "Zhang San" in page and 'data-testid="workflow-decide"' not in page
    assert "not an approver" in decide(other, iid).text
    assert f'data-instance="{iid}"' in other.get("/inbox/copied").text
    assert state(school, iid) == "pending"


def test_cc_only_to_people_who_may_see_such_requests_in_the_unit(school):
    """Copying in shows the request (and what its steps noted, e.g. a parent's number): only
    to someone who may see this kind of request in the request's unit."""
    student = school.client("stu")
    url, iid = apply(student, periods=1, days=0.12)
    # The class teacher of another class, a monitor of another class, a classmate cadre:
    # same organisation, but no right to see this class's leave.
    for username in ("ct_b", "mon_b", "pe", "stu_b"):
        response = student.post(f"/workflow/{iid}/cc", data={"cc-usernames": username},
                                follow_redirects=True)
        assert "cannot be copied in" in response.text, username
        assert school.client(username).get(f"/workflow/{iid}").status_code == 404, username
    # The grade office of the class's grade, and the school's offices, may.
    response = student.post(f"/workflow/{iid}/cc", data={"cc-usernames": "grade affairs"},
                            follow_redirects=True)
    assert "Copied in:" in response.text
    assert school.client("affairs").get(f"/workflow/{iid}").status_code == 200


def test_urge_reminds_the_approvers_once_an_hour(school):
    from core.notifications import Notification

    student = school.client("stu")
    url, iid = apply(student, periods=1, days=0.12)
    monitor = school.people["mon"]
    before = school.db.session.scalar(select(func.count()).where(
        Notification.user_id == monitor.id))
    response = student.post(f"/workflow/{iid}/urge", data={"urge-comment": "please, today"},
                            follow_redirects=True)
    assert "The approvers were reminded." in response.text
    school.db.session.expire_all()
    notes = school.db.session.scalars(select(Notification).where(
        Notification.user_id == monitor.id).order_by(Notification.id)).all()
    assert len(notes) == before + 1
    assert "is waiting for your decision" in notes[-1].subject
    response = student.post(f"/workflow/{iid}/urge", data={}, follow_redirects=True)
    assert "You urged this request 0 minutes ago" in response.text
    # Only the applicant urges.
    response = school.client("mon").post(f"/workflow/{iid}/urge", data={},
                                         follow_redirects=True)
    assert "You urged" not in response.text


# -- fallbacks ----------------------------------------------------------------------------------


def test_vacant_class_teacher_goes_to_the_grade_office_and_the_admin_sees_it(school):
    from core import roles

    school.db.session.delete(school.people["ct"].assignments[0])
    school.db.session.commit()
    student = school.client("stu")
    url, iid = apply(student, periods=4, days=0.5)
    decide(school.client("mon"), iid)
    page = student.get(url).text
    assert "Nobody holds Class teacher in Class A." in page
    assert "Sent to Grade office: Grade Head Zheng." in page
    admin = school.client("admin")
    attention = admin.get("/inbox/attention").text
    assert f'data-instance="{iid}"' in attention
    assert "A step went to a fallback approver." in admin.get(f"/workflow/{iid}").text
    assert f'data-instance="{iid}"' in school.client("grade").get("/inbox/").text
    decide(school.client("grade"), iid, **PARENT_CALL)
    assert state(school, iid) == "approved"
    # The admin clears the flag once they have looked.
    admin.post(f"/workflow/{iid}/acknowledge", data={"acknowledge-comment": "ok"})
    assert f'data-instance="{iid}"' not in admin.get("/inbox/attention").text
    assert roles  # the import is used to keep the role model loaded


def test_deactivated_holder_before_the_step_opens(school):
    teacher = school.people["ct"]
    teacher.active = False
    school.db.session.commit()
    url, iid = apply(school.client("stu"), periods=4, days=0.5)
    decide(school.client("mon"), iid)
    page = school.client("grade").get(url).text
    assert "held only by deactivated accounts (Teacher Sun)" in page
    assert 'data-testid="workflow-decide"' in page


def test_holder_deactivated_while_the_step_waits_is_replaced_by_the_job(school):
    from core import jobs

    url, iid = apply(school.client("stu"), periods=4, days=0.5)
    decide(school.client("mon"), iid)
    school.people["ct"].active = False
    school.db.session.commit()
    outcomes = jobs.run_due(only="core.workflow_due", force=True)
    assert [o.status for o in outcomes] == ["ok"]
    page = school.client("grade").get(url).text
    assert 'data-testid="workflow-decide"' in page
    assert "Teacher Sun" in page and "Sent to Grade office" in page


def test_monitor_as_applicant_never_approves_own_leave(school):
    url, iid = apply(school.client("mon"), periods=1, days=0.12)
    page = school.client("ct").get(url).text
    assert "The only approver for Class monitor is the applicant." in page
    assert 'data-testid="workflow-decide"' in page


def test_nobody_anywhere_goes_to_the_workflow_administrators(school):
    school.db.session.delete(school.people["academic"].assignments[0])
    school.db.session.commit()
    url, iid = apply(school.client("stu"), periods=1, days=0.12, exam=True)
    decide(school.client("ct"), iid, **PARENT_CALL)
    decide(school.client("grade"), iid)
    decide(school.client("affairs"), iid)
    page = school.client("admin").get(url).text
    assert "Sent to the workflow administrators: Admin Jiang." in page
    assert 'data-testid="workflow-decide"' in page


def test_admin_reassigns_a_step(school):
    url, iid = apply(school.client("stu"), periods=1, days=0.12)
    admin = school.client("admin")
    response = admin.post(f"/workflow/{iid}/reassign",
                          data={"reassign-username": "mon_b", "reassign-comment": "cover"},
                          follow_redirects=True)
    assert "Reassigned to Monitor Wu." in response.text
    assert "it no longer waits for you" in decide(school.client("mon"), iid).text
    decide(school.client("mon_b"), iid)
    assert state(school, iid) == "approved"
    # Someone without the permission cannot reassign.
    assert school.client("ct").post(f"/workflow/{iid}/reassign", data={}).status_code == 403


# -- scoping --------------------------------------------------------------------------------------


def test_an_approver_of_another_class_can_neither_see_nor_act(school):
    url, iid = apply(school.client("stu"), periods=4, days=0.5)
    other = school.client("mon_b")
    assert other.get(url).status_code == 404
    assert other.get(f"/workflow/{iid}").status_code == 404
    assert other.post(f"/workflow/{iid}/decide", data={"decide-approve": "1"}).status_code == 404
    assert other.post(f"/workflow/{iid}/cc", data={"cc-usernames": "mon_b"}).status_code == 404
    assert f'data-instance="{iid}"' not in other.get("/inbox/").text
    assert state(school, iid) == "pending"
    # The monitor of class A does see it, and the count in the navigation says so.
    mine = school.client("mon").get("/inbox/").text
    assert f'data-instance="{iid}"' in mine
    assert 'data-testid="badge-inbox.index">1<' in mine


def test_a_stale_page_says_who_decided(school):
    url, iid = apply(school.client("stu"), periods=1, days=0.12)
    monitor = school.client("mon")
    page = monitor.get(f"/workflow/{iid}").text
    step_id = re.search(r'name="decide-step_id" type="hidden" value="(\d+)"', page).group(1)
    school.client("admin").post(f"/workflow/{iid}/reassign",
                                data={"reassign-username": "mon_b"})
    decide(school.client("mon_b"), iid)
    response = monitor.post(f"/workflow/{iid}/decide",
                            data={"decide-approve": "1", "decide-step_id": step_id},
                            follow_redirects=True)
    assert "This request was already approved." in response.text


def test_a_step_id_no_step_can_have_is_refused_like_a_stale_one(school):
    # Ids beyond the database's INTEGER used to reach the query that explains a stale page.
    url, iid = apply(school.client("stu"), periods=1, days=0.12)
    monitor = school.client("mon")
    for junk in ("99999999999999999999", "2147483648", "-1", "0"):
        response = monitor.post(f"/workflow/{iid}/decide",
                                data={"decide-approve": "1", "decide-step_id": junk},
                                follow_redirects=True)
        assert response.status_code == 200, junk
        assert state(school, iid) == "pending", junk
    assert decide(monitor, iid).status_code == 200
    assert state(school, iid) == "approved"


# -- due times --------------------------------------------------------------------------------------


def test_due_time_in_working_days_reminder_then_escalation(school):
    from core import jobs, workdays
    from core.notifications import Notification
    from core.workflow.models import WorkflowStep

    url, iid = apply(school.client("stu"), periods=4, days=0.5)
    decide(school.client("mon"), iid)
    step = school.db.session.scalar(select(WorkflowStep).where(
        WorkflowStep.instance_id == iid, WorkflowStep.key == "ct"))
    assert step.due_at == workdays.add_working_days(step.opened_at, 1)
    assert step.remind_at == workdays.add_working_days(step.opened_at, 0.5)

    jobs.run_due(now=step.remind_at + timedelta(minutes=1), only="core.workflow_due", force=True)
    teacher = school.people["ct"]
    subjects = school.db.session.scalars(select(Notification.subject).where(
        Notification.user_id == teacher.id)).all()
    assert any(s.startswith("Due soon") for s in subjects)
    assert f'data-instance="{iid}"' not in school.client("grade").get("/inbox/").text

    jobs.run_due(now=step.due_at + timedelta(minutes=1), only="core.workflow_due", force=True)
    grade_inbox = school.client("grade").get("/inbox/").text
    assert f'data-instance="{iid}"' in grade_inbox
    page = school.client("grade").get(url).text
    assert "by escalation" in page
    # Running the job again changes nothing.
    jobs.run_due(now=step.due_at + timedelta(minutes=2), only="core.workflow_due", force=True)
    school.db.session.expire_all()
    from core.workflow.models import WorkflowAction

    assert school.db.session.scalar(select(func.count()).where(
        WorkflowAction.instance_id == iid, WorkflowAction.action == "escalate")) == 1
    decide(school.client("grade"), iid, **PARENT_CALL)
    assert state(school, iid) == "approved"


# -- hooks --------------------------------------------------------------------------------------


def test_hook_register_workflows(make_plugin, make_app):
    make_plugin("wf_badreg", '''
from core.api import Step, WorkflowDefinition, hookimpl

@hookimpl
def register_workflows():
    return [
        WorkflowDefinition("wf_badreg.ok", "Fine", steps=(Step("a", "A", role="x.y"),)),
        WorkflowDefinition("someone_else.leave", "Wrong prefix", steps=(Step("a", "A", user="u"),)),
        WorkflowDefinition("wf_badreg.empty", "No approver", steps=(Step("a", "A"),)),
    ]
''')
    app = make_app()
    with app.app_context():
        from core.workflow.registry import definitions

        assert "wf_badreg.ok" in definitions()
        assert "someone_else.leave" not in definitions()
        assert "wf_badreg.empty" not in definitions()
        messages = [e.message for e in app.extensions["danwei"].errors_of("wf_badreg")]
        assert any("must be named wf_badreg." in m for m in messages)
        assert any("names no approver" in m for m in messages)


def test_hook_on_workflow_event(school):
    url, iid = apply(school.client("stu"), periods=1, days=0.12)
    event = school.events[-1]
    assert (event.action, event.definition_id, event.subject_type, event.subject_id,
            event.state) == ("submitted", f"{PLUGIN}.leave", "leave", "1", "pending")
    # A plugin that raises refuses the action: nothing of it is kept.
    response = decide(school.client("mon"), iid, comment="refuse me")
    assert "could not record this; nothing was changed" in response.text
    assert state(school, iid) == "pending"
    decide(school.client("mon"), iid, comment="fine")
    assert school.events[-1].action == "approved" and school.events[-1].comment == "fine"



def test_a_chinese_interface_user_refused_by_the_engine_reads_chinese(school):
    """Refusals and notices of the engine reach each reader in their own language, whoever
    caused them: the student and the administrator read Chinese, the monitor English."""
    from core.notifications import Notification

    for username in ("stu", "admin"):
        school.people[username].locale = "zh_CN"
    school.db.session.commit()
    student, admin, monitor = school.client("stu"), school.client("admin"), school.client("mon")
    url, iid = apply(student, periods=1, days=0.12)
    assert "您不是当前步骤的审批人。" in decide(admin, iid).text
    assert "Approved." in decide(monitor, iid).text
    assert "此申请已审批通过。" in decide(admin, iid).text
    assert "This request was already approved." in decide(monitor, iid).text

    school.db.session.expire_all()
    subjects = {(n.user.username, n.subject) for n in school.db.session.scalars(
        select(Notification).where(Notification.plugin == "core"))}
    title = "Leave of Zhang San: 0.12 days"
    assert ("mon", f"Waiting for your decision: {title}") in subjects  # sent by a Chinese user
    assert ("stu", f"已审批通过：{title}") in subjects  # sent by an English one


def test_the_event_carries_the_step_form_as_text(school):
    url, iid = apply(school.client("stu"), periods=4, days=0.5, leaving=True)
    decide(school.client("mon"), iid)
    decide(school.client("ct"), iid, comment="ok", **PARENT_CALL)
    event = school.events[-1]
    assert (event.action, event.state) == ("approved", "approved")
    assert dict(event.form) == {"called_at": "2026-11-23 07:40", "number": "138 0000 1234",
                                "answered_by": "his mother", "note": "fever since last night"}
    # Contract 1.0's untyped dict still holds the form as the panel sent it.
    assert {i["name"]: i["value"] for i in event.data["form"]} == dict(event.form)
    assert [e.form for e in school.events[:-1]] == [{}, {}]
