"""Reports, the period-report section and dashboard widgets, through core's report mechanism.

Every figure is aggregated in SQL over the units the reader may see (``ctx.unit_ids``).
A leave counts in a period when it starts in it; extensions are not counted as new leave, but
their days are added to the leave they extend.
"""

from __future__ import annotations

from flask import render_template
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from core.api import (
    Chart,
    DataColumn,
    DataTable,
    Note,
    Report,
    ReportFilter,
    ReportSection,
    Series,
    Unit,
    User,
    Widget,
    chart_widget,
    db,
    local_now,
    to_local,
    to_utc,
    unit_ids_where,
    utcnow,
)

from . import approval, attendance, school
from .people import FILED_AS
from .forms import LEAVE_TYPE_LABELS, STATUS_LABELS
from .i18n import lazy_gettext as _l
from .models import APPROVED, PENDING, Leave

TAKEN = Leave.status == APPROVED
ORIGINAL = Leave.extends_id.is_(None)


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _columns(first: str) -> tuple[DataColumn, ...]:
    return (
        DataColumn("unit", first),
        DataColumn("count", str(_l("Leave")), "int"),
        DataColumn("days", str(_l("School days")), "decimal", places=1),
        *(DataColumn(t, str(label), "int") for t, label in LEAVE_TYPE_LABELS.items()),
        DataColumn("overdue", str(_l("Overdue")), "int"),
        DataColumn("truancy", str(_l("Truancy")), "int"),
    )


def by_unit(ctx):
    """Leave by class or by grade: counts, days, by type, overdue, truancy."""
    level = ctx.filters.get("level") or "class"
    cls = aliased(Unit)
    group = aliased(Unit)
    key = cls.id if level == "class" else cls.parent_id
    query = (
        select(
            group.name,
            _count(and_(TAKEN, ORIGINAL)),
            func.coalesce(func.sum(case((TAKEN, Leave.days), else_=0)), 0),
            *(_count(and_(TAKEN, ORIGINAL, Leave.leave_type == t)) for t in LEAVE_TYPE_LABELS),
            _count(and_(ORIGINAL, Leave.overdue_at.is_not(None))),
            _count(and_(ORIGINAL, Leave.truancy.is_(True))),
        )
        .select_from(Leave)
        .join(cls, cls.id == Leave.unit_id)
        .join(group, group.id == key)
        .where(ctx.in_scope(Leave.unit_id), ctx.in_period(Leave.start_at))
        .group_by(group.id, group.name, group.path)
        .order_by(group.path)
    )
    rows = [tuple(r) for r in db.session.execute(query)]
    first = str(_l("Class") if level == "class" else _l("Grade"))
    totals = tuple([str(_l("Total")), *(sum(r[i] for r in rows) for i in range(1, len(_columns(first))))])
    blocks = [DataTable(_columns(first), rows, title=str(_l("Leave by %(level)s", level=first)),
                        id="by_unit", footer=totals if rows else None)]
    if rows:
        blocks.append(Chart("bar", str(_l("Leave by type")), [r[0] for r in rows], [
            Series(str(label), [r[3 + i] for r in rows])
            for i, label in enumerate(LEAVE_TYPE_LABELS.values())
        ], stacked=True))
    else:
        blocks.append(Note(str(_l("No leave in this period."))))
    return blocks


def frequent(ctx):
    """Students with many leaves in the period (the threshold is a setting)."""
    threshold = int(school.setting("frequent_leave_count", ctx.unit))
    count = func.count(Leave.id)
    query = (
        select(User.name, Unit.name, count,
               func.coalesce(func.sum(Leave.days), 0),
               func.coalesce(func.sum(case((Leave.truancy.is_(True), 1), else_=0)), 0))
        .select_from(Leave)
        .join(User, User.id == Leave.student_id)
        .join(Unit, Unit.id == Leave.unit_id)
        .where(ctx.in_scope(Leave.unit_id), ctx.in_period(Leave.start_at), TAKEN, ORIGINAL)
        .group_by(User.id, User.name, Unit.id, Unit.name)
        .having(count >= threshold)
        .order_by(count.desc(), User.name)
    )
    return [
        Note(str(_l("Students with at least %(n)d approved leaves in the period.", n=threshold))),
        DataTable((DataColumn("student", str(_l("Student"))),
                   DataColumn("class", str(_l("Class"))),
                   DataColumn("count", str(_l("Leave")), "int"),
                   DataColumn("days", str(_l("School days")), "decimal", places=1),
                   DataColumn("truancy", str(_l("Truancy")), "int")),
                  query, title=str(_l("Frequent leave")), id="frequent"),
    ]


