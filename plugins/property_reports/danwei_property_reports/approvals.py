"""The approval chains of plans and routine-work catalogues, on core's workflow engine.

- ``property_reports.plan``: a department's plan goes to the project manager (line 71), a team's
  plan to its department manager (line 73). A revision (version 2 and later) goes the same way
  with one more requirement: whoever approves confirms having read the background (the reason
  for the change and the differences from the approved version) — the rule for a substitute
  approver (line 81); the page shows it and says when the approver is not the original one.
- ``property_reports.catalogue``: a department's 《日、周、月、年例行工作》 is approved and filed by
  the company leadership (line 39).

The engine calls :func:`on_event` for every action; the version's state follows.
"""

from __future__ import annotations

from flask import url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from core.api import (
    Condition,
    EventAction,
    FieldApprover,
    Route,
    Step,
    User,
    WorkflowDefinition,
    WorkflowError,
    audit,
    db,
    resubmit_workflow,
    start_workflow,
    utcnow,
    workflow_for,
)

from . import planning
from .i18n import lazy_gettext as _l
from .models import (
    APPROVED,
    RETURNED,
    SUBMITTED,
    SUPERSEDED,
    TEAM,
    Catalogue,
    PlanVersion,
)

PLUGIN = "property_reports"
PLAN_FLOW = f"{PLUGIN}.plan"
CATALOGUE_FLOW = f"{PLUGIN}.catalogue"

PROJECT_MANAGER = f"{PLUGIN}.project_manager"
DEPARTMENT_MANAGER = f"{PLUGIN}.department_manager"
LEADERSHIP = f"{PLUGIN}.leadership"

TEAM_PLAN = Condition(
    lambda f: f.get("level") == TEAM,
    yes=_l("%(unit)s is a team inside a department: its plan is approved by the department "
           "manager (line 73)"),
    no=_l("%(unit)s is a department: its plan is approved by the project manager (line 71)"),
)
REVISION = Condition(
    lambda f: int(f.get("number", 1)) > 1,
    yes=_l("version %(number)s is a revision proposed by the original author; it goes to the "
           "original approver, %(approver)s, and whoever decides it confirms reading the "
           "background (lines 79–81)"),
    no=_l("this is the first version of the plan"),
)
FIRST = Condition(lambda f: int(f.get("number", 1)) == 1, yes="", no="")

class BackgroundForm(FlaskForm):
    """Filled in before approving a revision: the approver read its background (line 81)."""

    background_read = BooleanField(
        _l("I have read the background: why the plan changes and what changed since the "
           "approved version"),
        validators=[DataRequired(message=_l("Read the background of the revision first."))])


def _steps(key: str, label, revision_label, role: str,
           transfer_roles: tuple[str, ...]) -> tuple[Step, ...]:
    return (
        Step(key, label, role=role, when=FIRST, transfer_roles=transfer_roles),
        # Line 73: the original approver decides a revision; if they are gone, a holder of the
        # role substitutes and is shown the background (the step's form) first.
        Step(f"{key}_revision", revision_label, approvers=(FieldApprover("approver_username"),),
             fallback_role=role, when=REVISION, form=BackgroundForm,
             transfer_roles=transfer_roles),
    )


def definitions() -> list[WorkflowDefinition]:
    return [
        WorkflowDefinition(
            PLAN_FLOW, _l("Monthly work plan"),
            routes=(
                Route("team", _l("Team plan"),
                      _steps("department_manager", _l("Department manager"),
                             _l("Department manager, on the background of the revision"),
                             DEPARTMENT_MANAGER, (PROJECT_MANAGER,)),
                      when=TEAM_PLAN),
                Route("department", _l("Department plan"),
                      _steps("project_manager", _l("Project manager"),
                             _l("Project manager, on the background of the revision"),
                             PROJECT_MANAGER, (LEADERSHIP,))),
            ),
            subject_url=lambda subject_id: url_for(f"{PLUGIN}.plan_version",
                                                   version_id=int(subject_id)),
            subject_model=PlanVersion,
            refresh_fields=lambda subject_id: plan_fields(
                db.session.get(PlanVersion, int(subject_id))),
            description=_l("Department plans go to the project manager, team plans to the "
                           "department manager; revisions to the original approver."),
        ),
        WorkflowDefinition(
            CATALOGUE_FLOW, _l("Routine-work catalogue"),
            steps=(Step("leadership", _l("Company leadership"), role=LEADERSHIP),),
            subject_url=lambda subject_id: url_for(f"{PLUGIN}.catalogue",
                                                   catalogue_id=int(subject_id)),
            subject_model=Catalogue,
            description=_l("Each department's daily, weekly, monthly and yearly routine work is "
                           "approved and filed by the company (line 39)."),
        ),
    ]


