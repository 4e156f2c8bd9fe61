"""school_leave: contacts, leave, parent calls, class log, reconciliations

Revision ID: sl01
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "sl01"
down_revision = None
branch_labels = None
depends_on = None


def _fk(table, column, target):
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}")


def upgrade():
    t = "school_leave_contacts"
    op.create_table(
        t,
        sa.Column("id", sa.Integer),
        sa.Column("student_id", sa.Integer, _fk(t, "student_id", "users"), nullable=False),
        sa.Column("unit_id", sa.Integer, _fk(t, "unit_id", "units"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("relation", sa.String(50), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
    )
    for column in ("student_id", "unit_id"):
        op.create_index(f"ix_{t}_{column}", t, [column])

    t = "school_leave_leaves"
    op.create_table(
        t,
        sa.Column("id", sa.Integer),
        sa.Column("unit_id", sa.Integer, _fk(t, "unit_id", "units"), nullable=False),
        sa.Column("student_id", sa.Integer, _fk(t, "student_id", "users"), nullable=False),
        sa.Column("applicant_id", sa.Integer, _fk(t, "applicant_id", "users"), nullable=False),
        sa.Column("proxy_reason", sa.Text, nullable=False),
        sa.Column("extends_id", sa.Integer, _fk(t, "extends_id", t)),
        sa.Column("leave_type", sa.String(32), nullable=False),
        sa.Column("start_at", sa.DateTime, nullable=False),
        sa.Column("end_at", sa.DateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("leaving_campus", sa.Boolean, nullable=False),
        sa.Column("periods", sa.Integer, nullable=False),
        sa.Column("days", sa.Float, nullable=False),
        sa.Column("in_exam", sa.Boolean, nullable=False),
        sa.Column("touches_evening_study", sa.Boolean, nullable=False),
        sa.Column("chain_row", sa.String(32), nullable=False),
        sa.Column("chain_reasons", sa.Text, nullable=False),
        sa.Column("parent_call_required", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("workflow_id", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("decided_at", sa.DateTime),
        sa.Column("exited_at", sa.DateTime),
        sa.Column("exit_recorded_by_id", sa.Integer, _fk(t, "exit_recorded_by_id", "users")),
        sa.Column("returned_at", sa.DateTime),
        sa.Column("return_recorded_by_id", sa.Integer,
                  _fk(t, "return_recorded_by_id", "users")),
        sa.Column("overdue_at", sa.DateTime),
        sa.Column("truancy", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
    )
    for column in ("unit_id", "student_id", "extends_id", "start_at", "end_at", "status",
                   "workflow_id", "truancy"):
        op.create_index(f"ix_{t}_{column}", t, [column])

    t = "school_leave_parent_calls"
    op.create_table(
        t,
        sa.Column("id", sa.Integer),
        sa.Column("student_id", sa.Integer, _fk(t, "student_id", "users"), nullable=False),
        sa.Column("unit_id", sa.Integer, _fk(t, "unit_id", "units"), nullable=False),
        sa.Column("leave_id", sa.Integer, _fk(t, "leave_id", "school_leave_leaves")),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("called_at", sa.DateTime, nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("answered_by", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("recorded_by_id", sa.Integer, _fk(t, "recorded_by_id", "users"),
                  nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
    )
    for column in ("student_id", "unit_id", "leave_id"):
        op.create_index(f"ix_{t}_{column}", t, [column])

    t = "school_leave_log_entries"
    op.create_table(
        t,
        sa.Column("id", sa.Integer),
        sa.Column("unit_id", sa.Integer, _fk(t, "unit_id", "units"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("student_id", sa.Integer, _fk(t, "student_id", "users"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("period", sa.String(50), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("recorded_by_id", sa.Integer, _fk(t, "recorded_by_id", "users"),
                  nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("student_id", "day", "kind", name=f"uq_{t}_student_id_day_kind"),
    )
    for column in ("unit_id", "day", "student_id"):
        op.create_index(f"ix_{t}_{column}", t, [column])

    t = "school_leave_log_reports"
    op.create_table(
        t,
        sa.Column("id", sa.Integer),
        sa.Column("unit_id", sa.Integer, _fk(t, "unit_id", "units"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("reported_by_id", sa.Integer, _fk(t, "reported_by_id", "users"),
                  nullable=False),
        sa.Column("reported_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("unit_id", "day", name=f"uq_{t}_unit_id_day"),
    )
    op.create_index(f"ix_{t}_unit_id", t, ["unit_id"])

    t = "school_leave_reconciliations"
    op.create_table(
        t,
        sa.Column("id", sa.Integer),
        sa.Column("unit_id", sa.Integer, _fk(t, "unit_id", "units"), nullable=False),
        sa.Column("week_start", sa.Date, nullable=False),
        sa.Column("discrepancies", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("signed_by_id", sa.Integer, _fk(t, "signed_by_id", "users"), nullable=False),
        sa.Column("signed_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{t}"),
        sa.UniqueConstraint("unit_id", "week_start", name=f"uq_{t}_unit_id_week_start"),
    )
    op.create_index(f"ix_{t}_unit_id", t, ["unit_id"])


def downgrade():
    op.drop_index("ix_school_leave_reconciliations_unit_id", "school_leave_reconciliations")
    op.drop_table("school_leave_reconciliations")
    op.drop_index("ix_school_leave_log_reports_unit_id", "school_leave_log_reports")
    op.drop_table("school_leave_log_reports")
    for column in ("unit_id", "day", "student_id"):
        op.drop_index(f"ix_school_leave_log_entries_{column}", "school_leave_log_entries")
    op.drop_table("school_leave_log_entries")
    for column in ("student_id", "unit_id", "leave_id"):
        op.drop_index(f"ix_school_leave_parent_calls_{column}", "school_leave_parent_calls")
    op.drop_table("school_leave_parent_calls")
    for column in ("unit_id", "student_id", "extends_id", "start_at", "end_at", "status",
                   "workflow_id", "truancy"):
        op.drop_index(f"ix_school_leave_leaves_{column}", "school_leave_leaves")
    op.drop_table("school_leave_leaves")
    for column in ("student_id", "unit_id"):
        op.drop_index(f"ix_school_leave_contacts_{column}", "school_leave_contacts")
    op.drop_table("school_leave_contacts")
