"""core: workflow engine, inbox (issue 3)

Revision ID: c0b1
Revises: c0a1
Create Date: 2026-11-23
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "c0b1"
down_revision = "c0a1"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