# -- submitting ----------------------------------------------------------------------------------


def plan_fields(version: PlanVersion) -> dict:
    plan = version.plan
    return {
        "level": plan.level, "unit": plan.unit.name, "number": version.number,
        "month": f"{plan.year}-{plan.month:02d}", "items": len(version.items),
        "approver": plan.approver.name if plan.approver else "—",
        "approver_username": plan.approver.username if plan.approver else "",
    }


def submit_plan(version: PlanVersion, user: User, comment: str = "") -> None:
    """Send *version* for approval (or again, after it was returned)."""
    planning.check_author(version.plan, user)
    if not version.editable:
        raise planning.PlanError(_l("This version is not a draft."))
    planning.check_complete(version)
    plan = version.plan
    title = f"{plan.unit.name} {plan.year}-{plan.month:02d} v{version.number}"
    instance = workflow_for(version, PLAN_FLOW)
    if instance is not None and instance.state == RETURNED:
        resubmit_workflow(instance, user, comment, fields=plan_fields(version), title=title)
    else:
        instance = start_workflow(PLAN_FLOW, version, user, unit=plan.unit,
                                  fields=plan_fields(version), title=title, comment=comment)
        version.workflow_id = instance.id
    planning.mark_submitted(version)


def submit_catalogue(catalogue: Catalogue, user: User, comment: str = "") -> None:
    if not catalogue.items:
        raise planning.PlanError(_l("Add at least one routine task before submitting."))
    title = f"{catalogue.unit.name} v{catalogue.number}"
    instance = workflow_for(catalogue, CATALOGUE_FLOW)
    if instance is not None and instance.state == RETURNED:
        resubmit_workflow(instance, user, comment, title=title)
    else:
        instance = start_workflow(CATALOGUE_FLOW, catalogue, user, unit=catalogue.unit,
                                  fields={"unit": catalogue.unit.name,
                                          "number": catalogue.number},
                                  title=title, comment=comment)
        catalogue.workflow_id = instance.id
    catalogue.status, catalogue.submitted_at = SUBMITTED, utcnow()


# -- decisions --------------------------------------------------------------------------------

#: The events that decide a version: it takes the state its request reached (the version's
#: approved, returned, rejected and withdrawn are the engine's request states).
SUBMISSIONS = (EventAction.SUBMITTED, EventAction.RESUBMITTED)
DECISIONS = (EventAction.APPROVED, EventAction.RETURNED, EventAction.REJECTED,
             EventAction.WITHDRAWN)


def on_event(event) -> None:
    """Keep the version's state in step with its request."""
    actor = db.session.get(User, event.actor_id) if event.actor_id else None
    if event.definition_id == PLAN_FLOW:
        version = event.subject
        if version is None:
            raise WorkflowError(_l("The plan of this request no longer exists."))
        if event.action in SUBMISSIONS:
            version.status = SUBMITTED
            planning.record_review(version, actor, str(_l("submitted")), event.comment)
        elif event.action in DECISIONS:
            planning.decided(version, event.state, actor, event.comment)
            audit(f"{PLUGIN}.plan_{event.action}", subject=version.plan, unit=version.plan.unit,
                  actor=actor, summary=f"{version.plan.unit.name} v{version.number}",
                  data={"version": version.number, "comment": event.comment})
    elif event.definition_id == CATALOGUE_FLOW:
        catalogue = event.subject
        if catalogue is None:
            raise WorkflowError(_l("The catalogue of this request no longer exists."))
        if event.action in SUBMISSIONS:
            catalogue.status = SUBMITTED
        elif event.action in DECISIONS:
            state = event.state
            if state == APPROVED:
                for other in db.session.scalars(db.select(Catalogue).where(
                        Catalogue.unit_id == catalogue.unit_id, Catalogue.status == APPROVED,
                        Catalogue.id != catalogue.id)):
                    other.status = SUPERSEDED
            catalogue.status = state
            catalogue.decided_by, catalogue.decided_at = actor, utcnow()
            catalogue.decision_note = event.comment
            audit(f"{PLUGIN}.catalogue_{event.action}", subject=catalogue,
                  unit=catalogue.unit, actor=actor,
                  summary=f"{catalogue.unit.name} v{catalogue.number}")
