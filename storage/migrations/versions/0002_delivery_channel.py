"""delivery channel and the sent message's id

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 10:00:00

Each delivery names its channel (``telegram`` for every existing row) and, once sent, the id of
the message it produced, so a delivered alert can later be edited in place. Batch mode: SQLite
cannot drop columns in place (the downgrade rebuilds the table there); PostgreSQL alters it.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=False, server_default="telegram"))
        batch_op.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("message_id")
        batch_op.drop_column("channel")
