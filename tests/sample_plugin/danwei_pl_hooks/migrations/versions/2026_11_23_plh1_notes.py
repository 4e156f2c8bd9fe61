"""pl_hooks: notes

Revision ID: plh1
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "plh1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pl_hooks_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, nullable=False),
        sa.Column("text", sa.String(200), nullable=False),
    )


def downgrade():
    op.drop_table("pl_hooks_notes")
