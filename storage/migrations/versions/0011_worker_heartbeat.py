"""worker heartbeats, so /healthz can tell whether any worker is alive

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 14:10:00

One row per running ``appeal-bot run|worker`` process (``worker_id``: host, pid and a random
suffix), its role and when it last said it was alive. ``/healthz`` reports the age of the newest
heartbeat; rows of processes that stopped long ago are purged by the workers themselves.
(The integrator chains the migrations: 0005's revision id is "0005_alert_payload".)
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workerheartbeat",
        sa.Column("worker_id", sqlmodel.sql.sqltypes.AutoString(length=128), primary_key=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_workerheartbeat_seen_at", "workerheartbeat", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_workerheartbeat_seen_at", table_name="workerheartbeat")
    op.drop_table("workerheartbeat")
