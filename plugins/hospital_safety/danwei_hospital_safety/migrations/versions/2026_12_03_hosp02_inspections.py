"""hospital safety: inspections

Revision ID: hosp02
Revises: hosp01
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = 'hosp02'
down_revision = 'hosp01'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('hospital_safety_checklists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hospital_safety_checklists_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_checklists'))
    )
    with op.batch_alter_table('hospital_safety_checklists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_safety_checklists_unit_id'), ['unit_id'], unique=False)

    op.create_table('hospital_safety_inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=True),
    sa.Column('led_by_leaders', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_hospital_safety_inspections_by_id_users')),
    sa.ForeignKeyConstraint(['checklist_id'], ['hospital_safety_checklists.id'], name='fk_hospital_safety_inspections_checklist'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hospital_safety_inspections_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_inspections'))
    )
    with op.batch_alter_table('hospital_safety_inspections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_safety_inspections_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('ix_hospital_safety_inspections_unit_kind', ['unit_id', 'kind', 'done_at'], unique=False)

    op.create_table('hospital_safety_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=2000), nullable=False),
    sa.Column('result', sa.String(length=8), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['hazard_id'], ['hospital_safety_hazards.id'], name=op.f('fk_hospital_safety_results_hazard_id_hospital_safety_hazards')),
    sa.ForeignKeyConstraint(['inspection_id'], ['hospital_safety_inspections.id'], name='fk_hospital_safety_results_inspection'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_results'))
    )
    with op.batch_alter_table('hospital_safety_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_safety_results_inspection_id'), ['inspection_id'], unique=False)




def downgrade():

    with op.batch_alter_table('hospital_safety_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hospital_safety_results_inspection_id'))

    op.drop_table('hospital_safety_results')
    with op.batch_alter_table('hospital_safety_inspections', schema=None) as batch_op:
        batch_op.drop_index('ix_hospital_safety_inspections_unit_kind')
        batch_op.drop_index(batch_op.f('ix_hospital_safety_inspections_unit_id'))

    op.drop_table('hospital_safety_inspections')
    with op.batch_alter_table('hospital_safety_checklists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hospital_safety_checklists_unit_id'))

    op.drop_table('hospital_safety_checklists')

