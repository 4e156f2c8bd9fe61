"""The plugin's table, prefixed ``pension_audit_`` like every table, constraint and index of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import Unit, db, utcnow

TITLE_LENGTH = 200


class PensionAuditItem(db.Model):
    """One item, kept by a unit; seen by whoever holds ``pension_audit.view`` above it."""

    __tablename__ = "pension_audit_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    title: Mapped[str] = mapped_column(db.String(TITLE_LENGTH))
    body: Mapped[str] = mapped_column(db.Text, default="")
    #: Naive UTC, as everything Danwei stores; shown with the ``datetimeformat`` filter.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(Unit)
