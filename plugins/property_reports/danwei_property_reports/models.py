"""Tables of the property reports plugin, all prefixed ``property_reports_``.

A department (a :class:`core.api.Unit` whose ``kind`` names one of the seven departments of
:mod:`.catalogue`) keeps:

* a catalogue of routine work by cadence (:class:`Catalogue`, one row per version),
* a library of work specifications (:class:`Spec` with its :class:`SpecRevision` history),
* a non-routine plan per month (:class:`Plan`), every version kept (:class:`PlanVersion`),
* a summary per month (:class:`Summary`) with the plan's items as a checklist and the
  department's required metrics (:class:`MetricValue`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import RequestState, Unit, User, db, utcnow

# Version states shared by plans and routine catalogues. A decision leaves the version in the
# state its request reached, so those four are the engine's own request states.
DRAFT = "draft"  #: being written by its author
SUBMITTED = "submitted"  #: waiting for the approver
APPROVED = RequestState.APPROVED  #: approved and filed; the version in force
RETURNED = RequestState.RETURNED  #: sent back to the author for changes; editable again
REJECTED = RequestState.REJECTED  #: refused; the author may start again from it
WITHDRAWN = RequestState.WITHDRAWN  #: taken back by the author before the decision
SUPERSEDED = "superseded"  #: was approved, replaced by a later approved version
EDITABLE = (DRAFT, RETURNED, WITHDRAWN)
#: A summary is not approved but reviewed: the project manager accepts it or returns it.
ACCEPTED = "accepted"
#: States of a summary: written (draft), handed in (submitted), accepted, or returned to be
#: corrected (editable again, its versions kept).
SUMMARY_STATES = (DRAFT, SUBMITTED, ACCEPTED, RETURNED)
SUMMARY_EDITABLE = (DRAFT, RETURNED)
#: A summary whose figures count in the company's reports.
HANDED_IN = (SUBMITTED, ACCEPTED)
VERSION_STATES = (DRAFT, SUBMITTED, APPROVED, RETURNED, REJECTED, WITHDRAWN, SUPERSEDED)

CADENCES = ("daily", "weekly", "monthly", "yearly")
#: Levels of a plan: a department's own plan, or a team's (班组) or function's inside it.
DEPARTMENT, TEAM = "department", "team"
#: How a plan item went, reported in the summary.
DONE, PARTLY, NOT_DONE = "done", "partly", "not_done"
OUTCOMES = (DONE, PARTLY, NOT_DONE)


def _own(target: str, name: str):
    """A foreign key to another table of the plugin. Its conventional name (which repeats the
    target table) would pass PostgreSQL's 63 characters, so it is named without it."""
    return db.ForeignKey(f"property_reports_{target}.id", name=f"fk_property_reports_{name}")


def period_key(year: int, month: int) -> int:
    """``202611`` for November 2026: sortable, and one integer to compare in SQL."""
    return year * 100 + month


