"""a hearing's revision counter, for calendar files

Revision ID: 0006
Revises: 0005_alert_payload
Create Date: 2026-12-01 14:10:00

``event.sequence`` (integer, 0 for every existing row) is raised each time a coordinator
postpones or cancels a hearing. A calendar file (.ics) carries it as ``SEQUENCE``, so a calendar
that imported the hearing before replaces it with the newer version. Batch mode for SQLite.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005_alert_payload"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("sequence")
