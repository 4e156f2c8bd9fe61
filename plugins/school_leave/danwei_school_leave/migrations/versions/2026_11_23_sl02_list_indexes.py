"""school_leave: indexes for the lists and the dashboard of a large school or county

Revision ID: sl02
Revises: sl01
Create Date: 2026-11-23

- (unit_id, status, start_at): "approved leave of these classes, newest first" and its count;
- leave out of school now, and overdue leave not yet back: small partial indexes, so that the
  dashboard counts them without reading a county's history.
"""
import sqlalchemy as sa
from alembic import op

revision = "sl02"
down_revision = "sl01"
branch_labels = None
depends_on = None

TABLE = "school_leave_leaves"
NOT_BACK = "returned_at IS NULL"


def upgrade():
    op.create_index("ix_school_leave_leaves_unit_status_start", TABLE,
                    ["unit_id", "status", "start_at"])
    op.create_index("ix_school_leave_leaves_out", TABLE, ["unit_id"],
                    postgresql_where=sa.text(f"exited_at IS NOT NULL AND {NOT_BACK}"),
                    sqlite_where=sa.text(f"exited_at IS NOT NULL AND {NOT_BACK}"))
    op.create_index("ix_school_leave_leaves_overdue", TABLE, ["unit_id"],
                    postgresql_where=sa.text(f"overdue_at IS NOT NULL AND {NOT_BACK}"),
                    sqlite_where=sa.text(f"overdue_at IS NOT NULL AND {NOT_BACK}"))


def downgrade():
    op.drop_index("ix_school_leave_leaves_overdue", TABLE)
    op.drop_index("ix_school_leave_leaves_out", TABLE)
    op.drop_index("ix_school_leave_leaves_unit_status_start", TABLE)
