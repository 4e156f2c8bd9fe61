"""The plugin's tables, all prefixed ``party_building_``.

The organisation is core's unit tree (committee → branch → group). Every row carries the
branch it belongs to in ``unit_id``, so every list is scoped in SQL by the branch and a purge
takes a branch's rows by that one column.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Unit, db, utcnow

NAME_LENGTH = 100
TEXT_LENGTH = 200

# -- members ------------------------------------------------------------------------------------
FULL, PROBATIONARY = "full", "probationary"
MEMBER_STATUSES = (FULL, PROBATIONARY)
#: Dues categories (党费收缴、使用和管理的规定, 2008).
EMPLOYED, RETIRED, FARMER, STUDENT = "employed", "retired", "farmer", "student"
CATEGORIES = (EMPLOYED, RETIRED, FARMER, STUDENT)
IN, OUT = "in", "out"


class PartyMember(db.Model):
    """A party member kept by a branch (full or probationary)."""

    __tablename__ = "party_building_members"
    __table_args__ = (db.Index("ix_party_building_members_unit_active", "unit_id", "left_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    #: The member's account, when they have one (a retired member may not).
    user_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(db.String(NAME_LENGTH))
    status: Mapped[str] = mapped_column(db.String(16), default=FULL)
    joined_on: Mapped[date | None]
    converted_on: Mapped[date | None]
    #: 政治生日: the day they joined, celebrated each year.
    political_birthday: Mapped[date | None]
    work_unit: Mapped[str] = mapped_column(db.String(TEXT_LENGTH), default="")
    retired: Mapped[bool] = mapped_column(default=False)
    hardship: Mapped[bool] = mapped_column(default=False)
    contact_person: Mapped[str] = mapped_column(db.String(NAME_LENGTH), default="")
    #: Set when the member left with a transfer out: kept for the records, no longer counted.
    left_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(Unit)


class PartyTransfer(db.Model):
    """组织关系转接: a member arriving at or leaving the branch on a date."""

    __tablename__ = "party_building_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    member_id: Mapped[int] = mapped_column(db.ForeignKey("party_building_members.id"),
                                           index=True)
    direction: Mapped[str] = mapped_column(db.String(8))
    on: Mapped[date]
    #: The organisation they come from or go to.
    other_party: Mapped[str] = mapped_column(db.String(TEXT_LENGTH))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[PartyMember] = relationship()


# -- dues ---------------------------------------------------------------------------------------
class PartyPayChange(db.Model):
    """From this month on, the member's dues category and monthly after-tax pay."""

    __tablename__ = "party_building_pay_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    member_id: Mapped[int] = mapped_column(db.ForeignKey("party_building_members.id"),
                                           index=True)
    #: The first day of the month from which it applies.
    from_month: Mapped[date]
    category: Mapped[str] = mapped_column(db.String(16))
    pay: Mapped[Decimal] = mapped_column(db.Numeric(12, 2), default=Decimal("0"))
    #: A farmer's monthly amount (within the setting's range); unused for the other categories.
    fixed: Mapped[Decimal | None] = mapped_column(db.Numeric(8, 2))


class PartyPayment(db.Model):
    """Dues paid by one member for one month."""

    __tablename__ = "party_building_payments"
    __table_args__ = (db.UniqueConstraint("member_id", "month",
                                          name="uq_party_building_payments_member_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    member_id: Mapped[int] = mapped_column(db.ForeignKey("party_building_members.id"),
                                           index=True)
    month: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(db.Numeric(10, 2))
    paid_on: Mapped[date]
    recorded_by: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))


