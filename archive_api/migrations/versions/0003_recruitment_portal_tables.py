"""recruitment portal tables

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 22:04:11.200805
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('applicants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('national_id', sa.String(length=9), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('mobile', sa.String(length=16), nullable=False),
    sa.Column('mobile_confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('national_id')
    )
    with op.batch_alter_table('applicants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicants_mobile'), ['mobile'], unique=False)

    op.create_table('recruitment_yearly_figures',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('applications', sa.Integer(), nullable=False),
    sa.Column('applicants', sa.Integer(), nullable=False),
    sa.Column('vacancies', sa.Integer(), nullable=False),
    sa.Column('announcements', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('applicant_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('applicant_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_documents_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('applicant_education',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('degree_level', sa.String(length=32), nullable=False),
    sa.Column('major', sa.String(length=200), nullable=False),
    sa.Column('institution', sa.String(length=200), nullable=False),
    sa.Column('graduation_year', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('applicant_education', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_education_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('applicant_experience',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=False),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('applicant_experience', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_experience_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('applicant_languages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('applicant_languages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_languages_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('applicant_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_hash')
    )
    with op.batch_alter_table('applicant_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_sessions_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('applicant_skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('applicant_skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_skills_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('applicant_training',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('applicant_training', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_training_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('one_time_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_time_codes_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('title_ar', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=True),
    sa.Column('ministry_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=True),
    sa.Column('vacancies', sa.Integer(), nullable=False),
    sa.Column('governorate', sa.String(length=32), nullable=False),
    sa.Column('grade', sa.String(length=64), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('degree_level', sa.String(length=32), nullable=True),
    sa.Column('majors', sa.Text(), nullable=False),
    sa.Column('min_experience_years', sa.Integer(), nullable=False),
    sa.Column('required_documents', sa.Text(), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('next_application_seq', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['ministry_id'], ['departments.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_ministry_id'), ['ministry_id'], unique=False)
        batch_op.create_index('ix_announcements_status_closes', ['status', 'closes_at'], unique=False)

    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], ),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('announcement_id', 'applicant_id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_announcement_status', ['announcement_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_applicant_id'), ['applicant_id'], unique=False)

    op.create_table('applicant_document_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_document_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_document_id'], ['applicant_documents.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('applicant_document_id', 'version')
    )
    with op.batch_alter_table('applicant_document_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_document_versions_applicant_document_id'), ['applicant_document_id'], unique=False)

    op.create_table('application_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_events_application_id'), ['application_id'], unique=False)

    op.create_table('sms_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_number', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('gateway_reference', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['applicant_id'], ['applicants.id'], ),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_messages_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_messages_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_messages_stage'), ['stage'], unique=False)
        batch_op.create_index('ix_sms_status_created', ['status', 'created_at'], unique=False)

    op.create_table('application_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['applicant_document_versions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'version_id')
    )
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_documents_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_documents_version_id'), ['version_id'], unique=False)

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recruitment', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_applicant_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_owner_applicant_id'), ['owner_applicant_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_owner_applicant_id'))
        batch_op.drop_column('owner_applicant_id')

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('recruitment')

    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_documents_version_id'))
        batch_op.drop_index(batch_op.f('ix_application_documents_application_id'))

    op.drop_table('application_documents')
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_status_created')
        batch_op.drop_index(batch_op.f('ix_sms_messages_stage'))
        batch_op.drop_index(batch_op.f('ix_sms_messages_application_id'))
        batch_op.drop_index(batch_op.f('ix_sms_messages_applicant_id'))

    op.drop_table('sms_messages')
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_events_application_id'))

    op.drop_table('application_events')
    with op.batch_alter_table('applicant_document_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_document_versions_applicant_document_id'))

    op.drop_table('applicant_document_versions')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_applicant_id'))
        batch_op.drop_index('ix_applications_announcement_status')

    op.drop_table('applications')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index('ix_announcements_status_closes')
        batch_op.drop_index(batch_op.f('ix_announcements_ministry_id'))

    op.drop_table('announcements')
    with op.batch_alter_table('one_time_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_codes_applicant_id'))

    op.drop_table('one_time_codes')
    with op.batch_alter_table('applicant_training', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_training_applicant_id'))

    op.drop_table('applicant_training')
    with op.batch_alter_table('applicant_skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_skills_applicant_id'))

    op.drop_table('applicant_skills')
    with op.batch_alter_table('applicant_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_sessions_applicant_id'))

    op.drop_table('applicant_sessions')
    with op.batch_alter_table('applicant_languages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_languages_applicant_id'))

    op.drop_table('applicant_languages')
    with op.batch_alter_table('applicant_experience', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_experience_applicant_id'))

    op.drop_table('applicant_experience')
    with op.batch_alter_table('applicant_education', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_education_applicant_id'))

    op.drop_table('applicant_education')
    with op.batch_alter_table('applicant_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_documents_applicant_id'))

    op.drop_table('applicant_documents')
    op.drop_table('recruitment_yearly_figures')
    with op.batch_alter_table('applicants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicants_mobile'))

    op.drop_table('applicants')
