"""The typed contract between the engine and the plugins: states and actions are enums, the
event carries a typed step form and the loaded subject, and a plugin that compares a state
with a misspelt string fails a test (the source check) instead of failing a user."""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import entry_points

import pytest

from core.api import (
    AssignmentState,
    EventAction,
    RequestState,
    StepState,
    WorkflowEvent,
    check_workflow_literals,
)
from core.plugins import ENTRY_POINT_GROUP


def test_the_enums_are_the_stored_strings():
    from core.workflow import models

    assert RequestState.APPROVED == "approved" and str(RequestState.APPROVED) == "approved"
    assert {s.value for s in RequestState} == {*models.OPEN_STATES, *models.FINAL_STATES}
    assert (StepState.WAITING, StepState.OPEN, StepState.CANCELLED) == (
        models.WAITING, models.OPEN, models.CANCELLED)
    assert AssignmentState.TRANSFERRED == models.TRANSFERRED
    assert RequestState("withdrawn").is_final and RequestState.RETURNED.is_open


def test_a_misspelt_member_or_word_fails_where_it_is_written():
    with pytest.raises(AttributeError):
        RequestState.APROVED  # noqa: B018 - the misspelling is the test
    with pytest.raises(ValueError, match="aproved"):
        WorkflowEvent(action="approved", definition_id="x.y", instance_id=1, subject_type="t",
                      subject_id="1", state="aproved", actor_id=None)
    event = WorkflowEvent(action="approved", definition_id="x.y", instance_id=1,
                          subject_type="t", subject_id="1", state="approved", actor_id=None,
                          form={"phone": "138"})
    assert event.action is EventAction.APPROVED and event.state is RequestState.APPROVED
    assert event.final and event.form["phone"] == "138"
    with pytest.raises(TypeError):
        event.form["phone"] = "139"  # the form is read-only, like the event


MISSPELT = '''
from core.api import hookimpl


@hookimpl
def on_workflow_event(event):
    if event.state == "aproved":
        event.subject.done = True
'''


def test_the_source_check_catches_a_misspelt_state(tmp_path):
    package = tmp_path / "danwei_misspelt"
    package.mkdir()
    (package / "__init__.py").write_text(MISSPELT, encoding="utf-8")
    (package / "tests").mkdir()
    (package / "tests" / "test_it.py").write_text('assert x.state == "aproved"\n', "utf-8")
    findings = check_workflow_literals(package)
    assert [(f.line, f.literal) for f in findings] == [(7, "aproved")]
    assert "did you mean RequestState.APPROVED?" in str(findings[0])
    # Spelt right, a string is still refused: only the member cannot be misspelt unnoticed.
    (package / "__init__.py").write_text(MISSPELT.replace("aproved", "approved"), "utf-8")
    assert "compare with RequestState.APPROVED" in str(check_workflow_literals(package)[0])
    (package / "__init__.py").write_text(
        MISSPELT.replace('"aproved"', "RequestState.APPROVED"), "utf-8")
    assert check_workflow_literals(package) == []


def test_core_and_every_installed_plugin_compare_with_the_enums():
    packages = sorted({ep.value.split(":")[0].split(".")[0]
                       for ep in entry_points(group=ENTRY_POINT_GROUP)})
    assert packages, "no plugin is installed"
    for name in ["core", *packages]:
        findings = check_workflow_literals(importlib.import_module(name))
        assert findings == [], "\n".join(map(str, findings))


SUBJECT = '''
from core.api import UserApprover, Step, Unit, WorkflowDefinition, hookimpl

EVENTS = []


@hookimpl
def register_workflows():
    return [WorkflowDefinition("wf_subject.flow", "Unit approval", subject_model=Unit,
                               steps=(Step("boss", "Boss", approvers=(UserApprover("boss"),)),))]


@hookimpl
def on_workflow_event(event):
    EVENTS.append(event)
'''


def test_the_definition_loads_the_subject_for_the_event(make_plugin, make_app):
    make_plugin("wf_subject", SUBJECT)
    app = make_app()
    with app.app_context():
        from core.api import approve_workflow, create_unit, create_user, db, start_workflow

        unit = create_unit("wfs", "Unit under approval", "school")
        applicant = create_user("asker", "Asker", "secret123", unit)
        boss = create_user("boss", "Boss", "secret123", unit)
        instance = start_workflow("wf_subject.flow", unit, applicant)
        approve_workflow(instance, boss, "fine")
        db.session.commit()
        events = sys.modules["danwei_wf_subject"].EVENTS
        assert [e.action for e in events] == [EventAction.SUBMITTED, EventAction.APPROVED]
        assert all(e.subject is unit for e in events)
        assert events[-1].state is RequestState.APPROVED and events[-1].form == {}
