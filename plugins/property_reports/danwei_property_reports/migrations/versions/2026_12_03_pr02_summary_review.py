"""property_reports: summaries are reviewed (request, reviewer, review record) and keep a
version per hand-in

Revision ID: pr02
Revises: pr01
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "pr02"
down_revision = "pr01"
branch_labels = None
depends_on = None

SUMMARIES = "property_reports_summaries"
VERSIONS = "property_reports_summary_versions"


def upgrade():
    with op.batch_alter_table(SUMMARIES) as batch:
        batch.add_column(sa.Column("workflow_id", sa.Integer))
        batch.add_column(sa.Column(
            "reviewed_by_id", sa.Integer,
            sa.ForeignKey("users.id", name=f"fk_{SUMMARIES}_reviewed_by_id_users")))
        batch.add_column(sa.Column("reviewed_at", sa.DateTime))
        batch.add_column(sa.Column("review_record", sa.Text, nullable=False,
                                   server_default=""))
        batch.create_index(f"ix_{SUMMARIES}_workflow_id", ["workflow_id"])
    op.create_table(
        VERSIONS,
        sa.Column("id", sa.Integer),
        sa.Column("summary_id", sa.Integer,
                  sa.ForeignKey(f"{SUMMARIES}.id", name=f"fk_{VERSIONS}_summary_id"),
                  nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("submitted_at", sa.DateTime, nullable=False),
        sa.Column("submitted_by_id", sa.Integer,
                  sa.ForeignKey("users.id", name=f"fk_{VERSIONS}_submitted_by_id_users"),
                  nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{VERSIONS}"),
        sa.UniqueConstraint("summary_id", "number", name=f"uq_{VERSIONS}_summary_id_number"),
    )
    op.create_index(f"ix_{VERSIONS}_summary_id", VERSIONS, ["summary_id"])


def downgrade():
    op.drop_index(f"ix_{VERSIONS}_summary_id", table_name=VERSIONS)
    op.drop_table(VERSIONS)
    with op.batch_alter_table(SUMMARIES) as batch:
        batch.drop_index(f"ix_{SUMMARIES}_workflow_id")
        batch.drop_column("review_record")
        batch.drop_column("reviewed_at")
        batch.drop_constraint(f"fk_{SUMMARIES}_reviewed_by_id_users", type_="foreignkey")
        batch.drop_column("reviewed_by_id")
        batch.drop_column("workflow_id")
