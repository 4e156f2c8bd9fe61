"""The append-only audit log, written by core and by plugins through :func:`record`."""

from __future__ import annotations

import json

from flask import current_app, has_request_context, request
from flask_login import current_user

from .declarations import DomainEvent
from .extensions import db
from .models import AuditEvent, User


def record(
    action: str,
    *,
    subject=None,
    unit=None,
    summary: str = "",
    data: dict | None = None,
    actor: User | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction and tell ``on_domain_event`` listeners.

    *action* is ``<plugin>.<verb>``; *subject* is a model instance (its class name and ``id``
    are kept) or a ``(type, id)`` pair. The event is committed with the change it describes,
    so a rolled-back change leaves no event behind.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    subject_type = subject_id = None
    if isinstance(subject, tuple):
        subject_type, subject_id = subject[0], str(subject[1])
    elif subject is not None:
        db.session.flush()
        subject_type, subject_id = type(subject).__name__, str(subject.id)
    event = AuditEvent(
        action=action,
        plugin=action.split(".", 1)[0],
        subject_type=subject_type,
        subject_id=subject_id,
        unit_id=unit.id if unit is not None else None,
        actor_id=actor.id if actor is not None else None,
        summary=summary[:500],
        data_json=json.dumps(data or {}, ensure_ascii=False, default=str),
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    host = current_app.extensions.get("danwei")
    if host is not None:
        host.call(
            "on_domain_event",
            event=DomainEvent(
                action=action,
                plugin=event.plugin,
                subject_type=subject_type,
                subject_id=subject_id,
                unit_id=event.unit_id,
                actor_id=event.actor_id,
                summary=event.summary,
                data=data or {},
            ),
        )
    return event
