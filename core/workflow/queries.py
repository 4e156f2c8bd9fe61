"""Reading requests: a subject's request, who may see and decide it, and the inbox's lists.

Who may act is the engine's to say, not the generic permissions': the applicant, the people
asked to decide, the people copied in, and the workflow administrators of the request's unit
(:data:`MANAGE`). The lists are SQL, filtered to the plugins enabled in each request's unit.
"""

from __future__ import annotations

import json

from sqlalchemy import exists, func, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import selectinload

from .. import access
from ..access import unit_ids_where
from ..plugins.enablement import enabled_units_clause
from ..cache import remember, request_cache, user_topics
from ..extensions import db
from ..models import User, utcnow
from .definitions import Reason, explain, headline, left_out
from .models import (
    OPEN,
    PENDING,
    WorkflowAssignment,
    WorkflowCC,
    WorkflowInstance,
    WorkflowStep,
)
from .registry import definition_of, definitions

#: The permission of workflow administrators: they see requests that went to a fallback or are
#: overdue in their units, and may reassign a step to anyone.
MANAGE = "core.manage_workflows"


def subject_key(subject) -> tuple[str, str]:
    """``(type, id)`` of a model instance or of a ``(type, id)`` pair."""
    if isinstance(subject, tuple):
        return str(subject[0]), str(subject[1])
    db.session.flush()
    return type(subject).__name__, str(subject.id)


def workflow_for(subject, definition_id: str | None = None, *,
                 with_chain: bool = False) -> WorkflowInstance | None:
    """The latest request for *subject* (of *definition_id*), or None.

    *with_chain*: its steps, their assignments and the people assigned come with it, in two
    more statements (for a page that shows the workflow panel: instead of one per step and
    one per person).
    """
    subject_type, subject_id = subject_key(subject)
    query = select(WorkflowInstance).where(
        WorkflowInstance.subject_type == subject_type, WorkflowInstance.subject_id == subject_id
    )
    if definition_id:
        query = query.where(WorkflowInstance.definition_id == definition_id)
    if with_chain:
        query = query.options(selectinload(WorkflowInstance.steps)
                              .selectinload(WorkflowStep.assignments)
                              .joinedload(WorkflowAssignment.user))
    return db.session.scalar(query.order_by(WorkflowInstance.id.desc()).limit(1))


def reasons_of(instance: WorkflowInstance) -> list[Reason]:
    return [Reason(*r) for r in json.loads(instance.reasons_json or "[]")]


def explanation(instance: WorkflowInstance) -> list[str]:
    """Why the request's chain has the steps it has, in the reader's language."""
    definition = definition_of(instance)
    if definition is None:
        return []
    return explain(definition, instance.route, reasons_of(instance), instance.fields)


def left_out_steps(instance: WorkflowInstance) -> list[tuple[str, str]]:
    """``(step label, why)`` for the steps the conditions left out of the request's chain."""
    definition = definition_of(instance)
    if definition is None:
        return []
    return left_out(definition, instance.route, reasons_of(instance), instance.fields)


def chain_headline(instance: WorkflowInstance) -> str:
    return headline(len(instance.current_steps), explanation(instance))


# -- who may see and decide --------------------------------------------------------------------


def is_admin(instance: WorkflowInstance, user: User) -> bool:
    return access.can(MANAGE, instance.unit, user)


def may_be_copied_in(instance: WorkflowInstance, user: User | None) -> bool:
    """Whether *user* may read requests of this kind in the request's unit, and so be copied
    in: a copy shows the request and what its steps noted (a parent's phone number), so being
    in the same organisation is not enough."""
    if user is None or not user.active:
        return False
    definition = definition_of(instance)
    permission = (definition.readers_permission if definition is not None
                  else f"{instance.plugin}.view")
    return access.can(permission, instance.unit, user)


def may_read_notes(instance: WorkflowInstance, user: User | None) -> bool:
    """Whether *user* may read what the steps noted (a step form: a parent's phone number).

    Taking part is not enough: a class cadre signs a step but may not read the class
    teacher's note of the call. The applicant, the readers of such requests in the unit (as
    for CC) and the workflow administrators may.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (instance.applicant_id == user.id or is_admin(instance, user)
            or may_be_copied_in(instance, user))


def is_participant(instance: WorkflowInstance, user: User) -> bool:
    """The applicant, anyone who was asked to decide, or anyone copied in."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if instance.applicant_id == user.id:
        return True
    if _assigned_in_loaded_chain(instance, user):
        return True
    known = request_cache("workflow participants")  # a page asks twice (panel and can_view)
    key = (instance.id, user.id)
    if key not in known:
        known[key] = bool(db.session.scalar(select(
            exists().where(WorkflowAssignment.instance_id == instance.id,
                           WorkflowAssignment.user_id == user.id)
            | exists().where(WorkflowCC.instance_id == instance.id,
                             WorkflowCC.user_id == user.id)
        )))
    return known[key]


