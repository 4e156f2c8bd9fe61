"""The definitions the loaded plugins declared, and what a request's definition tells.

Definitions are collected once per application from ``register_workflows``; a definition that
fails :func:`~.definitions.definition_problem` is reported against its plugin and left out. A
request whose plugin is gone keeps working on what its rows recorded (labels, route, fields).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import inspect

from ..extensions import db
from ..i18n import gettext as _
from ..plugins import plugin_host
from .definitions import Plan, Step, WorkflowDefinition, definition_problem, plan
from .messages import WorkflowError
from .models import WorkflowInstance, WorkflowStep


def definitions() -> dict[str, WorkflowDefinition]:
    """Every valid definition of the loaded plugins, by id (collected once per application)."""
    ext = current_app.extensions
    if "danwei_workflows" not in ext:
        host = plugin_host()
        found: dict[str, WorkflowDefinition] = {}
        for plugin, item in host.collect("register_workflows"):
            problem = definition_problem(plugin, item)
            if problem is None and item.id in found:
                problem = f"workflow {item.id} is declared twice"
            if problem:
                host.fail(plugin, "register_workflows", problem)
                continue
            found[item.id] = item
        ext["danwei_workflows"] = found
    return ext["danwei_workflows"]


def get_definition(definition_id: str) -> WorkflowDefinition:
    try:
        return definitions()[definition_id]
    except KeyError:
        raise WorkflowError(
            _("The workflow %(id)s is not available; is its plugin installed?", id=definition_id)
        ) from None


def definition_of(instance: WorkflowInstance) -> WorkflowDefinition | None:
    return definitions().get(instance.definition_id)


def step_definition(instance: WorkflowInstance, step: WorkflowStep) -> Step | None:
    definition = definition_of(instance)
    return definition.step(step.route_key or instance.route, step.key) if definition else None


def preview(definition_id: str, fields: Mapping[str, Any]) -> Plan:
    """The chain a request with *fields* would get, with its explanation (nothing is saved)."""
    return plan(get_definition(definition_id), jsonable(fields))


def jsonable(fields: Mapping[str, Any] | None) -> dict:
    """*fields* as the JSON values they are kept as (dates become text)."""
    return json.loads(json.dumps(dict(fields or {}), ensure_ascii=False, default=str))


def load_subject(definition: WorkflowDefinition | None, subject_id: str) -> Any:
    """The record *subject_id* names, through the definition's ``subject_model``; None when the
    definition names no model, the id does not fit its primary key, or the record is gone."""
    model = definition.subject_model if definition is not None else None
    if model is None:
        return None
    column = inspect(model).primary_key[0]
    try:
        key = column.type.python_type(subject_id)
    except (NotImplementedError, TypeError, ValueError):
        return None
    return db.session.get(model, key)
