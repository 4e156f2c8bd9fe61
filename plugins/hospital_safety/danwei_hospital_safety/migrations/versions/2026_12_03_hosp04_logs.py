"""hospital safety: logs

Revision ID: hosp04
Revises: hosp03
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = 'hosp04'
down_revision = 'hosp03'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('hospital_safety_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('person', sa.String(length=64), nullable=False),
    sa.Column('second', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_hospital_safety_logs_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hospital_safety_logs_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hospital_safety_logs'))
    )
    with op.batch_alter_table('hospital_safety_logs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_safety_logs_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('ix_hospital_safety_logs_unit_kind_day', ['unit_id', 'kind', 'day'], unique=False)




def downgrade():

    with op.batch_alter_table('hospital_safety_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_hospital_safety_logs_unit_kind_day')
        batch_op.drop_index(batch_op.f('ix_hospital_safety_logs_unit_id'))

    op.drop_table('hospital_safety_logs')