class Spec(db.Model):
    """A work specification (工作规范) of a department: what to do and how to check it."""

    __tablename__ = "property_reports_specs"
    __table_args__ = (db.UniqueConstraint("unit_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(db.String(32))
    title: Mapped[str] = mapped_column(db.String(200))
    #: The number of the revision in force.
    current_number: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()
    revisions: Mapped[list[SpecRevision]] = relationship(
        back_populates="spec", order_by="SpecRevision.number", cascade="all, delete-orphan"
    )

    @property
    def current(self) -> SpecRevision:
        return next(r for r in self.revisions if r.number == self.current_number)

    def label(self) -> str:
        return f"{self.code} {self.title}"


#: Why a specification was written or revised (line 67, line 210, line 212).
SPEC_TRIGGERS = ("new_work", "standard_changed", "nonconformity", "other")


class SpecRevision(db.Model):
    """One revision of a specification; revisions are never edited, only added."""

    __tablename__ = "property_reports_spec_revisions"
    __table_args__ = (db.UniqueConstraint("spec_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    spec_id: Mapped[int] = mapped_column(_own("specs", "spec_revisions_spec_id"), index=True)
    number: Mapped[int]
    #: 工作标准: the standard the specification is written from (line 200).
    work_standard: Mapped[str] = mapped_column(db.Text, default="")
    #: 服务提供规范: how the work is done, step by step, with the quality of each step.
    delivery: Mapped[str] = mapped_column(db.Text)
    #: 服务检查规范: how the work is checked.
    inspection: Mapped[str] = mapped_column(db.Text)
    trigger: Mapped[str] = mapped_column(db.String(32), default="new_work")
    reason: Mapped[str] = mapped_column(db.Text, default="")
    #: The summary checklist line whose non-conformity traced back to an unclear spec.
    source_item_id: Mapped[int | None] = mapped_column(
        _own("summary_items", "spec_revisions_source_item_id"), index=True
    )
    author_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Submitted to the company for approval and filing (line 49): the request, and who filed
    #: it when it was approved.
    workflow_id: Mapped[int | None] = mapped_column(index=True)
    filed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    filed_at: Mapped[datetime | None]

    spec: Mapped[Spec] = relationship(back_populates="revisions")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])


class Catalogue(db.Model):
    """One version of a department's 《日、周、月、年例行工作》 (line 39)."""

    __tablename__ = "property_reports_catalogues"
    __table_args__ = (db.UniqueConstraint("unit_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(db.String(16), default=DRAFT, index=True)
    #: What changed and why (empty for the first version).
    change_note: Mapped[str] = mapped_column(db.Text, default="")
    effective_from: Mapped[date | None]
    author_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(db.Text, default="")
    workflow_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    items: Mapped[list[RoutineItem]] = relationship(
        back_populates="catalogue", order_by="(RoutineItem.cadence_order, RoutineItem.position)",
        cascade="all, delete-orphan",
    )


class RoutineItem(db.Model):
    """A routine task with its cadence, standard and specification."""

    __tablename__ = "property_reports_routine_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(
        _own("catalogues", "routine_items_catalogue_id"), index=True
    )
    #: Survives from version to version, so that versions can be compared item by item.
    item_key: Mapped[str] = mapped_column(db.String(32))
    cadence: Mapped[str] = mapped_column(db.String(16))
    cadence_order: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    content: Mapped[str] = mapped_column(db.Text)
    standard: Mapped[str] = mapped_column(db.Text, default="")
    responsible: Mapped[str] = mapped_column(db.String(200), default="")
    spec_id: Mapped[int | None] = mapped_column(_own("specs", "routine_items_spec_id"))

    catalogue: Mapped[Catalogue] = relationship(back_populates="items")
    spec: Mapped[Spec | None] = relationship()


class Plan(db.Model):
    """The non-routine work plan of a department (or of a team inside it) for one month."""

    __tablename__ = "property_reports_plans"
    __table_args__ = (db.UniqueConstraint("unit_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    #: The month planned, as ``period_key(year, month)``.
    period: Mapped[int] = mapped_column(index=True)
    level: Mapped[str] = mapped_column(db.String(16))
    #: The original author (编制人): the only one who may propose revisions (line 79).
    author_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    #: The original approver (审核人), set by the first approval; approves revisions too.
    approver_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    #: The deadline as computed when the plan was started (the 15th of the month before).
    due_on: Mapped[date]
    first_submitted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    approver: Mapped[User | None] = relationship(foreign_keys=[approver_id])
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", order_by="PlanVersion.number", cascade="all, delete-orphan"
    )

    @property
    def year(self) -> int:
        return self.period // 100

    @property
    def month(self) -> int:
        return self.period % 100

    @property
    def latest(self) -> PlanVersion:
        return self.versions[-1]

    @property
    def in_force(self) -> PlanVersion | None:
        """The approved version people work to."""
        for version in reversed(self.versions):
            if version.status == APPROVED:
                return version
        return None


class PlanVersion(db.Model):
    """One version of a plan, with the header fields of line 69 and its items."""

    __tablename__ = "property_reports_plan_versions"
    __table_args__ = (db.UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(_own("plans", "plan_versions_plan_id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(db.String(16), default=DRAFT, index=True)
    #: 计划执行时间.
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    #: 编制日期/编制人.
    prepared_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    prepared_on: Mapped[date]
    submitted_at: Mapped[datetime | None]
    #: 审批日期/审批人.
    approved_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    approved_on: Mapped[date | None]
    #: 评审记录: the decisions and comments on this version, newest last.
    review_record: Mapped[str] = mapped_column(db.Text, default="")
    #: Why this revision was proposed (every version after the first).
    revision_reason: Mapped[str] = mapped_column(db.Text, default="")
    #: Someone other than the original approver, designated to approve this revision, and why.
    substitute_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    substitute_reason: Mapped[str] = mapped_column(db.Text, default="")
    workflow_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[Plan] = relationship(back_populates="versions")
    prepared_by: Mapped[User] = relationship(foreign_keys=[prepared_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    substitute: Mapped[User | None] = relationship(foreign_keys=[substitute_id])
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="version", order_by="PlanItem.position", cascade="all, delete-orphan"
    )

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE


#: The columns of a plan item, in the order of line 59, as (attribute, label) pairs for forms,
#: tables and diffs. Labels are translated where shown.
PLAN_ITEM_FIELDS = (
    "content", "standard", "place", "schedule", "people", "staff", "machines", "materials",
    "spec", "records", "inspection_method", "inspector", "inputs", "outputs",
)


class PlanItem(db.Model):
    """One piece of planned work, stating everything line 59 asks for."""

    __tablename__ = "property_reports_plan_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        _own("plan_versions", "plan_items_version_id"), index=True
    )
    #: Survives from version to version, so that versions can be compared item by item.
    item_key: Mapped[str] = mapped_column(db.String(32))
    position: Mapped[int] = mapped_column(default=0)
    #: 工作的具体内容
    content: Mapped[str] = mapped_column(db.Text)
    #: 工作标准
    standard: Mapped[str] = mapped_column(db.Text)
    #: 工作地点
    place: Mapped[str] = mapped_column(db.String(200))
    #: 时间安排
    schedule: Mapped[str] = mapped_column(db.String(200))
    #: 人员的安排
    people: Mapped[str] = mapped_column(db.String(200))
    #: 资源(人、机、料)的提供和保证
    staff: Mapped[str] = mapped_column(db.String(200), default="")
    machines: Mapped[str] = mapped_column(db.String(200), default="")
    materials: Mapped[str] = mapped_column(db.String(200), default="")
    #: 工作规范: a specification of the library, at the revision in force when planned ...
    spec_id: Mapped[int | None] = mapped_column(_own("specs", "plan_items_spec_id"))
    spec_number: Mapped[int | None]
    #: ... or a description when none applies yet.
    spec_note: Mapped[str] = mapped_column(db.Text, default="")
    #: 记录的要求
    records: Mapped[str] = mapped_column(db.Text)
    #: 工作检查方法
    inspection_method: Mapped[str] = mapped_column(db.Text)
    #: 检查人
    inspector: Mapped[str] = mapped_column(db.String(100))
    #: 与其它部门的工作衔接(信息的输入输出)
    inputs: Mapped[str] = mapped_column(db.Text, default="")
    outputs: Mapped[str] = mapped_column(db.Text, default="")

    version: Mapped[PlanVersion] = relationship(back_populates="items")
    spec: Mapped[Spec | None] = relationship()


class Summary(db.Model):
    """A department's summary of one month (line 45)."""

    __tablename__ = "property_reports_summaries"
    __table_args__ = (db.UniqueConstraint("unit_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    #: The month summarised, as ``period_key(year, month)``.
    period: Mapped[int] = mapped_column(index=True)
    #: The plan version whose items came back as the checklist.
    plan_version_id: Mapped[int | None] = mapped_column(
        _own("plan_versions", "summaries_plan_version_id")
    )
    status: Mapped[str] = mapped_column(db.String(16), default=DRAFT, index=True)
    #: 本月应完成的例行工作 and 工作职责的完成情况.
    routine_work: Mapped[str] = mapped_column(db.Text, default="")
    duties: Mapped[str] = mapped_column(db.Text, default="")
    author_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    due_on: Mapped[date]
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    #: Share of the required metrics and checklist lines filled, 0–1, set on submission.
    completeness: Mapped[Decimal | None] = mapped_column(db.Numeric(5, 4))
    #: The review request (core workflow) of the latest hand-in.
    workflow_id: Mapped[int | None] = mapped_column(index=True)
    #: Who accepted it and when (the "approved" box of the printed form).
    reviewed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    #: 评审记录: hand-ins, returns and acceptance with their comments, newest last.
    review_record: Mapped[str] = mapped_column(db.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    plan_version: Mapped[PlanVersion | None] = relationship()
    items: Mapped[list[SummaryItem]] = relationship(
        back_populates="summary", order_by="SummaryItem.position", cascade="all, delete-orphan"
    )
    values: Mapped[list[MetricValue]] = relationship(
        back_populates="summary", cascade="all, delete-orphan"
    )
    versions: Mapped[list[SummaryVersion]] = relationship(
        back_populates="summary", order_by="SummaryVersion.number",
        cascade="all, delete-orphan"
    )

    @property
    def editable(self) -> bool:
        return self.status in SUMMARY_EDITABLE

    @property
    def year(self) -> int:
        return self.period // 100

    @property
    def month(self) -> int:
        return self.period % 100


class SummaryVersion(db.Model):
    """What a summary said when it was handed in, kept at every hand-in.

    A summary returned for a correction is edited in place; the versions keep what each
    hand-in said, so that a corrected figure stays traceable (issue 18 §10).
    """

    __tablename__ = "property_reports_summary_versions"
    __table_args__ = (db.UniqueConstraint("summary_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(
        _own("summaries", "summary_versions_summary_id"), index=True
    )
    number: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    #: The texts, checklist answers and metric values, as JSON (see ``summarising.snapshot``).
    content: Mapped[str] = mapped_column(db.Text)
    #: Why it was handed in again (the correction made).
    note: Mapped[str] = mapped_column(db.Text, default="")

    summary: Mapped[Summary] = relationship(back_populates="versions")
    submitted_by: Mapped[User] = relationship()


class SummaryItem(db.Model):
    """A plan item brought back to the summary: done, partly done or not done, and why."""

    __tablename__ = "property_reports_summary_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(
        _own("summaries", "summary_items_summary_id"), index=True
    )
    plan_item_id: Mapped[int | None] = mapped_column(
        _own("plan_items", "summary_items_plan_item_id")
    )
    position: Mapped[int] = mapped_column(default=0)
    content: Mapped[str] = mapped_column(db.Text)
    outcome: Mapped[str | None] = mapped_column(db.String(16))
    explanation: Mapped[str] = mapped_column(db.Text, default="")
    #: The shortfall traces back to an unclear specification: one must be written (line 212).
    unclear_spec: Mapped[bool] = mapped_column(default=False)

    summary: Mapped[Summary] = relationship(back_populates="items")
    plan_item: Mapped[PlanItem | None] = relationship()


class MetricValue(db.Model):
    """One typed value of a summary's metrics form; a breakdown stores one row per category.

    ``unit_id`` and ``period`` repeat the summary's so that company reports aggregate in SQL.
    """

    __tablename__ = "property_reports_metric_values"
    __table_args__ = (db.UniqueConstraint("summary_id", "metric", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(
        _own("summaries", "metric_values_summary_id"), index=True
    )
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    period: Mapped[int] = mapped_column(index=True)
    #: The department kind's catalogue key, e.g. ``finance``.
    department: Mapped[str] = mapped_column(db.String(32), index=True)
    metric: Mapped[str] = mapped_column(db.String(64))
    category: Mapped[str] = mapped_column(db.String(100), default="")
    number: Mapped[Decimal | None] = mapped_column(db.Numeric(16, 2))
    text: Mapped[str | None] = mapped_column(db.Text)

    summary: Mapped[Summary] = relationship(back_populates="values")


class Notice(db.Model):
    """A deadline reminder or overdue notice already sent, so each goes out once."""

    __tablename__ = "property_reports_notices"
    __table_args__ = (db.UniqueConstraint("unit_id", "subject", "period", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    #: ``plan`` or ``summary``.
    subject: Mapped[str] = mapped_column(db.String(16))
    period: Mapped[int]
    #: ``reminder`` or ``overdue``.
    stage: Mapped[str] = mapped_column(db.String(16))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
