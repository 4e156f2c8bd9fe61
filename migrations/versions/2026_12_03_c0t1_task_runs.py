"""core: background task runs (issue 19)

Revision ID: c0t1
Revises: c0s1
Create Date: 2026-12-03

Safe while the old version serves: a new table nobody else reads.
"""
import sqlalchemy as sa
from alembic import op

revision = "c0t1"
down_revision = "c0s1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "task_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("task_id", sa.String(128), nullable=False, index=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id")),
        sa.Column("params_json", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("worker", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("heartbeat_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("result_key", sa.String(200)),
        sa.Column("result_name", sa.String(200), nullable=False),
        sa.Column("result_size", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.DateTime),
    )


def downgrade():
    op.drop_table("task_runs")