def pending(ctx):
    """Leave waiting for signatures now, oldest first."""
    query = (
        select(Unit.name, User.name, Leave.chain_row, Leave.start_at, Leave.created_at)
        .select_from(Leave)
        .join(User, User.id == Leave.student_id)
        .join(Unit, Unit.id == Leave.unit_id)
        .where(ctx.in_scope(Leave.unit_id), Leave.status == PENDING)
        .order_by(Leave.created_at)
    )
    rows = [(unit, name, str(approval.ROW_LABELS.get(row, row)),
             to_local(start).date(), to_local(filed).date())
            for unit, name, row, start, filed in db.session.execute(query)]
    return [DataTable((DataColumn("class", str(_l("Class"))),
                       DataColumn("student", str(_l("Student"))),
                       DataColumn("chain", str(_l("Chain"))),
                       DataColumn("start", str(_l("From")), "date"),
                       DataColumn("filed", str(_l("Filed")), "date")),
                      rows, title=str(_l("Waiting for signatures")), id="pending")]


def register(ctx):
    """Every leave that starts in the period, one row each: the register (请假登记簿) kept for
    the archive. Rows stream from the database, so a county's year exports in one file.
    Who filed a leave for the student, and an emergency override with its reason, are columns
    of their own."""
    applicant = aliased(User)
    query = (
        select(Unit.name, User.name, Leave.leave_type, Leave.start_at, Leave.end_at, Leave.days,
               Leave.status, Leave.chain_row, Leave.extends_id, Leave.exited_at,
               Leave.returned_at, Leave.overdue_at, Leave.truancy, Leave.filed_as,
               applicant.name, Leave.emergency_reason)
        .select_from(Leave)
        .join(User, User.id == Leave.student_id)
        .join(applicant, applicant.id == Leave.applicant_id)
        .join(Unit, Unit.id == Leave.unit_id)
        .where(ctx.in_scope(Leave.unit_id), ctx.in_period(Leave.start_at))
        .order_by(Leave.start_at, Leave.id)
    )
    if ctx.filters.get("status"):
        query = query.where(Leave.status == ctx.filters["status"])
    types = {k: str(v) for k, v in LEAVE_TYPE_LABELS.items()}
    states = {k: str(v) for k, v in STATUS_LABELS.items()}
    chains = {k: str(v) for k, v in approval.ROW_LABELS.items()}
    yes, overdue, truancy = str(_l("Yes")), str(_l("Overdue")), str(_l("Truancy"))

    def when(moment):
        return f"{to_local(moment):%Y-%m-%d %H:%M}" if moment else ""

    def rows():
        result = db.session.execute(query.execution_options(yield_per=1000))
        try:
            for (unit, student, kind, start, end, days, status, chain, extends, exited,
                 returned, late, truant, filed_as, filer, emergency) in result:
                yield (unit, student, types.get(kind, kind), when(start), when(end), days,
                       states.get(status, status), chains.get(chain, chain),
                       yes if extends else "", when(exited), when(returned),
                       truancy if truant else overdue if late else "",
                       f"{filer} ({FILED_AS[filed_as]})" if filed_as in FILED_AS else "",
                       emergency)
        finally:
            result.close()

    return [DataTable((DataColumn("class", str(_l("Class"))),
                       DataColumn("student", str(_l("Student"))),
                       DataColumn("type", str(_l("Type"))),
                       DataColumn("start", str(_l("From"))),
                       DataColumn("end", str(_l("Until"))),
                       DataColumn("days", str(_l("School days")), "decimal", places=1),
                       DataColumn("status", str(_l("Status"))),
                       DataColumn("chain", str(_l("Chain"))),
                       DataColumn("extension", str(_l("Extension"))),
                       DataColumn("exited", str(_l("Left school"))),
                       DataColumn("returned", str(_l("Returned"))),
                       DataColumn("late", str(_l("Overdue or truancy"))),
                       DataColumn("filed_by", str(_l("Filed by"))),
                       DataColumn("emergency", str(_l("Emergency override")))),
                      rows(), title=str(_l("Leave register")), id="register",
                      count=query)]  # a county's year goes to the background


