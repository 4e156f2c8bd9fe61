"""property_reports: specification revisions are submitted to the company and filed

Revision ID: pr03
Revises: pr02
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "pr03"
down_revision = "pr02"
branch_labels = None
depends_on = None

T = "property_reports_spec_revisions"


def upgrade():
    with op.batch_alter_table(T) as batch:
        batch.add_column(sa.Column("workflow_id", sa.Integer))
        batch.add_column(sa.Column(
            "filed_by_id", sa.Integer,
            sa.ForeignKey("users.id", name=f"fk_{T}_filed_by_id_users")))
        batch.add_column(sa.Column("filed_at", sa.DateTime))
        batch.create_index(f"ix_{T}_workflow_id", ["workflow_id"])


def downgrade():
    with op.batch_alter_table(T) as batch:
        batch.drop_index(f"ix_{T}_workflow_id")
        batch.drop_column("filed_at")
        batch.drop_constraint(f"fk_{T}_filed_by_id_users", type_="foreignkey")
        batch.drop_column("filed_by_id")
        batch.drop_column("workflow_id")
