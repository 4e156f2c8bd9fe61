"""pension_audit: engagements, checklist, imported data, findings, rectification, samples

Revision ID: pens01
Revises:
Create Date: 2026-12-03 13:28:18.552771
"""
from alembic import op
import sqlalchemy as sa


revision = 'pens01'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pension_audit_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('mapping_json', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_pension_audit_mappings_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_mappings')),
    sa.UniqueConstraint('unit_id', 'kind', 'source', name=op.f('uq_pension_audit_mappings_unit_id_kind_source'))
    )
    with op.batch_alter_table('pension_audit_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_audit_mappings_unit_id'), ['unit_id'], unique=False)

    op.create_table('pension_audit_engagements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('preparer_id', sa.Integer(), nullable=False),
    sa.Column('verifier_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pension_audit_engagements_created_by_id_users')),
    sa.ForeignKeyConstraint(['preparer_id'], ['users.id'], name=op.f('fk_pension_audit_engagements_preparer_id_users')),
    sa.ForeignKeyConstraint(['previous_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_engagements_previous_id_pension_audit_3820e4bd')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_pension_audit_engagements_unit_id_units')),
    sa.ForeignKeyConstraint(['verifier_id'], ['users.id'], name=op.f('fk_pension_audit_engagements_verifier_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_engagements'))
    )
    with op.batch_alter_table('pension_audit_engagements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_audit_engagements_unit_id'), ['unit_id'], unique=False)

    op.create_table('pension_audit_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_pension_audit_answers_answered_by_id_users')),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_answers_engagement_id_pension_audit_e_6676209a')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_answers')),
    sa.UniqueConstraint('engagement_id', 'item', name=op.f('uq_pension_audit_answers_engagement_id_item'))
    )
    with op.batch_alter_table('pension_audit_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_audit_answers_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('pension_audit_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('root_cause', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_groups_engagement_id_pension_audit_engagements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_groups'))
    )
    with op.batch_alter_table('pension_audit_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_audit_groups_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('pension_audit_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.Integer(), nullable=False),
    sa.Column('population', sa.String(length=16), nullable=False),
    sa.Column('population_size', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pension_audit_samples_created_by_id_users')),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_samples_engagement_id_pension_audit_e_da7c97da')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_samples'))
    )
    with op.batch_alter_table('pension_audit_samples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_audit_samples_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('pension_audit_team',
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_team_engagement_id_pension_audit_engagements')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pension_audit_team_user_id_users')),
    sa.PrimaryKeyConstraint('engagement_id', 'user_id', name=op.f('pk_pension_audit_team'))
    )
    op.create_table('pension_audit_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_uploads_engagement_id_pension_audit_e_289577b8')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_uploads'))
    )
    with op.batch_alter_table('pension_audit_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_audit_uploads_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('pension_audit_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('expected', sa.BigInteger(), nullable=True),
    sa.Column('found', sa.BigInteger(), nullable=True),
    sa.Column('measure', sa.String(length=8), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('automatic', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('responsible_id', sa.Integer(), nullable=True),
    sa.Column('deadline_at', sa.DateTime(), nullable=True),
    sa.Column('escalated_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('previous_finding_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_findings_engagement_id_pension_audit__87a4f0a5')),
    sa.ForeignKeyConstraint(['group_id'], ['pension_audit_groups.id'], name=op.f('fk_pension_audit_findings_group_id_pension_audit_groups')),
    sa.ForeignKeyConstraint(['previous_finding_id'], ['pension_audit_findings.id'], name=op.f('fk_pension_audit_findings_previous_finding_id_pension__86e86774')),
    sa.ForeignKeyConstraint(['responsible_id'], ['users.id'], name=op.f('fk_pension_audit_findings_responsible_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_pension_audit_findings_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_findings'))
    )
    with op.batch_alter_table('pension_audit_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_audit_findings_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index('ix_pension_audit_findings_list', ['engagement_id', 'state', 'item', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_findings_unit_id'), ['unit_id'], unique=False)

    op.create_table('pension_audit_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('upload_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('mapping_json', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('skip_bad', sa.Boolean(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_imported', sa.Integer(), nullable=False),
    sa.Column('rows_bad', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('problems_json', sa.Text(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('task_run_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pension_audit_imports_created_by_id_users')),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_imports_engagement_id_pension_audit_e_abc258d7')),
    sa.ForeignKeyConstraint(['upload_id'], ['pension_audit_uploads.id'], name=op.f('fk_pension_audit_imports_upload_id_pension_audit_uploads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_imports'))
    )
    with op.batch_alter_table('pension_audit_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_audit_imports_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('pension_audit_sample_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sample_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_pension_audit_sample_records_checked_by_id_users')),
    sa.ForeignKeyConstraint(['sample_id'], ['pension_audit_samples.id'], name=op.f('fk_pension_audit_sample_records_sample_id_pension_audit_samples')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_sample_records'))
    )
    with op.batch_alter_table('pension_audit_sample_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_audit_sample_records_sample_id'), ['sample_id'], unique=False)

    op.create_table('pension_audit_accounts',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('opening_balance', sa.Integer(), nullable=False),
    sa.Column('interest', sa.Integer(), nullable=False),
    sa.Column('sealed_from', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_accounts_engagement_id_pension_audit__5d5aad13')),
    sa.ForeignKeyConstraint(['import_id'], ['pension_audit_imports.id'], name=op.f('fk_pension_audit_accounts_import_id_pension_audit_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_accounts'))
    )
    with op.batch_alter_table('pension_audit_accounts', schema=None) as batch_op:
        batch_op.create_index('ix_pension_audit_accounts_eng_idn', ['engagement_id', 'id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_accounts_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_accounts_import_id'), ['import_id'], unique=False)

    op.create_table('pension_audit_contributions',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('years', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_contributions_engagement_id_pension_a_ed389e9e')),
    sa.ForeignKeyConstraint(['import_id'], ['pension_audit_imports.id'], name=op.f('fk_pension_audit_contributions_import_id_pension_audit_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_contributions'))
    )
    with op.batch_alter_table('pension_audit_contributions', schema=None) as batch_op:
        batch_op.create_index('ix_pension_audit_contributions_eng_idn', ['engagement_id', 'id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_contributions_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_contributions_import_id'), ['import_id'], unique=False)

    op.create_table('pension_audit_deaths',
    sa.Column('died_on', sa.Date(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_deaths_engagement_id_pension_audit_engagements')),
    sa.ForeignKeyConstraint(['import_id'], ['pension_audit_imports.id'], name=op.f('fk_pension_audit_deaths_import_id_pension_audit_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_deaths'))
    )
    with op.batch_alter_table('pension_audit_deaths', schema=None) as batch_op:
        batch_op.create_index('ix_pension_audit_deaths_eng_idn', ['engagement_id', 'id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_deaths_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_deaths_import_id'), ['import_id'], unique=False)

    op.create_table('pension_audit_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.Integer(), nullable=True),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('made_on', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pension_audit_evidence_created_by_id_users')),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_evidence_engagement_id_pension_audit__559aed98')),
    sa.ForeignKeyConstraint(['finding_id'], ['pension_audit_findings.id'], name=op.f('fk_pension_audit_evidence_finding_id_pension_audit_findings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_evidence'))
    )
    with op.batch_alter_table('pension_audit_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_audit_evidence_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_evidence_finding_id'), ['finding_id'], unique=False)

    op.create_table('pension_audit_members',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('village', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('balance_at_retirement', sa.Integer(), nullable=True),
    sa.Column('account_pension', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_members_engagement_id_pension_audit_e_3dc75956')),
    sa.ForeignKeyConstraint(['import_id'], ['pension_audit_imports.id'], name=op.f('fk_pension_audit_members_import_id_pension_audit_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_members'))
    )
    with op.batch_alter_table('pension_audit_members', schema=None) as batch_op:
        batch_op.create_index('ix_pension_audit_members_eng_idn', ['engagement_id', 'id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_members_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_members_import_id'), ['import_id'], unique=False)

    op.create_table('pension_audit_payments',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('prepared_by', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_payments_engagement_id_pension_audit__c63d8129')),
    sa.ForeignKeyConstraint(['import_id'], ['pension_audit_imports.id'], name=op.f('fk_pension_audit_payments_import_id_pension_audit_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_payments'))
    )
    with op.batch_alter_table('pension_audit_payments', schema=None) as batch_op:
        batch_op.create_index('ix_pension_audit_payments_eng_idn', ['engagement_id', 'id_number', 'month'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_payments_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_payments_import_id'), ['import_id'], unique=False)

    op.create_table('pension_audit_rates',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('rate_bp', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_rates_engagement_id_pension_audit_engagements')),
    sa.ForeignKeyConstraint(['import_id'], ['pension_audit_imports.id'], name=op.f('fk_pension_audit_rates_import_id_pension_audit_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_rates'))
    )
    with op.batch_alter_table('pension_audit_rates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_audit_rates_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_rates_import_id'), ['import_id'], unique=False)

    op.create_table('pension_audit_receipts',
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_receipts_engagement_id_pension_audit__6c0d642c')),
    sa.ForeignKeyConstraint(['import_id'], ['pension_audit_imports.id'], name=op.f('fk_pension_audit_receipts_import_id_pension_audit_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_receipts'))
    )
    with op.batch_alter_table('pension_audit_receipts', schema=None) as batch_op:
        batch_op.create_index('ix_pension_audit_receipts_eng_idn', ['engagement_id', 'id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_receipts_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_receipts_import_id'), ['import_id'], unique=False)

    op.create_table('pension_audit_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_pension_audit_replies_actor_id_users')),
    sa.ForeignKeyConstraint(['finding_id'], ['pension_audit_findings.id'], name=op.f('fk_pension_audit_replies_finding_id_pension_audit_findings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_replies'))
    )
    with op.batch_alter_table('pension_audit_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_audit_replies_finding_id'), ['finding_id'], unique=False)

    op.create_table('pension_audit_subsidies',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('credited_month', sa.Date(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['pension_audit_engagements.id'], name=op.f('fk_pension_audit_subsidies_engagement_id_pension_audit_f53863f0')),
    sa.ForeignKeyConstraint(['import_id'], ['pension_audit_imports.id'], name=op.f('fk_pension_audit_subsidies_import_id_pension_audit_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_audit_subsidies'))
    )
    with op.batch_alter_table('pension_audit_subsidies', schema=None) as batch_op:
        batch_op.create_index('ix_pension_audit_subsidies_eng_idn', ['engagement_id', 'id_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_subsidies_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_audit_subsidies_import_id'), ['import_id'], unique=False)



def downgrade():
    with op.batch_alter_table('pension_audit_subsidies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_subsidies_import_id'))
        batch_op.drop_index(batch_op.f('ix_pension_audit_subsidies_engagement_id'))
        batch_op.drop_index('ix_pension_audit_subsidies_eng_idn')

    op.drop_table('pension_audit_subsidies')
    with op.batch_alter_table('pension_audit_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_replies_finding_id'))

    op.drop_table('pension_audit_replies')
    with op.batch_alter_table('pension_audit_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_receipts_import_id'))
        batch_op.drop_index(batch_op.f('ix_pension_audit_receipts_engagement_id'))
        batch_op.drop_index('ix_pension_audit_receipts_eng_idn')

    op.drop_table('pension_audit_receipts')
    with op.batch_alter_table('pension_audit_rates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_rates_import_id'))
        batch_op.drop_index(batch_op.f('ix_pension_audit_rates_engagement_id'))

    op.drop_table('pension_audit_rates')
    with op.batch_alter_table('pension_audit_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_payments_import_id'))
        batch_op.drop_index(batch_op.f('ix_pension_audit_payments_engagement_id'))
        batch_op.drop_index('ix_pension_audit_payments_eng_idn')

    op.drop_table('pension_audit_payments')
    with op.batch_alter_table('pension_audit_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_members_import_id'))
        batch_op.drop_index(batch_op.f('ix_pension_audit_members_engagement_id'))
        batch_op.drop_index('ix_pension_audit_members_eng_idn')

    op.drop_table('pension_audit_members')
    with op.batch_alter_table('pension_audit_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_evidence_finding_id'))
        batch_op.drop_index(batch_op.f('ix_pension_audit_evidence_engagement_id'))

    op.drop_table('pension_audit_evidence')
    with op.batch_alter_table('pension_audit_deaths', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_deaths_import_id'))
        batch_op.drop_index(batch_op.f('ix_pension_audit_deaths_engagement_id'))
        batch_op.drop_index('ix_pension_audit_deaths_eng_idn')

    op.drop_table('pension_audit_deaths')
    with op.batch_alter_table('pension_audit_contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_contributions_import_id'))
        batch_op.drop_index(batch_op.f('ix_pension_audit_contributions_engagement_id'))
        batch_op.drop_index('ix_pension_audit_contributions_eng_idn')

    op.drop_table('pension_audit_contributions')
    with op.batch_alter_table('pension_audit_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_accounts_import_id'))
        batch_op.drop_index(batch_op.f('ix_pension_audit_accounts_engagement_id'))
        batch_op.drop_index('ix_pension_audit_accounts_eng_idn')

    op.drop_table('pension_audit_accounts')
    with op.batch_alter_table('pension_audit_sample_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_sample_records_sample_id'))

    op.drop_table('pension_audit_sample_records')
    with op.batch_alter_table('pension_audit_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_imports_engagement_id'))

    op.drop_table('pension_audit_imports')
    with op.batch_alter_table('pension_audit_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_findings_unit_id'))
        batch_op.drop_index('ix_pension_audit_findings_list')
        batch_op.drop_index(batch_op.f('ix_pension_audit_findings_engagement_id'))

    op.drop_table('pension_audit_findings')
    with op.batch_alter_table('pension_audit_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_uploads_engagement_id'))

    op.drop_table('pension_audit_uploads')
    op.drop_table('pension_audit_team')
    with op.batch_alter_table('pension_audit_samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_samples_engagement_id'))

    op.drop_table('pension_audit_samples')
    with op.batch_alter_table('pension_audit_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_groups_engagement_id'))

    op.drop_table('pension_audit_groups')
    with op.batch_alter_table('pension_audit_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_answers_engagement_id'))

    op.drop_table('pension_audit_answers')
    with op.batch_alter_table('pension_audit_engagements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_engagements_unit_id'))

    op.drop_table('pension_audit_engagements')
    with op.batch_alter_table('pension_audit_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pension_audit_mappings_unit_id'))

    op.drop_table('pension_audit_mappings')
