"""when each chat may be sent its next message, shared by every delivery worker

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 16:50:00

``supporter.send_free_at`` (nullable: free at once): on PostgreSQL a delivery worker claims a
chat's next delivery only once this time has passed, and sets it in the same statement (to its
lease while it holds the row, to one second after the answer once it recorded the result), so
Telegram's 1 message/s per chat holds across processes. Batch mode for SQLite.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("supporter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_free_at", sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("supporter", schema=None) as batch_op:
        batch_op.drop_column("send_free_at")
