"""The plugin's tables, all prefixed ``school_leave_``.

A leave belongs to the student's class (``unit_id``), so every list is scoped by the class in
SQL. Parents are not users: they are :class:`Contact` rows of a student, and what they said on
the phone is a :class:`ParentCall` recorded by the class teacher.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import RequestState, Unit, User, db, utcnow

# -- leave states -------------------------------------------------------------------------------

#: The approval state of a leave is its request's state (the workflow decides it).
PENDING, APPROVED, REJECTED, WITHDRAWN, RETURNED_FOR_REVISION = (
    RequestState.PENDING, RequestState.APPROVED, RequestState.REJECTED, RequestState.WITHDRAWN,
    RequestState.RETURNED,
)
#: Calls: the parent phoned the class teacher (in advance), or the teacher phoned the parent.
INCOMING, OUTGOING = "incoming", "outgoing"
#: Kinds of entries in the daily class log (line 15).
LATE, EARLY_LEAVE, ABSENT = "late", "early_leave", "absent"
LOG_KINDS = (LATE, EARLY_LEAVE, ABSENT)


class Contact(db.Model):
    """A parent or guardian of a student: a phone number, not an account."""

    __tablename__ = "school_leave_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    #: The student's class, so contacts are scoped like everything else.
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(db.String(100))
    relation: Mapped[str] = mapped_column(db.String(50))
    phone: Mapped[str] = mapped_column(db.String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    student: Mapped[User] = relationship()


class Leave(db.Model):
    """One leave application (请假条), or an extension of another one (续假)."""

    __tablename__ = "school_leave_leaves"
    #: For the lists ("approved, newest first") and the dashboard's counts (migration sl02).
    __table_args__ = (
        db.Index("ix_school_leave_leaves_unit_status_start", "unit_id", "status", "start_at"),
        db.Index("ix_school_leave_leaves_out", "unit_id",
                 postgresql_where=db.text("exited_at IS NOT NULL AND returned_at IS NULL"),
                 sqlite_where=db.text("exited_at IS NOT NULL AND returned_at IS NULL")),
        db.Index("ix_school_leave_leaves_overdue", "unit_id",
                 postgresql_where=db.text("overdue_at IS NOT NULL AND returned_at IS NULL"),
                 sqlite_where=db.text("overdue_at IS NOT NULL AND returned_at IS NULL")),
        #: "On leave now": approved and not back, by end (migration sl05).
        #: Deep pages of "approved, newest first" (migration sl05).
        db.Index("ix_school_leave_leaves_status_start_unit", "status", "start_at", "unit_id"),
        db.Index("ix_school_leave_leaves_open", "unit_id", "end_at",
                 postgresql_where=db.text("status = 'approved' AND returned_at IS NULL"),
                 sqlite_where=db.text("status = 'approved' AND returned_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    student_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    #: Who filled in the form: the student, or the monitor for them (with ``proxy_reason``).
    applicant_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    proxy_reason: Mapped[str] = mapped_column(db.Text, default="")
    #: In which capacity someone else filed it: ``classmate`` (the monitor's proxy, line 25),
    #: ``class_teacher`` (boarders without a phone), ``student_affairs`` (an emergency).
    filed_as: Mapped[str] = mapped_column(db.String(32), default="")
    #: The student-affairs office's emergency override of the advance-notice rules (lines 29,
    #: 31): why, and who granted it. Audited, shown on the slip and in the reports.
    emergency_reason: Mapped[str] = mapped_column(db.Text, default="")
    emergency_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    #: Set on an extension: the leave it extends (line 21).
    extends_id: Mapped[int | None] = mapped_column(
        db.ForeignKey("school_leave_leaves.id"), index=True
    )
    leave_type: Mapped[str] = mapped_column(db.String(32))
    start_at: Mapped[datetime] = mapped_column(index=True)
    end_at: Mapped[datetime] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(db.Text)
    leaving_campus: Mapped[bool] = mapped_column(default=False)

    #: What the rules computed when it was filed (kept, so later timetable edits don't rewrite
    #: history): the length, the row of the chain table and the reasons shown to the applicant.
    periods: Mapped[int] = mapped_column(default=0)
    days: Mapped[float] = mapped_column(default=0)
    in_exam: Mapped[bool] = mapped_column(default=False)
    touches_evening_study: Mapped[bool] = mapped_column(default=False)
    chain_row: Mapped[str] = mapped_column(db.String(32))
    chain_reasons: Mapped[str] = mapped_column(db.Text, default="")
    parent_call_required: Mapped[bool] = mapped_column(default=False)

    status: Mapped[str] = mapped_column(db.String(16), default=PENDING, index=True)
    workflow_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    #: At the gate (line 19) or, on campus, recorded by the class teacher.
    exited_at: Mapped[datetime | None]
    exit_recorded_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    returned_at: Mapped[datetime | None]
    return_recorded_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))

    #: Morning-exercise leave (line 35): the class teacher's review at morning reading, recorded
    #: after the leave is already valid.
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))

    #: Set by the overdue job (line 21).
    overdue_at: Mapped[datetime | None]
    truancy: Mapped[bool] = mapped_column(default=False, index=True)

    unit: Mapped[Unit] = relationship()
    student: Mapped[User] = relationship(foreign_keys=[student_id])
    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    exit_recorded_by: Mapped[User | None] = relationship(foreign_keys=[exit_recorded_by_id])
    return_recorded_by: Mapped[User | None] = relationship(foreign_keys=[return_recorded_by_id])
    emergency_by: Mapped[User | None] = relationship(foreign_keys=[emergency_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    extends: Mapped[Leave | None] = relationship(remote_side=[id], back_populates="extensions")
    extensions: Mapped[list[Leave]] = relationship(
        back_populates="extends", order_by="Leave.id"
    )

    @property
    def is_extension(self) -> bool:
        return self.extends_id is not None

    @property
    def is_proxy(self) -> bool:
        return self.applicant_id != self.student_id

    @property
    def is_emergency(self) -> bool:
        return bool(self.emergency_reason)

    @property
    def root(self) -> Leave:
        """The original leave of a chain of extensions."""
        leave = self
        while leave.extends is not None:
            leave = leave.extends
        return leave

    def __repr__(self) -> str:
        return f"<Leave {self.id} {self.chain_row} {self.status}>"


class ParentCall(db.Model):
    """A phone call between the class teacher and a parent, as the class teacher noted it.

    ``incoming`` calls are the parent's advance notice (lines 31, 33) and are recorded before
    the leave exists; ``outgoing`` calls are the class teacher phoning the parent when signing
    (line 13). Filing a leave links the incoming calls it relied on.
    """

    __tablename__ = "school_leave_parent_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    leave_id: Mapped[int | None] = mapped_column(
        db.ForeignKey("school_leave_leaves.id"), index=True
    )
    direction: Mapped[str] = mapped_column(db.String(16))
    called_at: Mapped[datetime]
    phone: Mapped[str] = mapped_column(db.String(32))
    #: Who was on the other end (e.g. "mother, Wang Li").
    answered_by: Mapped[str] = mapped_column(db.String(100))
    note: Mapped[str] = mapped_column(db.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    student: Mapped[User] = relationship(foreign_keys=[student_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    leave: Mapped[Leave | None] = relationship()


class LogEntry(db.Model):
    """A line of the daily class log (教室日志): late, left early or absent (line 15)."""

    __tablename__ = "school_leave_log_entries"
    __table_args__ = (db.UniqueConstraint("student_id", "day", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    student_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(db.String(16))
    #: Which period or activity, free text ("period 3", "morning exercise").
    period: Mapped[str] = mapped_column(db.String(50), default="")
    note: Mapped[str] = mapped_column(db.String(500), default="")
    recorded_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    student: Mapped[User] = relationship(foreign_keys=[student_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])


class LogReport(db.Model):
    """The duty cadre's report of one day's log to the class teacher (line 15)."""

    __tablename__ = "school_leave_log_reports"
    __table_args__ = (db.UniqueConstraint("unit_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    day: Mapped[date]
    reported_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)

    reported_by: Mapped[User] = relationship()


class Reconciliation(db.Model):
    """The Friday check of a week's slips against the log, signed off by the class teacher."""

    __tablename__ = "school_leave_reconciliations"
    __table_args__ = (db.UniqueConstraint("unit_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    #: The Monday of the week.
    week_start: Mapped[date]
    discrepancies: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(db.Text, default="")
    signed_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    signed_by: Mapped[User] = relationship()


class HandbookArticle(db.Model):
    """An article of the student handbook (学生手册) that discipline refers to (line 27).

    The school's own text, kept as data the student-affairs office edits; an article that is
    no longer in force is retired (``active``), never deleted, so past decisions keep it.
    """

    __tablename__ = "school_leave_handbook_articles"
    __table_args__ = (db.UniqueConstraint("unit_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The school whose handbook it is.
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    #: As the handbook numbers it, e.g. "第二十一条".
    number: Mapped[str] = mapped_column(db.String(32))
    title: Mapped[str] = mapped_column(db.String(200))
    text: Mapped[str] = mapped_column(db.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()


class DisciplineRecord(db.Model):
    """A discipline decision about a student under an article of the handbook (line 27)."""

    __tablename__ = "school_leave_discipline"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The student's class, so the records are scoped like the leave.
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    student_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    #: (The constraint is named by hand: the generated name is longer than PostgreSQL's 63.)
    article_id: Mapped[int] = mapped_column(
        db.ForeignKey("school_leave_handbook_articles.id",
                      name="fk_school_leave_discipline_article_id"), index=True)
    #: What the student did ("truancy on 3 and 4 November, 6 periods").
    offence: Mapped[str] = mapped_column(db.Text)
    #: One of :data:`forms.DECISIONS` (警告 … 开除学籍).
    decision: Mapped[str] = mapped_column(db.String(32))
    decided_on: Mapped[date] = mapped_column(index=True)
    #: Who decided: a person or a body ("学工处", "校长办公会").
    decided_by: Mapped[str] = mapped_column(db.String(100))
    note: Mapped[str] = mapped_column(db.Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    student: Mapped[User] = relationship(foreign_keys=[student_id])
    article: Mapped[HandbookArticle] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
