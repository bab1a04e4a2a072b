"""index the outbox for its list and searches

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 22:53:16.677447
"""

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_messages_stage'))
        batch_op.create_index('ix_sms_created', ['created_at'], unique=False)
        batch_op.create_index('ix_sms_stage_created', ['stage', 'created_at'], unique=False)
        batch_op.create_index('ix_sms_to_number_created', ['to_number', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_sms_to_number_created')
        batch_op.drop_index('ix_sms_stage_created')
        batch_op.drop_index('ix_sms_created')
        batch_op.create_index(batch_op.f('ix_sms_messages_stage'), ['stage'], unique=False)

