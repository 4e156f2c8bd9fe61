"""school_leave: the student handbook's articles and the discipline decisions under them

Revision ID: sl04
Revises: sl03
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "sl04"
down_revision = "sl03"
branch_labels = None
depends_on = None

ARTICLES = "school_leave_handbook_articles"
RECORDS = "school_leave_discipline"


def _fk(table, column, target):
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}")


def upgrade():
    op.create_table(
        ARTICLES,
        sa.Column("id", sa.Integer),
        sa.Column("unit_id", sa.Integer, _fk(ARTICLES, "unit_id", "units"), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{ARTICLES}"),
        sa.UniqueConstraint("unit_id", "number", name=f"uq_{ARTICLES}_unit_id_number"),
    )
    op.create_index(f"ix_{ARTICLES}_unit_id", ARTICLES, ["unit_id"])
    op.create_table(
        RECORDS,
        sa.Column("id", sa.Integer),
        sa.Column("unit_id", sa.Integer, _fk(RECORDS, "unit_id", "units"), nullable=False),
        sa.Column("student_id", sa.Integer, _fk(RECORDS, "student_id", "users"),
                  nullable=False),
        sa.Column("article_id", sa.Integer,
                  sa.ForeignKey(f"{ARTICLES}.id", name=f"fk_{RECORDS}_article_id"),
                  nullable=False),
        sa.Column("offence", sa.Text, nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("recorded_by_id", sa.Integer, _fk(RECORDS, "recorded_by_id", "users"),
                  nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{RECORDS}"),
    )
    for column in ("unit_id", "student_id", "article_id", "decided_on"):
        op.create_index(f"ix_{RECORDS}_{column}", RECORDS, [column])


def downgrade():
    for column in ("decided_on", "article_id", "student_id", "unit_id"):
        op.drop_index(f"ix_{RECORDS}_{column}", table_name=RECORDS)
    op.drop_table(RECORDS)
    op.drop_index(f"ix_{ARTICLES}_unit_id", table_name=ARTICLES)
    op.drop_table(ARTICLES)
