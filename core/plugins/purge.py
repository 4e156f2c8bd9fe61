"""Purging a plugin's data for a unit: export first, then delete, audited.

The administrator confirmed (typed the unit code, or ``danwei plugins purge --yes``). The
export is written before anything is deleted, and the deletion runs in the caller's
transaction with the audit record, so a failure deletes nothing.

A plugin declares what belongs to a unit with ``register_unit_data`` (:class:`UnitData`); core
then exports and deletes those rows, and with them what points at them: the workflow requests
about them (with their steps, timeline and notifications), their attachments, and the
summaries of the audit events about them, which are blanked (the events stay: who did what,
when). A plugin written before the declaration (contract 1.0) keeps its own
``unit_data_export`` and ``on_unit_purge`` hooks, called as before.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from flask import current_app, has_request_context
from sqlalchemy import String, cast, delete, event, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..attachments import Attachment
from ..attachments import path_of as attachment_path
from ..declarations import UnitData
from ..extensions import db
from ..models import AuditEvent, Unit
from ..notifications import Delivery, DeliveryAttempt, Notification
from ..workflow.models import (
    WorkflowAction,
    WorkflowAssignment,
    WorkflowCC,
    WorkflowInstance,
    WorkflowStep,
)
from ..workflow.transitions import link as workflow_link
from .host import plugin_host

#: Requests' rows, children after their parents, exported under these table names.
REQUEST_TABLES = (WorkflowInstance, WorkflowStep, WorkflowAssignment, WorkflowAction, WorkflowCC)
#: How many ids go into one ``IN (...)``: SQLite takes a bounded number of parameters.
CHUNK = 500


def purge_plugin_data(plugin: str, unit: Unit, export_dir: Path) -> Path:
    """Export then delete *plugin*'s data for *unit*'s subtree; returns the export file.

    The caller has asked for confirmation. The export is written before anything is deleted.
    """
    host = plugin_host()
    declared = [item for _, item in
                host.collect("register_unit_data", only={plugin}, propagate=True)]
    for item in declared:
        if not isinstance(item, UnitData):
            message = f"register_unit_data returned {item!r}, not a UnitData"
            host.fail(plugin, "register_unit_data", message)
            raise TypeError(message)
    found = Found.of(plugin, unit, declared) if declared else None
    exported = dict(host.call("unit_data_export", only={plugin}, propagate=True, unit=unit))
    data = exported.get(plugin, {})
    if found is not None:
        data = {**data, **found.export()}
    export_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = export_dir / f"{plugin}-{unit.code}-{stamp}.json"
    target.write_text(json.dumps(data, ensure_ascii=False, default=str, indent=1),
                      encoding="utf-8")
    if found is not None:
        found.copy_files(target.with_name(target.stem + "-attachments"))
    host.call("on_unit_purge", only={plugin}, propagate=True, unit=unit)
    record = {"export": target.name}
    if found is not None:
        record.update(found.delete())
    audit.record(
        "core.plugin_purged",
        subject=("plugin", plugin),
        unit=unit,
        summary=f"{plugin} data purged for {unit.code}",
        data=record,
    )
    return target


@dataclass
class Found:
    """What a purge removes, looked up once before anything is deleted."""

    plugin: str
    unit: Unit
    #: ``(declaration, SQL condition)`` in the declared order, parents first.
    tables: list[tuple[UnitData, object]]
    #: Ids of the workflow requests about the purged rows.
    requests: list[int] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    #: Where notifications about the purged rows and requests lead.
    links: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, plugin: str, unit: Unit, declared: list[UnitData]) -> Found:
        units = select(Unit.id).where(Unit.path.like(unit.path + "%"))
        tables = [(item, item.where(units) if item.where is not None
                   else item.model.unit_id.in_(units)) for item in declared]
        found = cls(plugin, unit, tables)
        for item, condition in tables:
            ids = select(cast(item.model.id, String)).where(condition)
            subject = (item.model.__name__, ids)
            requests = list(db.session.scalars(select(WorkflowInstance).where(
                WorkflowInstance.plugin == plugin, WorkflowInstance.subject_type == subject[0],
                WorkflowInstance.subject_id.in_(ids))))
            found.requests += [r.id for r in requests]
            found.links |= _request_links(requests)
            found.attachments += db.session.scalars(select(Attachment).where(
                Attachment.plugin == plugin, Attachment.subject_type == subject[0],
                Attachment.subject_id.in_(ids)).order_by(Attachment.id))
            if item.url is not None:
                found.links |= {item.url(row_id) for row_id in db.session.scalars(
                    select(item.model.id).where(condition))}
        return found

    # -- what points at the purged rows --------------------------------------------------------

    def _about(self):
        """SQL: the audit events about a purged row, request or attachment."""
        conditions = [
            (AuditEvent.plugin == self.plugin) & (AuditEvent.subject_type == item.model.__name__)
            & AuditEvent.subject_id.in_(select(cast(item.model.id, String)).where(condition))
            for item, condition in self.tables
        ]
        for subject_type, ids in (("WorkflowInstance", self.requests),
                                  ("Attachment", [a.id for a in self.attachments])):
            conditions += [(AuditEvent.subject_type == subject_type)
                           & AuditEvent.subject_id.in_([str(i) for i in chunk])
                           for chunk in _chunks(ids)]
        return conditions

    def _notifications(self) -> list[int]:
        return [i for chunk in _chunks(sorted(self.links)) for i in db.session.scalars(
            select(Notification.id).where(Notification.link.in_(chunk)))]

    # -- export --------------------------------------------------------------------------------

    def export(self) -> dict[str, list[dict]]:
        """Every row to be deleted or blanked, by table, as it is before the purge."""
        data = {}
        for item, condition in self.tables:
            table = item.model.__table__
            data.setdefault(table.name, []).extend(_rows(table, condition))
        for model in REQUEST_TABLES:
            column = model.id if model is WorkflowInstance else model.instance_id
            data[model.__tablename__] = [row for chunk in _chunks(self.requests)
                                         for row in _rows(model.__table__, column.in_(chunk))]
        data[Attachment.__tablename__] = [
            row for chunk in _chunks([a.id for a in self.attachments])
            for row in _rows(Attachment.__table__, Attachment.id.in_(chunk))]
        data[Notification.__tablename__] = [
            row for chunk in _chunks(self._notifications())
            for row in _rows(Notification.__table__, Notification.id.in_(chunk))]
        data[AuditEvent.__tablename__] = [
            row for condition in self._about() for row in _rows(AuditEvent.__table__, condition)]
        return data

    def copy_files(self, folder: Path) -> None:
        """Copy the attachments' files next to the export, before their rows are deleted."""
        for attachment in self.attachments:
            for thumbnail in (False, True):
                source = attachment_path(attachment, thumbnail=thumbnail)
                if source.exists():
                    folder.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, folder / source.name)

    # -- delete --------------------------------------------------------------------------------

    def delete(self) -> dict[str, int]:
        """Delete the rows and what points at them; returns how many of each went."""
        counts = {"rows": 0, "requests": len(self.requests),
                  "attachments": len(self.attachments)}
        notifications = self._notifications()
        counts["notifications"] = len(notifications)
        counts["audit_events_blanked"] = sum(
            db.session.execute(update(AuditEvent.__table__).where(condition).values(
                summary=f"(purged with the {self.plugin} data of {self.unit.code})",
                data_json="{}")).rowcount
            for condition in self._about())
        for chunk in _chunks(notifications):
            deliveries = select(Delivery.id).where(Delivery.notification_id.in_(chunk))
            db.session.execute(delete(DeliveryAttempt.__table__).where(
                DeliveryAttempt.delivery_id.in_(deliveries)))
            db.session.execute(delete(Delivery.__table__).where(
                Delivery.notification_id.in_(chunk)))
            db.session.execute(delete(Notification.__table__).where(Notification.id.in_(chunk)))
        for chunk in _chunks(self.requests):
            for model in reversed(REQUEST_TABLES):
                column = model.id if model is WorkflowInstance else model.instance_id
                db.session.execute(delete(model.__table__).where(column.in_(chunk)))
        files = db.session.info.setdefault(PURGED_FILES, [])
        for chunk in _chunks([a.id for a in self.attachments]):
            db.session.execute(delete(Attachment.__table__).where(Attachment.id.in_(chunk)))
        for attachment in self.attachments:
            files += [attachment_path(attachment), attachment_path(attachment, thumbnail=True)]
        for item, condition in self.tables:
            ids = select(item.model.id).where(condition)
            for column in item.detach:
                table = column.class_.__table__
                name = column.property.columns[0].name
                db.session.execute(update(table).where(table.c[name].in_(ids))
                                   .values({name: None}))
        for item, condition in reversed(self.tables):
            counts["rows"] += db.session.execute(
                delete(item.model.__table__).where(condition)).rowcount
        db.session.expire_all()
        return counts


def _request_links(requests: list[WorkflowInstance]) -> set[str]:
    """Where the engine's notifications about *requests* lead: outside a request the request's
    path, inside one the subject's page (or the request's), as the engine's ``link`` makes them."""
    links = {f"/workflow/{r.id}" for r in requests}
    if requests and not has_request_context():
        with current_app.test_request_context():
            return links | {workflow_link(r) for r in requests}
    return links | {workflow_link(r) for r in requests}


def _rows(table, condition) -> list[dict]:
    query = select(table).where(condition).order_by(*table.primary_key.columns)
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in db.session.execute(query)]


def _plain(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _chunks(values: list) -> list[list]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]


#: Files of purged attachments, removed from disk once the purge is committed (a rolled-back
#: purge keeps them, with their rows).
PURGED_FILES = "danwei_purged_files"


@event.listens_for(Session, "after_commit")
def _remove_purged_files(session):
    for path in session.info.pop(PURGED_FILES, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_soft_rollback")
def _keep_purged_files(session, previous_transaction):
    session.info.pop(PURGED_FILES, None)
