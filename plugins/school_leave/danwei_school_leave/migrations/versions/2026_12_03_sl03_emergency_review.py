"""school_leave: who filed a leave for a student, the emergency override, the review of
morning-exercise leave

Revision ID: sl03
Revises: sl02
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "sl03"
down_revision = "sl02"
branch_labels = None
depends_on = None

TABLE = "school_leave_leaves"


def upgrade():
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("filed_as", sa.String(32), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("emergency_reason", sa.Text, nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column(
            "emergency_by_id", sa.Integer,
            sa.ForeignKey("users.id", name=f"fk_{TABLE}_emergency_by_id_users")))
        batch.add_column(sa.Column("reviewed_at", sa.DateTime))
        batch.add_column(sa.Column(
            "reviewed_by_id", sa.Integer,
            sa.ForeignKey("users.id", name=f"fk_{TABLE}_reviewed_by_id_users")))


def downgrade():
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_constraint(f"fk_{TABLE}_reviewed_by_id_users", type_="foreignkey")
        batch.drop_column("reviewed_by_id")
        batch.drop_column("reviewed_at")
        batch.drop_constraint(f"fk_{TABLE}_emergency_by_id_users", type_="foreignkey")
        batch.drop_column("emergency_by_id")
        batch.drop_column("emergency_reason")
        batch.drop_column("filed_as")
