"""The audit log: filter, page through (newest first) and export as CSV.

An auditor sees the events of the units where they hold ``core.view_audit`` (and their
subtrees); a superuser also sees events that concern no unit (logins, global settings).
"""

from __future__ import annotations

import csv
import io
from contextlib import suppress
from datetime import UTC, date, datetime, time, timedelta

from flask import Response, render_template, request, stream_with_context
from flask_babel import get_timezone
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased, joinedload

from ..access import can, permission_required, unit_ids_where
from ..audit import record
from ..extensions import db
from ..models import AuditEvent, Unit, User
from ..pagination import paginate
from ..plugins import plugin_host
from ..spreadsheet import csv_cell
from . import bp
from .scope import contains, is_superuser

PERMISSION = "core.view_audit"
FILTERS = ("action", "plugin", "actor", "unit", "start", "end", "q")


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _utc(day: date) -> datetime:
    """Local midnight of *day* as the naive UTC time the log stores."""
    zone, naive = get_timezone(), datetime.combine(day, time.min)
    local = zone.localize(naive) if hasattr(zone, "localize") else naive.replace(tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def filtered_events(args) -> tuple[Select, dict]:
    """SQL for the events in scope matching the filters in *args*, newest first."""
    wanted = {k: (args.get(k) or "").strip()[:200] for k in FILTERS}
    query = select(AuditEvent)
    if not is_superuser():
        query = query.where(AuditEvent.unit_id.in_(unit_ids_where(PERMISSION)))
    if wanted["action"]:
        query = query.where(AuditEvent.action.startswith(wanted["action"], autoescape=True))
    if wanted["plugin"]:
        query = query.where(AuditEvent.plugin == wanted["plugin"])
    if wanted["actor"]:
        actor = aliased(User)
        query = query.join(actor, actor.id == AuditEvent.actor_id).where(
            func.lower(actor.username) == wanted["actor"].lower())
    if wanted["unit"]:
        unit = db.session.scalar(select(Unit).where(Unit.code == wanted["unit"]))
        if unit is None or not (is_superuser() or can(PERMISSION, unit)):
            query = query.where(False)
        else:
            query = query.where(AuditEvent.unit_id.in_(
                select(Unit.id).where(Unit.is_within(unit))))
    start, end = _day(wanted["start"]), _day(wanted["end"])
    # 0001-01-01 and 9999-12-31 overflow there: a bound beyond every event is no bound at all.
    if start:
        with suppress(OverflowError):
            query = query.where(AuditEvent.at >= _utc(start))
    if end:
        with suppress(OverflowError):
            query = query.where(AuditEvent.at < _utc(end + timedelta(days=1)))
    if wanted["q"]:
        query = query.where(contains(AuditEvent.summary, wanted["q"]))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), wanted


@bp.route("/audit")
@permission_required(PERMISSION)
def audit():
    """The audit log in scope, newest first, with filters."""
    query, wanted = filtered_events(request.args)
    query = query.options(joinedload(AuditEvent.actor), joinedload(AuditEvent.unit))
    page = paginate(query)
    plugins = ["core", *sorted(plugin_host().plugins)]
    return render_template("admin/audit.html", page=page, wanted=wanted, plugins=plugins,
                           export_args={k: v for k, v in wanted.items() if v})


@bp.route("/audit.csv")
@permission_required(PERMISSION)
def audit_export():
    """The filtered events as CSV (UTF-8 with BOM for Excel), streamed row by row."""
    query, wanted = filtered_events(request.args)
    record("core.audit_exported", summary=", ".join(f"{k}={v}" for k, v in wanted.items() if v))
    db.session.commit()
    # The body is streamed after the view has returned, when its database session (and the
    # current user's object) may be gone: fetch plain columns, not ORM objects, and settle the
    # time zone now rather than asking the locale selector while streaming.
    actor, unit = aliased(User), aliased(Unit)
    rows = query.with_only_columns(
        AuditEvent.at, actor.username, AuditEvent.action, AuditEvent.plugin, unit.code,
        AuditEvent.subject_type, AuditEvent.subject_id, AuditEvent.summary, AuditEvent.ip,
        AuditEvent.data_json,
    ).outerjoin(actor, actor.id == AuditEvent.actor_id).outerjoin(
        unit, unit.id == AuditEvent.unit_id)
    zone = get_timezone()

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["time", "actor", "action", "plugin", "unit", "subject_type",
                         "subject_id", "summary", "ip", "data"])
        yield "\ufeff" + buffer.getvalue()
        result = db.session.execute(rows.execution_options(yield_per=500))
        for at, username, action, plugin, code, subject_type, subject_id, summary, ip, data \
                in result:
            buffer.seek(0)
            buffer.truncate()
            local = at.replace(tzinfo=UTC).astimezone(zone)
            writer.writerow([csv_cell(v) for v in (
                local.strftime("%Y-%m-%d %H:%M:%S"), username, action, plugin, code,
                subject_type, subject_id, summary, ip, data,
            )])
            yield buffer.getvalue()

    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(generate()), mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
    )
