"""add sms delivery state, reports, edited templates and dispatcher lease

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 23:16:04.468500
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sms_dispatcher_leases',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('sms_template_texts',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('arabic', sa.Text(), nullable=False),
    sa.Column('english', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('sms_delivery_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('report_type', sa.SmallInteger(), nullable=False),
    sa.Column('reply', sa.String(length=200), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['sms_messages.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sms_delivery_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_delivery_reports_message_id'), ['message_id'], unique=False)

    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_token', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('handed_over_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('resent_from_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sms_messages_resent_from_id'), ['resent_from_id'], unique=False)
        batch_op.create_foreign_key('fk_sms_messages_resent_from_id', 'sms_messages', ['resent_from_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_constraint('fk_sms_messages_resent_from_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sms_messages_resent_from_id'))
        batch_op.drop_column('resent_from_id')
        batch_op.drop_column('handed_over_at')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_owner')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('report_token')

    with op.batch_alter_table('sms_delivery_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_delivery_reports_message_id'))

    op.drop_table('sms_delivery_reports')
    op.drop_table('sms_template_texts')
    op.drop_table('sms_dispatcher_leases')
