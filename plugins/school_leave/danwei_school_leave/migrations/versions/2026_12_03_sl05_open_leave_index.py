"""school_leave: a partial index on open approved leave, and one for deep list pages

Revision ID: sl05
Revises: sl04
Create Date: 2026-12-03

The principal's dashboard counts approved leave not yet back whose time covers now. With only
(unit_id, status, start_at) PostgreSQL combined two bitmaps for each of the school's 64 units
(3.7–6.7 ms on 500,000 leaves); this index holds only approved leave not yet back, by unit and
end, so "ends after now" reads just the leave still running (0.75 ms, issue 14).

"Approved, newest first, page 30" of a school walked the start_at index backward and read
15,244 rows to skip 725 (245 ms on 500,000 leaves, growing with the page); with
(status, start_at, unit_id) the status is an index condition and the walk reads 11,267 index
entries of approved leave only: 27.7 ms (EXPLAIN ANALYZE on the bench data, issue 14).
"""
import sqlalchemy as sa
from alembic import op

revision = "sl05"
down_revision = "sl04"
branch_labels = None
depends_on = None

TABLE = "school_leave_leaves"
OPEN = "status = 'approved' AND returned_at IS NULL"


def upgrade():
    op.create_index("ix_school_leave_leaves_open", TABLE, ["unit_id", "end_at"],
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.create_index("ix_school_leave_leaves_status_start_unit", TABLE,
                    ["status", "start_at", "unit_id"])


def downgrade():
    op.drop_index("ix_school_leave_leaves_status_start_unit", TABLE)
    op.drop_index("ix_school_leave_leaves_open", TABLE)
