"""A plugin declares what belongs to a unit; core exports it, then deletes it and what points at
it (``register_unit_data``). The bundled school_leave plugin's own test purges a school with
its requests, notifications and attachments; this one shows the declaration alone."""

from __future__ import annotations

import json

from sqlalchemy import select

PLUGIN = '''
from core.api import UnitData, db, hookimpl


class PlUnitsNote(db.Model):
    __tablename__ = "pl_units_notes"
    __table_args__ = {"extend_existing": True}

    id = db.Column(db.Integer, primary_key=True)
    unit_id = db.Column(db.Integer, nullable=False)
    #: A note may answer another one, in any unit.
    answers_id = db.Column(db.Integer, db.ForeignKey("pl_units_notes.id"))
    text = db.Column(db.String(200), nullable=False)


@hookimpl
def register_unit_data():
    return [UnitData(PlUnitsNote, detach=(PlUnitsNote.answers_id,),
                     url=lambda note_id: f"/pl_units/notes/{note_id}")]
'''

MIGRATION = '''
"""pl_units: notes

Revision ID: plu1
Revises:
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "plu1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pl_units_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, nullable=False),
        sa.Column("answers_id", sa.Integer, sa.ForeignKey("pl_units_notes.id")),
        sa.Column("text", sa.String(200), nullable=False),
    )


def downgrade():
    op.drop_table("pl_units_notes")
'''


def test_hook_register_unit_data(make_plugin, make_app, tmp_path):
    make_plugin("pl_units", PLUGIN, migrations={"2026_12_03_plu1_notes.py": MIGRATION})
    app = make_app()
    from danwei_pl_units import PlUnitsNote

    from core.api import AuditEvent, audit, create_unit, create_user, db, notify
    from core.cli import main
    from core.notifications import Notification
    from core.plugins.enablement import set_plugin_state

    with app.app_context():
        school = create_unit("s", "School", "school")
        a = create_unit("a", "Class A", "class", school)
        b = create_unit("b", "Class B", "class", school)
        set_plugin_state("pl_units", school, True)
        question = PlUnitsNote(unit_id=a.id, text="Zhang San has the flu")
        db.session.add(question)
        db.session.flush()
        answer = PlUnitsNote(unit_id=b.id, text="Get well", answers_id=question.id)
        db.session.add(answer)
        audit("pl_units.noted", subject=question, unit=a, summary="Zhang San has the flu")
        teacher = create_user("teacher", "Teacher", "secret-password-1", a)
        notify(teacher, "Zhang San has the flu", link=f"/pl_units/notes/{question.id}",
               plugin="pl_units")
        db.session.commit()
        question_id, answer_id = question.id, answer.id

        result = app.test_cli_runner().invoke(
            main, ["plugins", "purge", "pl_units", "--unit", "a", "--to", str(tmp_path), "--yes"])
        assert result.exit_code == 0, result.output
        db.session.expire_all()

        [export] = tmp_path.glob("pl_units-a-*.json")
        exported = json.loads(export.read_text(encoding="utf-8"))
        assert [row["text"] for row in exported["pl_units_notes"]] == ["Zhang San has the flu"]
        assert [n["subject"] for n in exported["notifications"]] == ["Zhang San has the flu"]
        assert [e["summary"] for e in exported["audit_events"]] == ["Zhang San has the flu"]

        assert db.session.get(PlUnitsNote, question_id) is None
        kept = db.session.get(PlUnitsNote, answer_id)
        assert kept.text == "Get well" and kept.answers_id is None  # detached, not deleted
        assert db.session.scalar(select(Notification)) is None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "pl_units.noted"))
        assert event.summary == "(purged with the pl_units data of a)" and event.data == {}
        purged = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "core.plugin_purged"))
        assert purged.data == {"export": export.name, "rows": 1, "requests": 0,
                               "attachments": 0, "notifications": 1,
                               "audit_events_blanked": 1}
