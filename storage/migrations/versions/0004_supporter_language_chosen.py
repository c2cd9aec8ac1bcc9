"""supporter.language_chosen: whether the language was chosen with /language

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-28 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Everyone stored so far got their language from their Telegram client, not a choice.
    with op.batch_alter_table('supporter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language_chosen', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('supporter', schema=None) as batch_op:
        batch_op.drop_column('language_chosen')
