"""core: workflow engine, inbox (issue 3)

Revision ID: c0b1
Revises: c0a1
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "c0b1"
down_revision = "c0a1"
branch_labels = None
depends_on = None


def _fk(table, column, target):
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}")


def upgrade():
    op.create_table(
        "workflow_instances",
        sa.Column("id", sa.Integer),
        sa.Column("definition_id", sa.String(128), nullable=False),
        sa.Column("plugin", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("applicant_id", sa.Integer, _fk("workflow_instances", "applicant_id", "users"),
                  nullable=False),
        sa.Column("unit_id", sa.Integer, _fk("workflow_instances", "unit_id", "units"),
                  nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("route", sa.String(64), nullable=False),
        sa.Column("reasons_json", sa.Text, nullable=False),
        sa.Column("fields_json", sa.Text, nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("needs_attention", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_workflow_instances"),
    )
    for column in ("definition_id", "plugin", "applicant_id", "unit_id", "state",
                   "needs_attention", "updated_at"):
        op.create_index(f"ix_workflow_instances_{column}", "workflow_instances", [column])
    op.create_index("ix_workflow_instances_subject", "workflow_instances",
                    ["subject_type", "subject_id"])

    op.create_table(
        "workflow_steps",
        sa.Column("id", sa.Integer),
        sa.Column("instance_id", sa.Integer,
                  _fk("workflow_steps", "instance_id", "workflow_instances"), nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("route_key", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("slots", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_at", sa.DateTime),
        sa.Column("closed_at", sa.DateTime),
        sa.Column("due_at", sa.DateTime),
        sa.Column("remind_at", sa.DateTime),
        sa.Column("reminded_at", sa.DateTime),
        sa.Column("escalated_at", sa.DateTime),
        sa.Column("fallback_json", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workflow_steps"),
    )
    for column in ("instance_id", "state", "due_at", "remind_at"):
        op.create_index(f"ix_workflow_steps_{column}", "workflow_steps", [column])

    op.create_table(
        "workflow_assignments",
        sa.Column("id", sa.Integer),
        sa.Column("step_id", sa.Integer,
                  _fk("workflow_assignments", "step_id", "workflow_steps"), nullable=False),
        sa.Column("instance_id", sa.Integer,
                  _fk("workflow_assignments", "instance_id", "workflow_instances"),
                  nullable=False),
        sa.Column("user_id", sa.Integer, _fk("workflow_assignments", "user_id", "users"),
                  nullable=False),
        sa.Column("slot", sa.Integer, nullable=False),
        sa.Column("via", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("acted_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_workflow_assignments"),
    )
    for column in ("step_id", "instance_id", "user_id", "state"):
        op.create_index(f"ix_workflow_assignments_{column}", "workflow_assignments", [column])

    op.create_table(
        "workflow_actions",
        sa.Column("id", sa.Integer),
        sa.Column("instance_id", sa.Integer,
                  _fk("workflow_actions", "instance_id", "workflow_instances"), nullable=False),
        sa.Column("step_id", sa.Integer, _fk("workflow_actions", "step_id", "workflow_steps")),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("actor_id", sa.Integer, _fk("workflow_actions", "actor_id", "users")),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("data_json", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workflow_actions"),
    )
    for column in ("instance_id", "at"):
        op.create_index(f"ix_workflow_actions_{column}", "workflow_actions", [column])

    op.create_table(
        "workflow_ccs",
        sa.Column("id", sa.Integer),
        sa.Column("instance_id", sa.Integer,
                  _fk("workflow_ccs", "instance_id", "workflow_instances"), nullable=False),
        sa.Column("user_id", sa.Integer, _fk("workflow_ccs", "user_id", "users"), nullable=False),
        sa.Column("added_by_id", sa.Integer, _fk("workflow_ccs", "added_by_id", "users")),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workflow_ccs"),
        sa.UniqueConstraint("instance_id", "user_id", name="uq_workflow_ccs_instance_id_user_id"),
    )
    for column in ("instance_id", "user_id"):
        op.create_index(f"ix_workflow_ccs_{column}", "workflow_ccs", [column])


def downgrade():
    for table in ("workflow_ccs", "workflow_actions", "workflow_assignments", "workflow_steps",
                  "workflow_instances"):
        op.drop_table(table)
