"""core: units, users, roles, plugin states, settings, audit log

Revision ID: c0a1
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "c0a1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("units.id", name="fk_units_parent_id_units")),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("depth", sa.Integer, nullable=False),
        sa.Column("sort_order", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_units"),
        sa.UniqueConstraint("code", name="uq_units_code"),
    )
    op.create_index("ix_units_parent_id", "units", ["parent_id"])
    op.create_index("ix_units_path", "units", ["path"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(200)),
        sa.Column("phone", sa.String(32)),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", name="fk_users_unit_id_units")),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("is_superuser", sa.Boolean, nullable=False),
        sa.Column("locale", sa.String(16)),
        sa.Column("must_change_password", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime),
        sa.Column("last_login_at", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_index("ix_users_unit_id", "users", ["unit_id"])
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("plugin", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("customised", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_roles"),
        sa.UniqueConstraint("name", name="uq_roles_name"),
    )
    op.create_index("ix_roles_plugin", "roles", ["plugin"])
    op.create_table(
        "role_permissions",
        sa.Column("role_id", sa.Integer, sa.ForeignKey("roles.id", name="fk_role_permissions_role_id_roles")),
        sa.Column("permission", sa.String(128)),
        sa.PrimaryKeyConstraint("role_id", "permission", name="pk_role_permissions"),
    )
    op.create_table(
        "role_assignments",
        sa.Column("id", sa.Integer),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", name="fk_role_assignments_user_id_users"), nullable=False),
        sa.Column("role_id", sa.Integer, sa.ForeignKey("roles.id", name="fk_role_assignments_role_id_roles"), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", name="fk_role_assignments_unit_id_units"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_role_assignments"),
        sa.UniqueConstraint("user_id", "role_id", "unit_id", name="uq_role_assignments_user_id_role_id_unit_id"),
    )
    for column in ("user_id", "role_id", "unit_id"):
        op.create_index(f"ix_role_assignments_{column}", "role_assignments", [column])
    op.create_table(
        "plugin_states",
        sa.Column("id", sa.Integer),
        sa.Column("plugin", sa.String(64), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", name="fk_plugin_states_unit_id_units"), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plugin_states"),
        sa.UniqueConstraint("plugin", "unit_id", name="uq_plugin_states_plugin_unit_id"),
    )
    op.create_index("ix_plugin_states_plugin", "plugin_states", ["plugin"])
    op.create_index("ix_plugin_states_unit_id", "plugin_states", ["unit_id"])
    op.create_table(
        "setting_values",
        sa.Column("id", sa.Integer),
        sa.Column("plugin", sa.String(64), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", name="fk_setting_values_unit_id_units")),
        sa.Column("value_json", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_setting_values"),
        sa.UniqueConstraint("plugin", "key", "unit_id", name="uq_setting_values_plugin_key_unit_id"),
    )
    op.create_index("ix_setting_values_unit_id", "setting_values", ["unit_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor_id", sa.Integer, sa.ForeignKey("users.id", name="fk_audit_events_actor_id_users")),
        sa.Column("action", sa.String(128), nullable=False),
        sa.Column("plugin", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(64)),
        sa.Column("subject_id", sa.String(64)),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", name="fk_audit_events_unit_id_units")),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("data_json", sa.Text, nullable=False),
        sa.Column("ip", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    for column in ("at", "actor_id", "action", "plugin", "unit_id"):
        op.create_index(f"ix_audit_events_{column}", "audit_events", [column])


def downgrade():
    for table in ("audit_events", "setting_values", "plugin_states", "role_assignments",
                  "role_permissions", "roles", "users", "units"):
        op.drop_table(table)
