"""alert priority, an index to claim one alert's due deliveries, and the shared send budget

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 14:20:00

``alert.priority`` (integer, 0 for everything written before): the delivery worker claims the
deliveries of higher-priority alerts first (a reminder of a hearing less than a day away, a
correction) and shares the budget round-robin between alerts of one priority. The index
``(alert_id, status, next_attempt_at)`` lets it take one alert's due rows without scanning the
rows already sent. ``send_budget`` holds, per bot, the next free send slot: the delivery
workers of every process reserve slots from it (PostgreSQL), so the deployment as a whole keeps
Telegram's 30 messages/s. Batch mode for SQLite.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False,
                                      server_default="0"))
    op.create_index("ix_delivery_alert_status_due", "delivery",
                    ["alert_id", "status", "next_attempt_at"])
    op.create_index("ix_alert_open_priority", "alert", ["finished_at", "priority"])
    op.create_table(
        "send_budget",
        sa.Column("name", sa.String(length=64), primary_key=True),
        sa.Column("next_slot_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("send_budget")
    op.drop_index("ix_alert_open_priority", table_name="alert")
    op.drop_index("ix_delivery_alert_status_due", table_name="delivery")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_column("priority")
