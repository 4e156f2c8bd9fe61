"""The approval chains of plans and routine-work catalogues, on core's workflow engine.

- ``property_reports.plan``: a department's plan goes to the project manager (line 71), a team's
  plan to its department manager (line 73). A revision (version 2 and later) goes the same way
  with one more requirement: whoever approves confirms having read the background (the reason
  for the change and the differences from the approved version) — the rule for a substitute
  approver (line 81); the page shows it and says when the approver is not the original one.
- ``property_reports.summary``: a handed-in summary is reviewed by the project manager (a
  team's by its department manager), who accepts it or returns it with the reason; a returned
  summary is corrected and handed in again, every hand-in kept (issue 18 §10).
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
    RequestState,
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
    withdraw_workflow,
    workflow_for,
)

from . import planning
from .i18n import gettext
from .i18n import lazy_gettext as _l
from .models import (
    ACCEPTED,
    APPROVED,
    RETURNED,
    SUBMITTED,
    SUPERSEDED,
    TEAM,
    Catalogue,
    PlanVersion,
    SpecRevision,
    Summary,
)

PLUGIN = "property_reports"
PLAN_FLOW = f"{PLUGIN}.plan"
CATALOGUE_FLOW = f"{PLUGIN}.catalogue"
SUMMARY_FLOW = f"{PLUGIN}.summary"
SPEC_FLOW = f"{PLUGIN}.spec"

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
TEAM_SUMMARY = Condition(
    lambda f: f.get("level") == TEAM,
    yes=_l("%(unit)s is a team inside a department: its summary is reviewed by the department "
           "manager"),
    no=_l("%(unit)s is a department: its summary is reviewed by the project manager"),
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
            SUMMARY_FLOW, _l("Monthly summary review"),
            routes=(
                Route("team", _l("Team summary"),
                      (Step("department_manager", _l("Department manager"),
                            role=DEPARTMENT_MANAGER, transfer_roles=(PROJECT_MANAGER,)),),
                      when=TEAM_SUMMARY),
                Route("department", _l("Department summary"),
                      (Step("project_manager", _l("Project manager"), role=PROJECT_MANAGER,
                            transfer_roles=(LEADERSHIP,)),)),
            ),
            subject_url=lambda subject_id: url_for(f"{PLUGIN}.summary",
                                                   summary_id=int(subject_id)),
            subject_model=Summary,
            description=_l("A handed-in summary is accepted by the project manager (a team's by "
                           "its department manager) or returned with the reason, to be "
                           "corrected and handed in again."),
        ),
        WorkflowDefinition(
            SPEC_FLOW, _l("Work specification filing"),
            steps=(Step("leadership", _l("Company leadership"), role=LEADERSHIP),),
            subject_url=lambda subject_id: _spec_url(int(subject_id)),
            subject_model=SpecRevision,
            description=_l("A department's work specification in force is submitted to the "
                           "company for approval and filing (line 49)."),
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


def _spec_url(revision_id: int) -> str:
    revision = db.session.get(SpecRevision, revision_id)
    if revision is None:
        return url_for(f"{PLUGIN}.specs")
    return url_for(f"{PLUGIN}.spec", spec_id=revision.spec_id, rev=revision.number)


def submit_spec(revision: SpecRevision, user: User, comment: str = "") -> None:
    """Send a specification revision to the company for approval and filing (line 49)."""
    spec = revision.spec
    title = f"{spec.unit.name} {spec.code} r{revision.number}"
    instance = workflow_for(revision, SPEC_FLOW)
    if (instance is not None and instance.state == RequestState.RETURNED
            and instance.applicant_id == user.id):
        resubmit_workflow(instance, user, comment, title=title)
        return
    instance = start_workflow(SPEC_FLOW, revision, user, unit=spec.unit,
                              fields={"unit": spec.unit.name, "code": spec.code,
                                      "number": revision.number},
                              title=title, comment=comment)
    revision.workflow_id = instance.id


def summary_fields(summary: Summary) -> dict:
    from .catalogue import TEAM_KIND

    return {"level": TEAM if summary.unit.kind == TEAM_KIND else "department",
            "unit": summary.unit.name, "month": f"{summary.year}-{summary.month:02d}"}


def submit_summary(summary: Summary, user: User, comment: str = "") -> None:
    """Send a handed-in summary for review: again on the same request after it was returned,
    on a new one after an accepted summary was reopened for a correction."""
    title = f"{summary.unit.name} {summary.year}-{summary.month:02d}"
    instance = workflow_for(summary, SUMMARY_FLOW)
    if (instance is not None and instance.state == RequestState.RETURNED
            and instance.applicant_id == user.id):
        resubmit_workflow(instance, user, comment, fields=summary_fields(summary), title=title)
    else:
        if instance is not None and instance.state in (RequestState.PENDING,
                                                       RequestState.RETURNED):
            # Returned to someone else who handed it in before: close that round first.
            withdraw_workflow(instance, db.session.get(User, instance.applicant_id),
                              gettext("handed in again by %(name)s", name=user.name))
        instance = start_workflow(SUMMARY_FLOW, summary, user, unit=summary.unit,
                                  fields=summary_fields(summary), title=title, comment=comment)
        summary.workflow_id = instance.id
    summary.status = SUBMITTED


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
    elif event.definition_id == SPEC_FLOW:
        revision = event.subject
        if revision is None:
            raise WorkflowError(_l("The specification of this request no longer exists."))
        if event.action == EventAction.APPROVED:
            revision.filed_by, revision.filed_at = actor, utcnow()
            audit(f"{PLUGIN}.spec_filed", subject=revision.spec, unit=revision.spec.unit,
                  actor=actor, summary=f"{revision.spec.code} r{revision.number}")
    elif event.definition_id == SUMMARY_FLOW:
        on_summary_event(event, actor)
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


#: Summary review outcomes: accepted, or back to the author (returned, refused or withdrawn).
_SUMMARY_STATES = {EventAction.APPROVED: ACCEPTED, EventAction.RETURNED: RETURNED,
                   EventAction.REJECTED: RETURNED, EventAction.WITHDRAWN: RETURNED}


def on_summary_event(event, actor) -> None:
    summary = event.subject
    if summary is None:
        raise WorkflowError(_l("The summary of this request no longer exists."))
    labels = {EventAction.SUBMITTED: gettext("handed in"),
              EventAction.RESUBMITTED: gettext("handed in again"),
              EventAction.APPROVED: gettext("accepted"),
              EventAction.RETURNED: gettext("returned for correction"),
              EventAction.REJECTED: gettext("returned for correction"),
              EventAction.WITHDRAWN: gettext("withdrawn")}
    if event.action in labels:
        planning.record_review(summary, actor, labels[event.action], event.comment)
    if event.action in SUBMISSIONS:
        summary.status = SUBMITTED
        summary.reviewed_by, summary.reviewed_at = None, None
    elif event.action in _SUMMARY_STATES:
        summary.status = _SUMMARY_STATES[event.action]
        if summary.status == ACCEPTED:
            summary.reviewed_by, summary.reviewed_at = actor, utcnow()
        audit(f"{PLUGIN}.summary_{event.action}", subject=summary, unit=summary.unit,
              actor=actor, summary=f"{summary.unit.name} {summary.year}-{summary.month:02d}",
              data={"comment": event.comment})
