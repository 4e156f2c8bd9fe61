"""core: users.session_epoch, the server-side anchor of every session (issue 12)

A session and a "remember me" cookie carry the user's epoch; raising it (logout, password
change, deactivation, "log out everywhere") ends every copy of every cookie at once.

Revision ID: c0s1
Revises: c0c1
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "c0s1"
down_revision = "c0c1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_epoch", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_epoch")
