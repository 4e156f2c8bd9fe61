"""core: notifications, jobs, deadlines, calendar, attachments (issue 3)

Revision ID: c0c1
Revises: c0b1
Create Date: 2026-11-23
"""
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "c0c1"
down_revision = "c0b1"
branch_labels = None
depends_on = None

#: The working-day calendar seeded here, frozen as it was when this migration was written.
#: 2026: State Council notice (国办发明电〔2025〕7号). 2027: provisional estimate from the
#: statutory days only (no make-up working days), to be corrected on the admin page.
HOLIDAYS = [
    # (first day, last day, kind, name, provisional)
    ("2026-01-01", "2026-01-03", "holiday", "元旦", False),
    ("2026-01-04", "2026-01-04", "workday", "元旦调休", False),
    ("2026-02-14", "2026-02-14", "workday", "春节调休", False),
    ("2026-02-15", "2026-02-23", "holiday", "春节", False),
    ("2026-02-28", "2026-02-28", "workday", "春节调休", False),
    ("2026-04-04", "2026-04-06", "holiday", "清明节", False),
    ("2026-05-01", "2026-05-05", "holiday", "劳动节", False),
    ("2026-05-09", "2026-05-09", "workday", "劳动节调休", False),
    ("2026-06-19", "2026-06-21", "holiday", "端午节", False),
    ("2026-09-20", "2026-09-20", "workday", "国庆节调休", False),
    ("2026-09-25", "2026-09-27", "holiday", "中秋节", False),
    ("2026-10-01", "2026-10-07", "holiday", "国庆节", False),
    ("2026-10-10", "2026-10-10", "workday", "国庆节调休", False),
    ("2027-01-01", "2027-01-03", "holiday", "元旦", True),
    ("2027-02-05", "2027-02-10", "holiday", "春节", True),
    ("2027-04-03", "2027-04-05", "holiday", "清明节", True),
    ("2027-05-01", "2027-05-04", "holiday", "劳动节", True),
    ("2027-06-09", "2027-06-09", "holiday", "端午节", True),
    ("2027-09-15", "2027-09-15", "holiday", "中秋节", True),
    ("2027-10-01", "2027-10-05", "holiday", "国庆节", True),
]


def upgrade():
    holidays = op.create_table(
        "holidays",
        sa.Column("id", sa.Integer),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("provisional", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_holidays"),
        sa.UniqueConstraint("day", name="uq_holidays_day"),
    )
    op.create_index("ix_holidays_day", "holidays", ["day"])

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer),
        sa.Column("user_id", sa.Integer,
                  sa.ForeignKey("users.id", name="fk_notifications_user_id_users"),
                  nullable=False),
        sa.Column("plugin", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("link", sa.String(500)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("read_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
    )
    op.create_index("ix_notifications_user_id", "notifications", ["user_id"])
    op.create_index("ix_notifications_created_at", "notifications", ["created_at"])
    op.create_index("ix_notifications_user_id_read_at", "notifications", ["user_id", "read_at"])

    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer),
        sa.Column("notification_id", sa.Integer,
                  sa.ForeignKey("notifications.id", ondelete="SET NULL",
                                name="fk_notification_deliveries_notification_id_notifications")),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("payload_json", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("claimed_until", sa.DateTime),
        sa.Column("last_error", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_notification_deliveries"),
    )
    for column in ("notification_id", "status", "next_attempt_at"):
        op.create_index(f"ix_notification_deliveries_{column}", "notification_deliveries",
                        [column])

    op.create_table(
        "notification_attempts",
        sa.Column("id", sa.Integer),
        sa.Column("delivery_id", sa.Integer,
                  sa.ForeignKey("notification_deliveries.id", ondelete="CASCADE",
                                name="fk_notification_attempts_delivery_id_notification_deliveries"),
                  nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notification_attempts"),
    )
    op.create_index("ix_notification_attempts_delivery_id", "notification_attempts",
                    ["delivery_id"])

    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer),
        sa.Column("job_id", sa.String(128), nullable=False),
        sa.Column("slot", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("runner", sa.String(128), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("error", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_job_runs"),
        sa.UniqueConstraint("job_id", "slot", name="uq_job_runs_job_id_slot"),
    )
    op.create_index("ix_job_runs_job_id", "job_runs", ["job_id"])
    op.create_index("ix_job_runs_started_at", "job_runs", ["started_at"])

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer),
        sa.Column("kind", sa.String(128), nullable=False),
        sa.Column("plugin", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("unit_id", sa.Integer,
                  sa.ForeignKey("units.id", name="fk_attachments_unit_id_units")),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("stored_name", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(128), nullable=False),
        sa.Column("extension", sa.String(16), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("has_thumbnail", sa.Boolean, nullable=False),
        sa.Column("uploaded_by_id", sa.Integer,
                  sa.ForeignKey("users.id", name="fk_attachments_uploaded_by_id_users")),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("deleted_at", sa.DateTime),
        sa.PrimaryKeyConstraint("id", name="pk_attachments"),
        sa.UniqueConstraint("stored_name", name="uq_attachments_stored_name"),
    )
    op.create_index("ix_attachments_plugin", "attachments", ["plugin"])
    op.create_index("ix_attachments_unit_id", "attachments", ["unit_id"])
    op.create_index("ix_attachments_subject", "attachments",
                    ["plugin", "subject_type", "subject_id"])

    now = datetime(2026, 11, 23)
    rows = []
    for first, last, kind, name, provisional in HOLIDAYS:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            rows.append({"day": day, "kind": kind, "name": name, "provisional": provisional,
                         "updated_at": now})
            day += timedelta(days=1)
    op.bulk_insert(holidays, rows)


def downgrade():
    op.drop_index("ix_attachments_subject", "attachments")
    for table in ("attachments", "job_runs", "notification_attempts",
                  "notification_deliveries", "notifications", "holidays"):
        op.drop_table(table)
