"""Core tables: units, users, roles held in units, plugin state, settings and the audit log.

Plugin tables live in the plugins and are prefixed with the plugin's name.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import ColumnElement, event
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Unit(db.Model):
    """A node of the organisation tree: school → grade → class, company → department, ...

    ``path`` is the materialised path of ids (``/1/4/9/``) so that a subtree is one indexed
    ``LIKE '/1/4/%'`` query on SQLite and PostgreSQL alike.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(db.ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(db.String(64), unique=True)
    name: Mapped[str] = mapped_column(db.String(200))
    kind: Mapped[str] = mapped_column(db.String(32), default="unit")
    path: Mapped[str] = mapped_column(db.String(512), index=True, default="")
    depth: Mapped[int] = mapped_column(default=0)
    sort_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(
        back_populates="parent", order_by="(Unit.sort_order, Unit.name)"
    )

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, inclusive."""
        return [int(p) for p in self.path.strip("/").split("/") if p]

    @hybrid_method
    def is_within(self, other: Unit) -> bool:
        """True when this unit is *other* or lies in its subtree.

        On the class it is the SQL condition, the one way to ask for a subtree:
        ``select(Unit.id).where(Unit.is_within(school))``. *other* may be an aliased ``Unit``
        too (a join "every unit under a holder's unit").
        """
        return self.path.startswith(other.path)

    @is_within.expression
    def is_within(cls, other: Unit) -> ColumnElement[bool]:
        return cls.path.like(other.path + "%")

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(db.String(64), unique=True)
    name: Mapped[str] = mapped_column(db.String(100))
    email: Mapped[str | None] = mapped_column(db.String(200))
    phone: Mapped[str | None] = mapped_column(db.String(32))
    password_hash: Mapped[str] = mapped_column(db.String(256))
    #: The unit the person belongs to (a student's class, a nurse's department).
    unit_id: Mapped[int | None] = mapped_column(db.ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: System administrators pass every permission check.
    is_superuser: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(db.String(16))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Raised to end every session of the user at once: a session (and a "remember me"
    #: cookie) names the epoch it was opened in, see :meth:`get_id`.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    unit: Mapped[Unit | None] = relationship()
    assignments: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What a session cookie stores: the id and the session epoch (``"42:3"``), so that a
        copy made before the epoch was raised no longer names a user."""
        return f"{self.id}:{self.session_epoch}"

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Role(db.Model):
    """A bundle of permissions, declared by core or a plugin; administrators may adjust it."""

    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``<plugin>.<role>``, e.g. ``school_leave.class_teacher``.
    name: Mapped[str] = mapped_column(db.String(128), unique=True)
    plugin: Mapped[str] = mapped_column(db.String(64), index=True)
    label: Mapped[str] = mapped_column(db.String(200))
    #: Set once an administrator edits the permissions; declarations then stop overwriting them.
    customised: Mapped[bool] = mapped_column(default=False)

    permissions: Mapped[list[RolePermission]] = relationship(
        cascade="all, delete-orphan", back_populates="role"
    )

    @property
    def permission_names(self) -> set[str]:
        return {p.permission for p in self.permissions}


class RolePermission(db.Model):
    __tablename__ = "role_permissions"

    role_id: Mapped[int] = mapped_column(db.ForeignKey("roles.id"), primary_key=True)
    permission: Mapped[str] = mapped_column(db.String(128), primary_key=True)

    role: Mapped[Role] = relationship(back_populates="permissions")


class RoleAssignment(db.Model):
    """A role held by a user in a unit; it applies to the unit's whole subtree."""

    __tablename__ = "role_assignments"
    __table_args__ = (db.UniqueConstraint("user_id", "role_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    role_id: Mapped[int] = mapped_column(db.ForeignKey("roles.id"), index=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="assignments")
    role: Mapped[Role] = relationship()
    unit: Mapped[Unit] = relationship()


class PluginState(db.Model):
    """Whether a plugin is enabled for a unit's subtree; the nearest record up the tree wins."""

    __tablename__ = "plugin_states"
    __table_args__ = (db.UniqueConstraint("plugin", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(db.String(64), index=True)
    unit_id: Mapped[int] = mapped_column(db.ForeignKey("units.id"), index=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()


class SettingValue(db.Model):
    """A stored setting; ``unit_id`` NULL is the global value. Defaults live in the declaration."""

    __tablename__ = "setting_values"
    __table_args__ = (db.UniqueConstraint("plugin", "key", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin: Mapped[str] = mapped_column(db.String(64))
    key: Mapped[str] = mapped_column(db.String(128))
    unit_id: Mapped[int | None] = mapped_column(db.ForeignKey("units.id"), index=True)
    value_json: Mapped[str] = mapped_column(db.Text)

    @property
    def value(self):
        return json.loads(self.value_json)


class AuditEvent(db.Model):
    """Append-only record of who did what; rows are never updated or deleted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"), index=True)
    #: ``<plugin>.<verb>``, e.g. ``core.login``, ``school_leave.approve``.
    action: Mapped[str] = mapped_column(db.String(128), index=True)
    plugin: Mapped[str] = mapped_column(db.String(64), index=True)
    subject_type: Mapped[str | None] = mapped_column(db.String(64))
    subject_id: Mapped[str | None] = mapped_column(db.String(64))
    unit_id: Mapped[int | None] = mapped_column(db.ForeignKey("units.id"), index=True)
    summary: Mapped[str] = mapped_column(db.String(500), default="")
    data_json: Mapped[str] = mapped_column(db.Text, default="{}")
    ip: Mapped[str | None] = mapped_column(db.String(64))

    actor: Mapped[User | None] = relationship()
    unit: Mapped[Unit | None] = relationship()

    @property
    def data(self) -> dict:
        return json.loads(self.data_json or "{}")


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session, flush_context, instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise PermissionError("audit events are append-only")
