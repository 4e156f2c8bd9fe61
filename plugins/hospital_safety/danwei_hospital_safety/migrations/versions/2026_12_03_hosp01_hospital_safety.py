"""hospital safety: hazards, disease reports, controlled drugs, patrol points, certificates

Revision ID: hosp01
Revises:
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = 'hosp01'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hospital_safety_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hospital_safety_certificates_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_certificates'))
    )
    with op.batch_alter_table('hospital_safety_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_safety_certificates_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_hospital_safety_certificates_unit_id'), ['unit_id'], unique=False)

    op.create_table('hospital_safety_drugs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('form', sa.String(length=16), nullable=False),
    sa.Column('strength', sa.String(length=64), nullable=False),
    sa.Column('unit_label', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hospital_safety_drugs_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_drugs'))
    )
    with op.batch_alter_table('hospital_safety_drugs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_safety_drugs_unit_id'), ['unit_id'], unique=False)

    op.create_table('hospital_safety_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('building', sa.String(length=64), nullable=False),
    sa.Column('floor', sa.String(length=16), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('high_risk', sa.Boolean(), nullable=False),
    sa.Column('manufactured_on', sa.Date(), nullable=True),
    sa.Column('last_scan_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hospital_safety_points_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_points'))
    )
    with op.batch_alter_table('hospital_safety_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_safety_points_unit_id'), ['unit_id'], unique=False)

    op.create_table('hospital_safety_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('patient', sa.String(length=64), nullable=False),
    sa.Column('disease', sa.String(length=200), nullable=False),
    sa.Column('disease_class', sa.String(length=16), nullable=False),
    sa.Column('rural', sa.Boolean(), nullable=False),
    sa.Column('diagnosed_at', sa.DateTime(), nullable=False),
    sa.Column('limit_minutes', sa.Integer(), nullable=False),
    sa.Column('legal_minutes', sa.Integer(), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=True),
    sa.Column('report_no', sa.String(length=64), nullable=True),
    sa.Column('warned', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_hospital_safety_cases_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hospital_safety_cases_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_cases'))
    )
    with op.batch_alter_table('hospital_safety_cases', schema=None) as batch_op:
        batch_op.create_index('ix_hospital_safety_cases_unit_diag', ['unit_id', 'diagnosed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hospital_safety_cases_unit_id'), ['unit_id'], unique=False)

    op.create_table('hospital_safety_drug_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('differences', sa.Text(), nullable=False),
    sa.Column('counted_by_id', sa.Integer(), nullable=True),
    sa.Column('counted_at', sa.DateTime(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['counted_by_id'], ['users.id'], name=op.f('fk_hospital_safety_drug_counts_counted_by_id_users')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_hospital_safety_drug_counts_signed_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hospital_safety_drug_counts_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_drug_counts'))
    )
    with op.batch_alter_table('hospital_safety_drug_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_safety_drug_counts_unit_id'), ['unit_id'], unique=False)

    op.create_table('hospital_safety_drug_lots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('drug_id', sa.Integer(), nullable=False),
    sa.Column('lot', sa.String(length=64), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('balance', sa.Integer(), nullable=False),
    sa.Column('empties', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['drug_id'], ['hospital_safety_drugs.id'], name=op.f('fk_hospital_safety_drug_lots_drug_id_hospital_safety_drugs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_drug_lots')),
    sa.UniqueConstraint('drug_id', 'lot', name='uq_hospital_safety_lot')
    )
    with op.batch_alter_table('hospital_safety_drug_lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_safety_drug_lots_drug_id'), ['drug_id'], unique=False)

    op.create_table('hospital_safety_hazards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('grade', sa.String(length=16), nullable=True),
    sa.Column('colour', sa.String(length=16), nullable=True),
    sa.Column('notice_no', sa.String(length=32), nullable=True),
    sa.Column('requirement', sa.Text(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=True),
    sa.Column('deadline_days', sa.Integer(), nullable=True),
    sa.Column('deadline_at', sa.DateTime(), nullable=True),
    sa.Column('safeguards', sa.Text(), nullable=False),
    sa.Column('safeguards_at', sa.DateTime(), nullable=True),
    sa.Column('fix_note', sa.Text(), nullable=False),
    sa.Column('fixed_by_id', sa.Integer(), nullable=True),
    sa.Column('fixed_at', sa.DateTime(), nullable=True),
    sa.Column('check_note', sa.Text(), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('escalation', sa.Integer(), nullable=False),
    sa.Column('times_sent_back', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_hospital_safety_hazards_checked_by_id_users')),
    sa.ForeignKeyConstraint(['fixed_by_id'], ['users.id'], name=op.f('fk_hospital_safety_hazards_fixed_by_id_users')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_hospital_safety_hazards_issued_by_id_users')),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_hospital_safety_hazards_reporter_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hospital_safety_hazards_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_hazards'))
    )
    with op.batch_alter_table('hospital_safety_hazards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_safety_hazards_deadline_at'), ['deadline_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hospital_safety_hazards_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('ix_hospital_safety_hazards_unit_state', ['unit_id', 'state', 'reported_at'], unique=False)

    op.create_table('hospital_safety_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['point_id'], ['hospital_safety_points.id'], name=op.f('fk_hospital_safety_scans_point_id_hospital_safety_points')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hospital_safety_scans_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_scans'))
    )
    with op.batch_alter_table('hospital_safety_scans', schema=None) as batch_op:
        batch_op.create_index('ix_hospital_safety_scans_point_at', ['point_id', 'at'], unique=False)

    op.create_table('hospital_safety_drug_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('balance_after', sa.Integer(), nullable=False),
    sa.Column('prescription_no', sa.String(length=64), nullable=True),
    sa.Column('patient', sa.String(length=64), nullable=True),
    sa.Column('days', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('doses', sa.Integer(), nullable=True),
    sa.Column('keep_until', sa.Date(), nullable=True),
    sa.Column('witnesses', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_hospital_safety_drug_entries_by_id_users')),
    sa.ForeignKeyConstraint(['lot_id'], ['hospital_safety_drug_lots.id'], name='fk_hospital_safety_entries_lot'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_drug_entries'))
    )
    with op.batch_alter_table('hospital_safety_drug_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_safety_drug_entries_lot_id'), ['lot_id'], unique=False)



def downgrade():
    with op.batch_alter_table('hospital_safety_drug_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hospital_safety_drug_entries_lot_id'))

    op.drop_table('hospital_safety_drug_entries')
    with op.batch_alter_table('hospital_safety_scans', schema=None) as batch_op:
        batch_op.drop_index('ix_hospital_safety_scans_point_at')

    op.drop_table('hospital_safety_scans')
    with op.batch_alter_table('hospital_safety_hazards', schema=None) as batch_op:
        batch_op.drop_index('ix_hospital_safety_hazards_unit_state')
        batch_op.drop_index(batch_op.f('ix_hospital_safety_hazards_unit_id'))
        batch_op.drop_index(batch_op.f('ix_hospital_safety_hazards_deadline_at'))

    op.drop_table('hospital_safety_hazards')
    with op.batch_alter_table('hospital_safety_drug_lots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hospital_safety_drug_lots_drug_id'))

    op.drop_table('hospital_safety_drug_lots')
    with op.batch_alter_table('hospital_safety_drug_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hospital_safety_drug_counts_unit_id'))

    op.drop_table('hospital_safety_drug_counts')
    with op.batch_alter_table('hospital_safety_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hospital_safety_cases_unit_id'))
        batch_op.drop_index('ix_hospital_safety_cases_unit_diag')

    op.drop_table('hospital_safety_cases')
    with op.batch_alter_table('hospital_safety_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hospital_safety_points_unit_id'))

    op.drop_table('hospital_safety_points')
    with op.batch_alter_table('hospital_safety_drugs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hospital_safety_drugs_unit_id'))

    op.drop_table('hospital_safety_drugs')
    with op.batch_alter_table('hospital_safety_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hospital_safety_certificates_unit_id'))
        batch_op.drop_index(batch_op.f('ix_hospital_safety_certificates_expires_on'))

    op.drop_table('hospital_safety_certificates')
