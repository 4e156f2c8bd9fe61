"""The plugin's tables, all prefixed ``pension_audit_``.

An engagement (稽核项目) is the audit of one audited unit (a township service station) for a
period. Everything else hangs on it: the checklist answers of the twelve items, the evidence,
the data imported from the fund's own systems, the findings the checks and the auditors record,
and the rectification of each finding.

Money is stored in fen (integers): the checks compare amounts exactly, on SQLite and
PostgreSQL alike. Months are stored as the date of their first day. Interest rates are stored
in basis points (1.75 % = 175).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Unit, User, db, utcnow

#: The twelve items of the checklist (篇五), numbered as in the source.
ITEMS = tuple(range(1, 13))
#: Items the plugin re-computes from imported data (8: the eligibility part).
COMPUTED_ITEMS = (2, 4, 5, 6, 7, 8, 12)
#: Items that cannot be computed: the auditors sample records and work through them by hand.
SAMPLED_ITEMS = (1, 3, 9, 10, 11)

COMPLIANT, NOT_COMPLIANT, NOT_APPLICABLE = "compliant", "not_compliant", "na"
RESULTS = (COMPLIANT, NOT_COMPLIANT, NOT_APPLICABLE)

# Engagement states.
PREPARING, ISSUED, CLOSED = "preparing", "issued", "closed"

# Finding states: open (no one assigned yet), rectifying (assigned, waiting for the reply),
# replied (waiting for the auditor), accepted (closed), returned (back to the unit).
OPEN, RECTIFYING, REPLIED, ACCEPTED, RETURNED = (
    "open", "rectifying", "replied", "accepted", "returned")
FINDING_STATES = (OPEN, RECTIFYING, REPLIED, ACCEPTED, RETURNED)
UNRESOLVED = (OPEN, RECTIFYING, REPLIED, RETURNED)

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITIES = (HIGH, MEDIUM, LOW)

#: The kinds of data an auditor imports.
KINDS = ("members", "contributions", "receipts", "subsidies", "rates", "accounts", "payments",
         "deaths")


class PensionAuditEngagement(db.Model):
    """One audit: who audits which unit for which period, and where it stands."""

    __tablename__ = "pension_audit_engagements"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The audited unit (a township station, a bank branch); the auditors hold their role above.
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    title: Mapped[str] = mapped_column(db.String(200))
    period_start: Mapped[date]
    period_end: Mapped[date]
    preparer_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    verifier_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(db.String(16), default=PREPARING)
    #: The previous engagement of the same unit, whose open findings this one re-checks.
    previous_id: Mapped[int | None] = mapped_column(
        db.ForeignKey("pension_audit_engagements.id"))
    checked_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(Unit)
    preparer: Mapped[User] = relationship(User, foreign_keys=[preparer_id])
    verifier: Mapped[User] = relationship(User, foreign_keys=[verifier_id])
    previous: Mapped[PensionAuditEngagement | None] = relationship(remote_side=[id])


class PensionAuditTeamMember(db.Model):
    """An auditor of the engagement's team."""

    __tablename__ = "pension_audit_team"

    engagement_id: Mapped[int] = mapped_column(
        db.ForeignKey("pension_audit_engagements.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), primary_key=True)

    user: Mapped[User] = relationship(User)


class PensionAuditAnswer(db.Model):
    """The answer to one of the twelve items for an engagement."""

    __tablename__ = "pension_audit_answers"
    __table_args__ = (db.UniqueConstraint("engagement_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        db.ForeignKey("pension_audit_engagements.id"), index=True)
    item: Mapped[int]
    result: Mapped[str | None] = mapped_column(db.String(16))
    notes: Mapped[str] = mapped_column(db.Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    answered_by: Mapped[User | None] = relationship(User)


class PensionAuditEvidence(db.Model):
    """A piece of evidence (its files are core attachments with this row as subject).

    ``made_on`` is when the document was made (a bank statement's date), apart from when it
    was uploaded (``created_at``). It backs a checklist item or a rectification reply.
    """

    __tablename__ = "pension_audit_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        db.ForeignKey("pension_audit_engagements.id"), index=True)
    item: Mapped[int | None]
    finding_id: Mapped[int | None] = mapped_column(
        db.ForeignKey("pension_audit_findings.id"), index=True)
    made_on: Mapped[date]
    description: Mapped[str] = mapped_column(db.String(500), default="")
    created_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# -- imports -------------------------------------------------------------------------------------


class PensionAuditUpload(db.Model):
    """An uploaded file, kept in the database so that any worker can read it."""

    __tablename__ = "pension_audit_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        db.ForeignKey("pension_audit_engagements.id"), index=True)
    filename: Mapped[str] = mapped_column(db.String(255))
    data: Mapped[bytes] = mapped_column(db.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PensionAuditImport(db.Model):
    """One import of a file into an engagement, and what came of it."""

    __tablename__ = "pension_audit_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        db.ForeignKey("pension_audit_engagements.id"), index=True)
    upload_id: Mapped[int | None] = mapped_column(db.ForeignKey("pension_audit_uploads.id"))
    kind: Mapped[str] = mapped_column(db.String(16))
    source: Mapped[str] = mapped_column(db.String(100), default="")
    filename: Mapped[str] = mapped_column(db.String(255))
    mapping_json: Mapped[str] = mapped_column(db.Text, default="{}")
    #: checking, refused, imported, cancelled, failed
    state: Mapped[str] = mapped_column(db.String(16), default="checking")
    skip_bad: Mapped[bool] = mapped_column(default=False)
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_imported: Mapped[int] = mapped_column(default=0)
    rows_bad: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    #: The first problems, as [[line, column, message], ...]; all of them are in the task's file.
    problems_json: Mapped[str] = mapped_column(db.Text, default="[]")
    message: Mapped[str] = mapped_column(db.String(500), default="")
    task_run_id: Mapped[int | None]
    created_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PensionAuditMapping(db.Model):
    """Which column of a source's files holds which field, remembered for the next file."""

    __tablename__ = "pension_audit_mappings"
    __table_args__ = (db.UniqueConstraint("unit_id", "kind", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(db.String(16))
    source: Mapped[str] = mapped_column(db.String(100))
    mapping_json: Mapped[str] = mapped_column(db.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class _Imported:
    """Mixin of the imported tables."""

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        db.ForeignKey("pension_audit_engagements.id"), index=True)
    import_id: Mapped[int] = mapped_column(db.ForeignKey("pension_audit_imports.id"), index=True)
    line: Mapped[int]
    id_number: Mapped[str] = mapped_column(db.String(18))


class PensionAuditMember(_Imported, db.Model):
    """A member of the scheme, as the fund's system has them."""

    __tablename__ = "pension_audit_members"
    __table_args__ = (db.Index("ix_pension_audit_members_eng_idn", "engagement_id", "id_number"),)

    name: Mapped[str] = mapped_column(db.String(100))
    birth_date: Mapped[date]
    village: Mapped[str] = mapped_column(db.String(100), default="")
    #: paying, stopped (中断缴费), receiving (领取待遇), ended
    status: Mapped[str] = mapped_column(db.String(16), default="paying")
    #: The personal account balance when the pension started, and the monthly personal-account
    #: pension the fund computed from it (fen); empty for members not receiving.
    balance_at_retirement: Mapped[int | None]
    account_pension: Mapped[int | None]


class PensionAuditContribution(_Imported, db.Model):
    """A contribution booked as income: regular (one year) or a lump-sum back-payment."""

    __tablename__ = "pension_audit_contributions"
    __table_args__ = (db.Index("ix_pension_audit_contributions_eng_idn", "engagement_id",
                               "id_number"),)

    year: Mapped[int]
    #: The yearly amount of the tier the member chose (fen).
    tier: Mapped[int]
    amount: Mapped[int]
    booked_on: Mapped[date]
    #: regular, or back (一次性补缴) for *years* missed years.
    kind: Mapped[str] = mapped_column(db.String(8), default="regular")
    years: Mapped[int] = mapped_column(default=1)


class PensionAuditReceipt(_Imported, db.Model):
    """Money that actually arrived in the income account (a bank deduction or a deposit)."""

    __tablename__ = "pension_audit_receipts"
    __table_args__ = (db.Index("ix_pension_audit_receipts_eng_idn", "engagement_id",
                               "id_number"),)

    amount: Mapped[int]
    received_on: Mapped[date]


class PensionAuditSubsidy(_Imported, db.Model):
    """A subsidy credited to a personal account: fiscal (地方财政) or village cadre (村干部)."""

    __tablename__ = "pension_audit_subsidies"
    __table_args__ = (db.Index("ix_pension_audit_subsidies_eng_idn", "engagement_id",
                               "id_number"),)

    year: Mapped[int]
    kind: Mapped[str] = mapped_column(db.String(8), default="fiscal")
    amount: Mapped[int]
    #: The month from which it counts in the account (first day of the month).
    credited_month: Mapped[date]


class PensionAuditRate(_Imported, db.Model):
    """The PBoC one-year deposit rate applied to a year (id_number is empty)."""

    __tablename__ = "pension_audit_rates"

    year: Mapped[int]
    rate_bp: Mapped[int]


class PensionAuditAccount(_Imported, db.Model):
    """A year of a personal account as the fund kept it: balance, interest, sealing."""

    __tablename__ = "pension_audit_accounts"
    __table_args__ = (db.Index("ix_pension_audit_accounts_eng_idn", "engagement_id",
                               "id_number"),)

    year: Mapped[int]
    opening_balance: Mapped[int]
    interest: Mapped[int]
    #: The month the account was sealed (封存), when it was sealed by then.
    sealed_from: Mapped[date | None]


class PensionAuditPayment(_Imported, db.Model):
    """A monthly pension payment."""

    __tablename__ = "pension_audit_payments"
    __table_args__ = (db.Index("ix_pension_audit_payments_eng_idn", "engagement_id",
                               "id_number", "month"),)

    month: Mapped[date]
    amount: Mapped[int]
    #: Who prepared the payment (user name or name): they may not verify the audit.
    prepared_by: Mapped[str] = mapped_column(db.String(100), default="")


class PensionAuditDeath(_Imported, db.Model):
    """A recorded death (civil affairs, police or hospital register)."""

    __tablename__ = "pension_audit_deaths"
    __table_args__ = (db.Index("ix_pension_audit_deaths_eng_idn", "engagement_id",
                               "id_number"),)

    died_on: Mapped[date]


#: The table of each kind of import.
DATA_MODELS = {
    "members": PensionAuditMember, "contributions": PensionAuditContribution,
    "receipts": PensionAuditReceipt, "subsidies": PensionAuditSubsidy,
    "rates": PensionAuditRate, "accounts": PensionAuditAccount,
    "payments": PensionAuditPayment, "deaths": PensionAuditDeath,
}


# -- findings and rectification ------------------------------------------------------------------


class PensionAuditGroup(db.Model):
    """Findings that share one root cause (one wrong rate, one clerk's back-payments)."""

    __tablename__ = "pension_audit_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        db.ForeignKey("pension_audit_engagements.id"), index=True)
    title: Mapped[str] = mapped_column(db.String(200))
    root_cause: Mapped[str] = mapped_column(db.Text, default="")


class PensionAuditFinding(db.Model):
    """A mismatch the checks found, or a problem an auditor recorded, with its rectification."""

    __tablename__ = "pension_audit_findings"
    __table_args__ = (
        db.Index("ix_pension_audit_findings_list", "engagement_id", "state", "item", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        db.ForeignKey("pension_audit_engagements.id"), index=True)
    #: The audited unit (copied from the engagement, so lists filter on one column).
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    item: Mapped[int]
    #: The rule of :mod:`.checks` (``contribution_received``...), or ``manual``/``sample``.
    rule: Mapped[str] = mapped_column(db.String(32))
    severity: Mapped[str] = mapped_column(db.String(8), default=MEDIUM)
    id_number: Mapped[str | None] = mapped_column(db.String(18))
    #: The month or year the mismatch is about (``2024-03``, ``2024``), for the records.
    period: Mapped[str] = mapped_column(db.String(16), default="")
    #: What the rule computes and what the fund's data says; amounts in fen, else counts or
    #: months as given by ``unit``.
    expected: Mapped[int | None] = mapped_column(db.BigInteger)
    found: Mapped[int | None] = mapped_column(db.BigInteger)
    #: fen, count, month (yyyymm)
    measure: Mapped[str] = mapped_column(db.String(8), default="fen")
    description: Mapped[str] = mapped_column(db.Text, default="")
    group_id: Mapped[int | None] = mapped_column(db.ForeignKey("pension_audit_groups.id"))
    #: Produced by a check run (replaced when the checks run again before the report is issued).
    automatic: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(db.String(12), default=OPEN)
    responsible_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    deadline_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    #: The finding of the previous audit this one re-checks.
    previous_finding_id: Mapped[int | None] = mapped_column(
        db.ForeignKey("pension_audit_findings.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    engagement: Mapped[PensionAuditEngagement] = relationship(PensionAuditEngagement)
    unit: Mapped[Unit] = relationship(Unit)
    responsible: Mapped[User | None] = relationship(User)
    group: Mapped[PensionAuditGroup | None] = relationship(PensionAuditGroup)


class PensionAuditReply(db.Model):
    """A step of a finding's rectification: assigned, replied, accepted, returned, escalated."""

    __tablename__ = "pension_audit_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(
        db.ForeignKey("pension_audit_findings.id"), index=True)
    action: Mapped[str] = mapped_column(db.String(12))
    text: Mapped[str] = mapped_column(db.Text, default="")
    actor_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship(User)


class PensionAuditSample(db.Model):
    """A reproducible random sample of records for an item that cannot be computed."""

    __tablename__ = "pension_audit_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        db.ForeignKey("pension_audit_engagements.id"), index=True)
    item: Mapped[int]
    #: members, contributions or payments: the table sampled.
    population: Mapped[str] = mapped_column(db.String(16))
    population_size: Mapped[int]
    size: Mapped[int]
    seed: Mapped[int] = mapped_column(db.BigInteger)
    created_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PensionAuditSampleRecord(db.Model):
    """One sampled record and its worksheet: what the auditor checked and concluded."""

    __tablename__ = "pension_audit_sample_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(db.ForeignKey("pension_audit_samples.id"), index=True)
    position: Mapped[int]
    record_id: Mapped[int]
    label: Mapped[str] = mapped_column(db.String(200))
    #: empty until worked: compliant or not_compliant
    result: Mapped[str] = mapped_column(db.String(16), default="")
    notes: Mapped[str] = mapped_column(db.Text, default="")
    checked_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    checked_at: Mapped[datetime | None]
