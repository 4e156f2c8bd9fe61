"""hospital safety: penalties

Revision ID: hosp03
Revises: hosp02
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = 'hosp03'
down_revision = 'hosp02'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('hospital_safety_penalties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('person', sa.String(length=64), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=2000), nullable=False),
    sa.Column('veto', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_hospital_safety_penalties_decided_by_id_users')),
    sa.ForeignKeyConstraint(['hazard_id'], ['hospital_safety_hazards.id'], name=op.f('fk_hospital_safety_penalties_hazard_id_hospital_safety_hazards')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_hospital_safety_penalties_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hospital_safety_penalties_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_penalties'))
    )
    with op.batch_alter_table('hospital_safety_penalties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_safety_penalties_unit_id'), ['unit_id'], unique=False)




def downgrade():

    with op.batch_alter_table('hospital_safety_penalties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hospital_safety_penalties_unit_id'))

    op.drop_table('hospital_safety_penalties')