def reports() -> list[Report]:
    return [
        Report("school_leave.by_unit", _l("Student leave by class and grade"),
               "school_leave.report", by_unit,
               description=_l("Approved leave, school days, types, overdue and truancy."),
               filters=(ReportFilter("level", _l("Group by"), "choice",
                                     (("class", _l("Class")),
                                      ("grade", _l("Grade"))), default="class"),),
               order=100),
        Report("school_leave.frequent", _l("Frequent-leave students"),
               "school_leave.report", frequent, order=101),
        Report("school_leave.pending", _l("Leave waiting for signatures"),
               "school_leave.report", pending, periods=(), order=102),
        Report("school_leave.attendance", _l("Attendance by student"),
               "school_leave.report", attendance.by_student,
               description=_l("Late, left early and absent from the class log; absences no "
                              "leave covers, and leave not returned from, as truancy."),
               order=104),
        Report("school_leave.attendance_monthly", _l("Monthly class attendance"),
               "school_leave.report", attendance.monthly, periods=("month",),
               description=_l("The attendance table a school submits each month, per class."),
               order=105),
        Report("school_leave.register", _l("Leave register"),
               "school_leave.report", register,
               description=_l("Every leave of the period, one row each, for the archive."),
               filters=(ReportFilter("status", _l("Status"), "choice",
                                     tuple(STATUS_LABELS.items())),),
               order=103),
    ]


def sections() -> list[ReportSection]:
    return [ReportSection("school_leave.summary", _l("Student leave"),
                          "school_leave.report", by_unit, order=100)]


# -- dashboard widgets --------------------------------------------------------------------------


def _waiting_card():
    from flask_login import current_user

    waiting = db.session.scalar(select(func.count()).select_from(
        approval.waiting_ids(current_user).subquery())) or 0
    return render_template("school_leave/widget_waiting.html", waiting=waiting)


def _today_card():
    now = utcnow()
    scope = Leave.unit_id.in_(unit_ids_where("school_leave.view"))

    def count(*conditions) -> int:
        # One count each, so that each reads only its own rows through an index (sl02), never
        # the county's whole history.
        return db.session.scalar(select(func.count(Leave.id)).where(scope, *conditions)) or 0

    not_back = Leave.returned_at.is_(None)
    return render_template(
        "school_leave/widget_today.html",
        on_leave=count(TAKEN, Leave.end_at >= now, Leave.start_at <= now, not_back),
        out=count(Leave.exited_at.is_not(None), not_back),
        overdue=count(ORIGINAL, Leave.overdue_at.is_not(None), not_back),
        pending=count(Leave.status == PENDING))


def _by_type_chart():
    month_start = to_utc(local_now().replace(day=1, hour=0, minute=0, second=0,
                                                        microsecond=0))
    rows = dict(db.session.execute(
        select(Leave.leave_type, func.count()).where(
            Leave.unit_id.in_(unit_ids_where("school_leave.view")), TAKEN, ORIGINAL,
            Leave.start_at >= month_start).group_by(Leave.leave_type)).all())
    return Chart("pie", str(_l("Leave this month by type")),
                 [str(label) for label in LEAVE_TYPE_LABELS.values()],
                 [Series(str(_l("Leave")), [rows.get(t, 0) for t in LEAVE_TYPE_LABELS])])


def _gate_card():
    from .leaves import gate_lists

    return render_template("school_leave/widget_gate.html", **gate_lists(limit=20))


def widgets() -> list[Widget]:
    return [
        # The guard's home page is the gate: the scanner, who is out and due back (point 7). Never
        # cached: the guard needs who is out now.
        Widget("school_leave.gate", _l("Gate"), _gate_card,
               permission="school_leave.verify_slip", order=99, width=12),
        # Kept across requests until a leave or the workflow changes (core.api.Widget); who
        # is out or overdue *now* moves with the clock too: at most a minute late.
        Widget("school_leave.waiting", _l("Leave to sign"), _waiting_card,
               permission="school_leave.approve", order=100, width=4,
               invalidated_by=("school_leave", "workflow")),
        Widget("school_leave.today", _l("Student leave today"), _today_card,
               permission="school_leave.view", order=101, width=4,
               invalidated_by=("school_leave", "workflow"), cache_seconds=60),
        chart_widget("school_leave.by_type", _l("Leave this month"), _by_type_chart,
                     permission="school_leave.view", order=102, width=4,
                     invalidated_by=("school_leave", "workflow")),
    ]