def _assigned_in_loaded_chain(instance: WorkflowInstance, user: User) -> bool:
    """Whether *user* is assigned a step of *instance*, from its chain if it was loaded with
    it (``workflow_for(..., with_chain=True)``); False when it was not."""
    if "steps" in sa_inspect(instance).unloaded:
        return False
    return any(a.user_id == user.id for step in instance.steps
               if "assignments" not in sa_inspect(step).unloaded for a in step.assignments)


def can_view(instance: WorkflowInstance, user: User) -> bool:
    """Participants and the unit's workflow administrators, where the plugin is enabled."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.is_superuser:
        return True
    if not access.is_enabled(instance.plugin, instance.unit):
        return False
    return is_participant(instance, user) or is_admin(instance, user)


def pending_assignments(step: WorkflowStep | None, user: User | None = None):
    if step is None:
        return []
    return [a for a in step.assignments
            if a.state == PENDING and (user is None or a.user_id == user.id)]


def can_decide(instance: WorkflowInstance, user: User) -> bool:
    return instance.state == PENDING and bool(pending_assignments(instance.open_step, user))


def waiting_query(user: User):
    """SQL: ids of the requests waiting for *user*'s decision."""
    return (
        select(WorkflowAssignment.instance_id)
        .join(WorkflowStep, WorkflowStep.id == WorkflowAssignment.step_id)
        .where(WorkflowAssignment.user_id == user.id, WorkflowAssignment.state == PENDING,
               WorkflowStep.state == OPEN)
    )


# -- the inbox's lists -----------------------------------------------------------------------


def visible_plugins():
    """SQL: requests whose plugin is loaded and enabled in the request's unit."""
    plugins = sorted({d.plugin for d in definitions().values()})
    if not plugins:
        return WorkflowInstance.id.is_(None)
    # From the enable/disable records already loaded: no unit filter at all for a plugin
    # enabled everywhere, else its units' ids as one array (not a subquery over the units).
    return or_(*(
        (WorkflowInstance.plugin == p) & enabled_units_clause(WorkflowInstance.unit_id, p)
        for p in plugins
    ))


def waiting_for(user: User):
    """SQL: the requests waiting for *user*'s decision."""
    return select(WorkflowInstance).where(
        WorkflowInstance.id.in_(waiting_query(user)),
        WorkflowInstance.state == PENDING, visible_plugins(),
    )


def waiting_count(user: User) -> int:
    """How many requests wait for *user* (the number on the inbox's menu entry), counted once
    per request: the menu and the inbox's tabs both show it."""
    cache = request_cache("inbox waiting")
    if user.id not in cache:  # and across requests, until the workflow changes
        cache[user.id] = remember(
            ("inbox waiting", user.id), (*user_topics(user.id), "workflow"),
            lambda: db.session.scalar(
                select(func.count()).select_from(waiting_for(user).subquery())))
    return cache[user.id]


def copied_to(user: User):
    """SQL: the requests *user* was copied in on."""
    copied = select(WorkflowCC.instance_id).where(WorkflowCC.user_id == user.id)
    return select(WorkflowInstance).where(WorkflowInstance.id.in_(copied), visible_plugins())


def submitted_by(user: User):
    """SQL: the requests *user* submitted."""
    return select(WorkflowInstance).where(WorkflowInstance.applicant_id == user.id,
                                          visible_plugins())


def needing_attention(user: User):
    """SQL: pending requests in *user*'s units (as a workflow administrator) that went to a
    fallback or are overdue."""
    overdue = select(WorkflowStep.instance_id).where(
        WorkflowStep.state == OPEN, WorkflowStep.due_at < utcnow())
    return select(WorkflowInstance).where(
        WorkflowInstance.unit_id.in_(unit_ids_where(MANAGE, user)),
        WorkflowInstance.state == PENDING,
        WorkflowInstance.needs_attention.is_(True) | WorkflowInstance.id.in_(overdue),
    )
