"""add screening committees decisions reasons and sessions

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 00:30:33.744186
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# The council's usual rejection reasons (Arabic, English), offered from the start; staff add and
# retire reasons on the reasons page afterwards.
DEFAULT_REASONS = (
    ("المؤهل العلمي لا يطابق المؤهل المطلوب", "The degree does not match the required degree"),
    ("التخصص لا يطابق التخصصات المطلوبة", "The major does not match the required majors"),
    ("الخبرة غير كافية", "Insufficient experience"),
    ("وثيقة مطلوبة غير مرفقة", "A required document is missing"),
    ("وثيقة غير مقروءة", "A document is illegible"),
    ("شرط آخر من شروط الإعلان غير مستوفى", "Another condition of the announcement is not met"),
    ("طلب مكرر", "Duplicate application"),
    ("العمر لا يوافق شروط الإعلان", "The age does not meet the conditions of the announcement"),
)


def upgrade() -> None:
    op.create_table('rejection_reasons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('label_ar', sa.String(length=120), nullable=False),
    sa.Column('label_en', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    reasons = sa.table('rejection_reasons', sa.column('label_ar', sa.String), sa.column('label_en', sa.String),
                       sa.column('created_at', sa.DateTime), sa.column('created_by', sa.String))
    seeded_at = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(reasons, [{'label_ar': arabic, 'label_en': english, 'created_at': seeded_at, 'created_by': 'system'}
                             for arabic, english in DEFAULT_REASONS])
    op.create_table('assessment_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('assessment_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_sessions_announcement_kind', ['announcement_id', 'kind', 'starts_at'], unique=False)

    op.create_table('screening_committees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('chair_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], ),
    sa.ForeignKeyConstraint(['chair_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('announcement_id')
    )
    op.create_table('screening_committee_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['screening_committees.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('committee_id', 'user_id')
    )
    with op.batch_alter_table('screening_committee_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_committee_members_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_committee_members_user_id'), ['user_id'], unique=False)

    op.create_table('screening_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.ForeignKeyConstraint(['committee_id'], ['screening_committees.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['reason_id'], ['rejection_reasons.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id')
    )
    with op.batch_alter_table('screening_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_screening_decisions_committee_outcome', ['committee_id', 'outcome'], unique=False)

    op.create_table('session_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['assessment_sessions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'kind')
    )
    with op.batch_alter_table('session_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_assignments_session_id'), ['session_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('session_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_assignments_session_id'))

    op.drop_table('session_assignments')
    with op.batch_alter_table('screening_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_decisions_committee_outcome')

    op.drop_table('screening_decisions')
    with op.batch_alter_table('screening_committee_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_committee_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_screening_committee_members_committee_id'))

    op.drop_table('screening_committee_members')
    op.drop_table('screening_committees')
    with op.batch_alter_table('assessment_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_sessions_announcement_kind')

    op.drop_table('assessment_sessions')
    op.drop_table('rejection_reasons')
