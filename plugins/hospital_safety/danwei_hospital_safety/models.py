"""The plugin's tables, each prefixed ``hospital_safety_``.

A health centre is a core unit (kind ``health_centre``) and its departments are units under it
(kind ``department``). Every row belongs to the unit that answers for it: a hazard to the
responsible department, a drug lot to the pharmacy, a patrol point to the department whose
place it stands in.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Unit, User, db, utcnow

TEXT = 200
LONG = 2000


class CountState(enum.StrEnum):
    """A handover count: it matched, or it differs (``OPEN``: dispensing blocked) until a
    second person signs an explanation."""

    RECONCILED = "reconciled"
    OPEN = "open"
    EXPLAINED = "explained"


class InspectionState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class Hazard(db.Model):
    """A hazard (安全隐患) on its way from report to closure; ``state`` is one of
    :class:`danwei_hospital_safety.hazards.HazardState`."""

    __tablename__ = "hospital_safety_hazards"
    __table_args__ = (db.Index("ix_hospital_safety_hazards_unit_state", "unit_id", "state",
                               "reported_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The responsible department once the notice is issued; before, the reporter's unit.
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    state: Mapped[str] = mapped_column(db.String(16), default="reported")
    place: Mapped[str] = mapped_column(db.String(TEXT))
    description: Mapped[str] = mapped_column(db.Text)
    #: NULL when the reporter chose to stay anonymous.
    reporter_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    grade: Mapped[str | None] = mapped_column(db.String(16))  # general | major
    colour: Mapped[str | None] = mapped_column(db.String(16))  # red | orange | yellow | blue
    notice_no: Mapped[str | None] = mapped_column(db.String(32))
    requirement: Mapped[str] = mapped_column(db.Text, default="")
    issued_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    issued_at: Mapped[datetime | None]
    deadline_days: Mapped[int | None]
    deadline_at: Mapped[datetime | None] = mapped_column(index=True)
    safeguards: Mapped[str] = mapped_column(db.Text, default="")
    safeguards_at: Mapped[datetime | None]
    fix_note: Mapped[str] = mapped_column(db.Text, default="")
    fixed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    fixed_at: Mapped[datetime | None]
    check_note: Mapped[str] = mapped_column(db.Text, default="")
    checked_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    #: 0 none, 1 the committee was told, 2 the director was told.
    escalation: Mapped[int] = mapped_column(default=0)
    times_sent_back: Mapped[int] = mapped_column(default=0)

    unit: Mapped[Unit] = relationship(Unit)
    reporter: Mapped[User | None] = relationship(User, foreign_keys=[reporter_id])
    fixed_by: Mapped[User | None] = relationship(User, foreign_keys=[fixed_by_id])
    checked_by: Mapped[User | None] = relationship(User, foreign_keys=[checked_by_id])
    issued_by: Mapped[User | None] = relationship(User, foreign_keys=[issued_by_id])


class DiseaseCase(db.Model):
    """A notifiable infectious-disease case, its clock running from diagnosis."""

    __tablename__ = "hospital_safety_cases"
    __table_args__ = (db.Index("ix_hospital_safety_cases_unit_diag", "unit_id", "diagnosed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    patient: Mapped[str] = mapped_column(db.String(64))
    disease: Mapped[str] = mapped_column(db.String(TEXT))
    #: A, A_managed (managed as class A), B, C
    disease_class: Mapped[str] = mapped_column(db.String(16))
    #: Rural (township) or town area, fixed when the case is recorded (the seed's split).
    rural: Mapped[bool] = mapped_column(default=True)
    diagnosed_at: Mapped[datetime]
    #: The applicable limit in minutes and the legal one, frozen when the case is recorded.
    limit_minutes: Mapped[int]
    legal_minutes: Mapped[int]
    reported_at: Mapped[datetime | None]
    report_no: Mapped[str | None] = mapped_column(db.String(64))
    #: 0 none, 1 warned at half, 2 warned at four fifths, 3 overdue.
    warned: Mapped[int] = mapped_column(default=0)
    recorded_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(Unit)


class Drug(db.Model):
    """A controlled drug kept by a pharmacy: its class and dosage form set its caps."""

    __tablename__ = "hospital_safety_drugs"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(db.String(TEXT))
    #: narcotic | psych1 | psych2 | toxic
    category: Mapped[str] = mapped_column(db.String(16))
    #: injection | controlled | other
    form: Mapped[str] = mapped_column(db.String(16))
    strength: Mapped[str] = mapped_column(db.String(64), default="")
    unit_label: Mapped[str] = mapped_column(db.String(16), default="支")

    unit: Mapped[Unit] = relationship(Unit)


class DrugLot(db.Model):
    """One lot of a drug with its running balance (the sum of its ledger entries)."""

    __tablename__ = "hospital_safety_drug_lots"
    __table_args__ = (db.UniqueConstraint("drug_id", "lot", name="uq_hospital_safety_lot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drug_id: Mapped[int] = mapped_column(db.ForeignKey("hospital_safety_drugs.id"), index=True)
    lot: Mapped[str] = mapped_column(db.String(64))
    expires_on: Mapped[date | None]
    balance: Mapped[int] = mapped_column(default=0)
    empties: Mapped[int] = mapped_column(default=0)

    drug: Mapped[Drug] = relationship(Drug)


class DrugEntry(db.Model):
    """A line of the dedicated ledger: receipt, dispensing, empties returned, destruction."""

    __tablename__ = "hospital_safety_drug_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(
        db.ForeignKey("hospital_safety_drug_lots.id", name="fk_hospital_safety_entries_lot"),
        index=True)
    kind: Mapped[str] = mapped_column(db.String(16))
    quantity: Mapped[int]
    balance_after: Mapped[int]
    prescription_no: Mapped[str | None] = mapped_column(db.String(64))
    patient: Mapped[str | None] = mapped_column(db.String(64))
    days: Mapped[Decimal | None] = mapped_column(db.Numeric(6, 2))
    doses: Mapped[int | None]
    #: The day until which the prescription must be kept (3 or 2 years).
    keep_until: Mapped[date | None]
    witnesses: Mapped[str] = mapped_column(db.String(TEXT), default="")
    note: Mapped[str] = mapped_column(db.String(LONG), default="")
    by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    lot: Mapped[DrugLot] = relationship(DrugLot)
    by: Mapped[User | None] = relationship(User)


class DrugCount(db.Model):
    """A shift-handover count of a pharmacy's cabinet. An ``open`` count (a difference nobody
    explained) blocks dispensing in that pharmacy."""

    __tablename__ = "hospital_safety_drug_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    state: Mapped[str] = mapped_column(db.String(16))  # a CountState
    #: "lot_id:expected:counted" per line with a difference, ";"-separated.
    differences: Mapped[str] = mapped_column(db.Text, default="")
    counted_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    counted_at: Mapped[datetime] = mapped_column(default=utcnow)
    explanation: Mapped[str] = mapped_column(db.Text, default="")
    signed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    signed_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship(Unit)
    counted_by: Mapped[User | None] = relationship(User, foreign_keys=[counted_by_id])
    signed_by: Mapped[User | None] = relationship(User, foreign_keys=[signed_by_id])


class PatrolPoint(db.Model):
    """An extinguisher, hydrant, boiler room, oxygen store or patrol point with a QR label."""

    __tablename__ = "hospital_safety_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(db.String(32))
    #: extinguisher | hydrant | boiler | oxygen | patrol
    kind: Mapped[str] = mapped_column(db.String(16))
    building: Mapped[str] = mapped_column(db.String(64), default="")
    floor: Mapped[str] = mapped_column(db.String(16), default="")
    place: Mapped[str] = mapped_column(db.String(TEXT), default="")
    #: Boiler rooms, kitchens, basements...: extinguishers checked every half month.
    high_risk: Mapped[bool] = mapped_column(default=False)
    manufactured_on: Mapped[date | None]
    last_scan_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship(Unit)


class PatrolScan(db.Model):
    """A check of a point, timed by the server when the scanned page was submitted."""

    __tablename__ = "hospital_safety_scans"
    __table_args__ = (db.Index("ix_hospital_safety_scans_point_at", "point_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(db.ForeignKey("hospital_safety_points.id"))
    user_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(db.String(LONG), default="")

    point: Mapped[PatrolPoint] = relationship(PatrolPoint)
    user: Mapped[User | None] = relationship(User)


class Certificate(db.Model):
    """A special-operation certificate (boiler operator, electrician...) with its expiry."""

    __tablename__ = "hospital_safety_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    holder: Mapped[str] = mapped_column(db.String(64))
    kind: Mapped[str] = mapped_column(db.String(64))
    number: Mapped[str] = mapped_column(db.String(64), default="")
    expires_on: Mapped[date] = mapped_column(index=True)

    unit: Mapped[Unit] = relationship(Unit)


class ChecklistTemplate(db.Model):
    """An editable checklist for a kind of inspection, for a centre or one key department."""

    __tablename__ = "hospital_safety_checklists"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    #: committee | hospital | department | fire
    kind: Mapped[str] = mapped_column(db.String(16))
    name: Mapped[str] = mapped_column(db.String(TEXT))
    #: One item per line.
    items: Mapped[str] = mapped_column(db.Text, default="")

    unit: Mapped[Unit] = relationship(Unit)

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.items.splitlines() if line.strip()]


class Inspection(db.Model):
    """One inspection done (committee, hospital-wide, department self-check, fire)."""

    __tablename__ = "hospital_safety_inspections"
    __table_args__ = (db.Index("ix_hospital_safety_inspections_unit_kind", "unit_id", "kind",
                               "done_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(db.String(16))
    checklist_id: Mapped[int | None] = mapped_column(
        db.ForeignKey("hospital_safety_checklists.id",
                      name="fk_hospital_safety_inspections_checklist"))
    #: Led by the centre's main leaders (at least 2 committee inspections a year).
    led_by_leaders: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(db.String(16), default=InspectionState.OPEN)
    by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship(Unit)
    by: Mapped[User | None] = relationship(User)
    results: Mapped[list[InspectionResult]] = relationship(
        "InspectionResult", order_by="InspectionResult.position",
        back_populates="inspection")


class InspectionResult(db.Model):
    """One checklist item of an inspection: pass, fail or n.a.; a fail has a note."""

    __tablename__ = "hospital_safety_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        db.ForeignKey("hospital_safety_inspections.id",
                      name="fk_hospital_safety_results_inspection"), index=True)
    position: Mapped[int]
    item: Mapped[str] = mapped_column(db.String(LONG))
    result: Mapped[str | None] = mapped_column(db.String(8))  # pass | fail | na
    note: Mapped[str] = mapped_column(db.String(LONG), default="")
    hazard_id: Mapped[int | None] = mapped_column(db.ForeignKey("hospital_safety_hazards.id"))

    inspection: Mapped[Inspection] = relationship(Inspection, back_populates="results")


class Penalty(db.Model):
    """A fine proposed from the register (a notified hazard 20–50 yuan, an accident 200–500
    yuan each time) and decided by the safety committee; ``veto`` marks the one-vote veto of
    the year's awards for the person responsible."""

    __tablename__ = "hospital_safety_penalties"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    hazard_id: Mapped[int | None] = mapped_column(db.ForeignKey("hospital_safety_hazards.id"))
    kind: Mapped[str] = mapped_column(db.String(16))  # hazard | accident
    person: Mapped[str] = mapped_column(db.String(64))
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(db.String(LONG), default="")
    veto: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(db.String(16), default="proposed")  # decided | rejected
    proposed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship(Unit)


class LogEntry(db.Model):
    """A line of the duty roster (the person on duty and the leader on call for a day, with
    the handover note) or of the boiler-room log (access and operation, seed lines 670–694)."""

    __tablename__ = "hospital_safety_logs"
    __table_args__ = (db.Index("ix_hospital_safety_logs_unit_kind_day", "unit_id", "kind",
                               "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(db.String(16))  # duty | boiler
    day: Mapped[date]
    person: Mapped[str] = mapped_column(db.String(64))
    #: duty: the leader on call; boiler: the shift
    second: Mapped[str] = mapped_column(db.String(64), default="")
    note: Mapped[str] = mapped_column(db.String(LONG), default="")
    by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(Unit)