# -- member development -------------------------------------------------------------------------
class PartyDevFile(db.Model):
    """One person's development file, from application to full membership."""

    __tablename__ = "party_building_dev_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(db.String(NAME_LENGTH))
    #: The last step taken (``rules.STEPS``); ``applied`` at first.
    stage: Mapped[str] = mapped_column(db.String(24), index=True)
    #: 培养联系人, named when the applicant becomes an activist.
    contact_person: Mapped[str] = mapped_column(db.String(NAME_LENGTH), default="")
    #: The member record made at the branch meeting's admission vote.
    member_id: Mapped[int | None] = mapped_column(db.ForeignKey("party_building_members.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(Unit)
    steps: Mapped[list[PartyDevStep]] = relationship(
        order_by="(PartyDevStep.on, PartyDevStep.id)", back_populates="file")


class PartyDevStep(db.Model):
    """One dated step of a development file."""

    __tablename__ = "party_building_dev_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    file_id: Mapped[int] = mapped_column(db.ForeignKey("party_building_dev_files.id"),
                                         index=True)
    step: Mapped[str] = mapped_column(db.String(24))
    on: Mapped[date]
    #: Training: class hours of this session.
    hours: Mapped[float] = mapped_column(default=0.0)
    #: Votes (admission, conversion): full members entitled to vote, present, in favour.
    entitled: Mapped[int] = mapped_column(default=0)
    present: Mapped[int] = mapped_column(default=0)
    in_favour: Mapped[int] = mapped_column(default=0)
    #: Extension of probation, in months.
    months: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(db.Text, default="")
    recorded_by: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    file: Mapped[PartyDevFile] = relationship(back_populates="steps")


# -- meetings -----------------------------------------------------------------------------------
class PartyMeeting(db.Model):
    """A record of one meeting (三会一课 and the others)."""

    __tablename__ = "party_building_meetings"
    __table_args__ = (db.Index("ix_party_building_meetings_unit_kind_held", "unit_id", "kind",
                               "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(db.String(24))
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(db.String(TEXT_LENGTH), default="")
    chair: Mapped[str] = mapped_column(db.String(NAME_LENGTH), default="")
    recorder: Mapped[str] = mapped_column(db.String(NAME_LENGTH), default="")
    agenda: Mapped[str] = mapped_column(db.Text, default="")
    resolutions: Mapped[str] = mapped_column(db.Text, default="")
    expected: Mapped[int] = mapped_column(default=0)
    present: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(Unit)


class PartyAbsence(db.Model):
    """An expected member who was not at a meeting, and why."""

    __tablename__ = "party_building_absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(db.ForeignKey("party_building_meetings.id"),
                                            index=True)
    member_id: Mapped[int] = mapped_column(db.ForeignKey("party_building_members.id"))
    reason: Mapped[str] = mapped_column(db.String(TEXT_LENGTH), default="")

    member: Mapped[PartyMember] = relationship()


class PartyVote(db.Model):
    """A vote taken at a meeting, valid only under the quorum and majority rule."""

    __tablename__ = "party_building_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(db.ForeignKey("party_building_meetings.id"),
                                            index=True)
    subject: Mapped[str] = mapped_column(db.String(TEXT_LENGTH))
    entitled: Mapped[int]
    present: Mapped[int]
    in_favour: Mapped[int]
    against: Mapped[int] = mapped_column(default=0)
    abstaining: Mapped[int] = mapped_column(default=0)


# -- integrity (confidential) -------------------------------------------------------------------
class PartyIntegrityEntry(db.Model):
    """廉政档案: an entry of a cadre's integrity file, a risk self-check or an integrity talk."""

    __tablename__ = "party_building_integrity"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    member_id: Mapped[int] = mapped_column(db.ForeignKey("party_building_members.id"),
                                           index=True)
    kind: Mapped[str] = mapped_column(db.String(16))
    on: Mapped[date]
    content: Mapped[str] = mapped_column(db.Text)
    recorded_by: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))

    member: Mapped[PartyMember] = relationship()


# -- plan, pledges, pairing, community registration, annual report -----------------------------
class PartyPlanItem(db.Model):
    """An item of the annual work plan (篇四)."""

    __tablename__ = "party_building_plan_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    year: Mapped[int]
    part: Mapped[str] = mapped_column(db.String(16))
    title: Mapped[str] = mapped_column(db.String(TEXT_LENGTH))
    owner: Mapped[str] = mapped_column(db.String(NAME_LENGTH), default="")
    due_on: Mapped[date | None]
    progress: Mapped[int] = mapped_column(default=0)
    evidence: Mapped[str] = mapped_column(db.Text, default="")


class PartyPledge(db.Model):
    """践诺点评: a quarter's commitment of the branch (no member) or of a cadre, and its review."""

    __tablename__ = "party_building_pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    quarter: Mapped[str] = mapped_column(db.String(7))
    member_id: Mapped[int | None] = mapped_column(db.ForeignKey("party_building_members.id"))
    pledge: Mapped[str] = mapped_column(db.Text)
    published_on: Mapped[date | None]
    review: Mapped[str] = mapped_column(db.Text, default="")
    reviewed_on: Mapped[date | None]
    review_published_on: Mapped[date | None]

    member: Mapped[PartyMember | None] = relationship()


class PartyPairing(db.Model):
    """A member paired with one household in need (篇七 line 422)."""

    __tablename__ = "party_building_pairings"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    member_id: Mapped[int] = mapped_column(db.ForeignKey("party_building_members.id"),
                                           index=True)
    household: Mapped[str] = mapped_column(db.String(TEXT_LENGTH))
    started_on: Mapped[date]

    member: Mapped[PartyMember] = relationship()


class PartyVisit(db.Model):
    """A visit to a paired household."""

    __tablename__ = "party_building_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    pairing_id: Mapped[int] = mapped_column(db.ForeignKey("party_building_pairings.id"),
                                            index=True)
    on: Mapped[date]
    note: Mapped[str] = mapped_column(db.Text, default="")


class PartyRegistration(db.Model):
    """双报到: a member registered with the community where they live."""

    __tablename__ = "party_building_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    #: Named by hand: the conventional name is one character over PostgreSQL's 63.
    member_id: Mapped[int] = mapped_column(
        db.ForeignKey("party_building_members.id", name="fk_party_building_registrations_member"),
        index=True)
    community: Mapped[str] = mapped_column(db.String(TEXT_LENGTH))
    registered_on: Mapped[date]

    member: Mapped[PartyMember] = relationship()


class PartyAnnualReport(db.Model):
    """The secretary's annual report (述职报告), drafted from the records, then edited."""

    __tablename__ = "party_building_annual_reports"
    __table_args__ = (db.UniqueConstraint("unit_id", "year",
                                          name="uq_party_building_annual_reports_unit_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    year: Mapped[int]
    body: Mapped[str] = mapped_column(db.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
