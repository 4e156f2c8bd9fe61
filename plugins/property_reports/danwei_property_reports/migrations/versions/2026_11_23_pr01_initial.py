"""property_reports: specs, routine catalogues, monthly plans, summaries, metric values

Revision ID: pr01
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "pr01"
down_revision = None
branch_labels = None
depends_on = None

P = "property_reports_"


def _fk(table, column, target):
    # Keys between the plugin's own tables leave the target out of their name: it would pass
    # PostgreSQL's 63 characters.
    name = f"fk_{table}_{column}" if target.startswith(P) else f"fk_{table}_{column}_{target}"
    return sa.ForeignKey(f"{target}.id", name=name)


def _ref(table, column, target, nullable=False):
    return sa.Column(column, sa.Integer, _fk(table, column, target), nullable=nullable)


def _table(name, *columns, unique=None):
    constraints = [sa.PrimaryKeyConstraint("id", name=f"pk_{name}")]
    if unique:
        constraints.append(
            sa.UniqueConstraint(*unique, name=f"uq_{name}_{'_'.join(unique)}")
        )
    op.create_table(name, sa.Column("id", sa.Integer), *columns, *constraints)


def _index(table, *columns):
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade():
    t = P + "specs"
    _table(
        t,
        _ref(t, "unit_id", "units"),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("current_number", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        unique=("unit_id", "code"),
    )
    _index(t, "unit_id")

    t = P + "catalogues"
    _table(
        t,
        _ref(t, "unit_id", "units"),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("change_note", sa.Text, nullable=False),
        sa.Column("effective_from", sa.Date),
        _ref(t, "author_id", "users"),
        sa.Column("submitted_at", sa.DateTime),
        _ref(t, "decided_by_id", "users", nullable=True),
        sa.Column("decided_at", sa.DateTime),
        sa.Column("decision_note", sa.Text, nullable=False),
        sa.Column("workflow_id", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
        unique=("unit_id", "number"),
    )
    _index(t, "unit_id", "status", "workflow_id")

    t = P + "routine_items"
    _table(
        t,
        _ref(t, "catalogue_id", P + "catalogues"),
        sa.Column("item_key", sa.String(32), nullable=False),
        sa.Column("cadence", sa.String(16), nullable=False),
        sa.Column("cadence_order", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("standard", sa.Text, nullable=False),
        sa.Column("responsible", sa.String(200), nullable=False),
        _ref(t, "spec_id", P + "specs", nullable=True),
    )
    _index(t, "catalogue_id")

    t = P + "plans"
    _table(
        t,
        _ref(t, "unit_id", "units"),
        sa.Column("period", sa.Integer, nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        _ref(t, "author_id", "users"),
        _ref(t, "approver_id", "users", nullable=True),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("first_submitted_at", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
        unique=("unit_id", "period"),
    )
    _index(t, "unit_id", "period", "author_id")

    t = P + "plan_versions"
    _table(
        t,
        _ref(t, "plan_id", P + "plans"),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        _ref(t, "prepared_by_id", "users"),
        sa.Column("prepared_on", sa.Date, nullable=False),
        sa.Column("submitted_at", sa.DateTime),
        _ref(t, "approved_by_id", "users", nullable=True),
        sa.Column("approved_on", sa.Date),
        sa.Column("review_record", sa.Text, nullable=False),
        sa.Column("revision_reason", sa.Text, nullable=False),
        _ref(t, "substitute_id", "users", nullable=True),
        sa.Column("substitute_reason", sa.Text, nullable=False),
        sa.Column("workflow_id", sa.Integer),
        sa.Column("created_at", sa.DateTime, nullable=False),
        unique=("plan_id", "number"),
    )
    _index(t, "plan_id", "status", "workflow_id")

    t = P + "plan_items"
    _table(
        t,
        _ref(t, "version_id", P + "plan_versions"),
        sa.Column("item_key", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("standard", sa.Text, nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("schedule", sa.String(200), nullable=False),
        sa.Column("people", sa.String(200), nullable=False),
        sa.Column("staff", sa.String(200), nullable=False),
        sa.Column("machines", sa.String(200), nullable=False),
        sa.Column("materials", sa.String(200), nullable=False),
        _ref(t, "spec_id", P + "specs", nullable=True),
        sa.Column("spec_number", sa.Integer),
        sa.Column("spec_note", sa.Text, nullable=False),
        sa.Column("records", sa.Text, nullable=False),
        sa.Column("inspection_method", sa.Text, nullable=False),
        sa.Column("inspector", sa.String(100), nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("outputs", sa.Text, nullable=False),
    )
    _index(t, "version_id")

    t = P + "summaries"
    _table(
        t,
        _ref(t, "unit_id", "units"),
        sa.Column("period", sa.Integer, nullable=False),
        _ref(t, "plan_version_id", P + "plan_versions", nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("routine_work", sa.Text, nullable=False),
        sa.Column("duties", sa.Text, nullable=False),
        _ref(t, "author_id", "users"),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("submitted_at", sa.DateTime),
        _ref(t, "submitted_by_id", "users", nullable=True),
        sa.Column("completeness", sa.Numeric(5, 4)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        unique=("unit_id", "period"),
    )
    _index(t, "unit_id", "period", "status", "author_id")

    t = P + "summary_items"
    _table(
        t,
        _ref(t, "summary_id", P + "summaries"),
        _ref(t, "plan_item_id", P + "plan_items", nullable=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(16)),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("unclear_spec", sa.Boolean, nullable=False),
    )
    _index(t, "summary_id")

    t = P + "spec_revisions"
    _table(
        t,
        _ref(t, "spec_id", P + "specs"),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("work_standard", sa.Text, nullable=False),
        sa.Column("delivery", sa.Text, nullable=False),
        sa.Column("inspection", sa.Text, nullable=False),
        sa.Column("trigger", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _ref(t, "source_item_id", P + "summary_items", nullable=True),
        _ref(t, "author_id", "users"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        unique=("spec_id", "number"),
    )
    _index(t, "spec_id", "source_item_id")

    t = P + "metric_values"
    _table(
        t,
        _ref(t, "summary_id", P + "summaries"),
        _ref(t, "unit_id", "units"),
        sa.Column("period", sa.Integer, nullable=False),
        sa.Column("department", sa.String(32), nullable=False),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("category", sa.String(100), nullable=False),
        sa.Column("number", sa.Numeric(16, 2)),
        sa.Column("text", sa.Text),
        unique=("summary_id", "metric", "category"),
    )
    _index(t, "summary_id", "unit_id", "period", "department")

    t = P + "notices"
    _table(
        t,
        _ref(t, "unit_id", "units"),
        sa.Column("subject", sa.String(16), nullable=False),
        sa.Column("period", sa.Integer, nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("sent_at", sa.DateTime, nullable=False),
        unique=("unit_id", "subject", "period", "stage"),
    )
    _index(t, "unit_id")


def downgrade():
    for name in ("notices", "metric_values", "spec_revisions", "summary_items", "summaries",
                 "plan_items", "plan_versions", "plans", "routine_items", "catalogues",
                 "specs"):
        op.drop_table(P + name)
