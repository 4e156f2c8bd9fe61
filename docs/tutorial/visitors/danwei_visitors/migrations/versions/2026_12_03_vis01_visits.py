"""visitors: the visits table

Revision ID: vis01
Revises:
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "vis01"
down_revision = None
branch_labels = None
depends_on = None

#: Frozen here: the migration must not change when models.py does.
NAME_LENGTH = 100
PURPOSE_LENGTH = 20


def upgrade():
    op.create_table(
        "visitors_visits",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("unit_id", sa.Integer,
                  sa.ForeignKey("units.id", name="fk_visitors_visits_unit_id_units"),
                  nullable=False),
        sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("company", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("purpose", sa.String(PURPOSE_LENGTH), nullable=False),
        sa.Column("host", sa.String(NAME_LENGTH), nullable=False),
        sa.Column("expected_at", sa.DateTime, nullable=False),
        sa.Column("left_at", sa.DateTime, nullable=True),
        sa.Column("registered_by_id", sa.Integer,
                  sa.ForeignKey("users.id", name="fk_visitors_visits_registered_by_id_users"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_visitors_visits"),
    )
    op.create_index("ix_visitors_visits_unit_id", "visitors_visits", ["unit_id"])


def downgrade():
    op.drop_index("ix_visitors_visits_unit_id", table_name="visitors_visits")
    op.drop_table("visitors_visits")
