"""pension_audit: the items table

Revision ID: pens01
Revises:
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "pens01"
down_revision = None
branch_labels = None
depends_on = None

#: Frozen here: the migration must not change when models.py does.
TITLE_LENGTH = 200


def upgrade():
    op.create_table(
        "pension_audit_items",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("unit_id", sa.Integer,
                  sa.ForeignKey("units.id", name="fk_pension_audit_items_unit_id_units"),
                  nullable=False),
        sa.Column("title", sa.String(TITLE_LENGTH), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pension_audit_items"),
    )
    op.create_index("ix_pension_audit_items_unit_id", "pension_audit_items", ["unit_id"])


def downgrade():
    op.drop_index("ix_pension_audit_items_unit_id", table_name="pension_audit_items")
    op.drop_table("pension_audit_items")
