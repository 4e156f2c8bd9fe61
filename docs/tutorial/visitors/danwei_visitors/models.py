"""The visits a unit's gate registers: table ``visitors_visits``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Unit, User, db, utcnow

NAME_LENGTH = 100
PURPOSE_LENGTH = 20


class VisitorsVisit(db.Model):
    """One visitor expected by, or at, a unit."""

    __tablename__ = "visitors_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(db.String(NAME_LENGTH))
    company: Mapped[str] = mapped_column(db.String(NAME_LENGTH), default="")
    purpose: Mapped[str] = mapped_column(db.String(PURPOSE_LENGTH))
    host: Mapped[str] = mapped_column(db.String(NAME_LENGTH))
    #: Naive UTC, as everything Danwei stores (the form converts the local time typed).
    expected_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    registered_by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(Unit)
    registered_by: Mapped[User] = relationship(User)
