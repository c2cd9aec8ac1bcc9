"""an alert's payload, to render it in each recipient's language

Revision ID: 0005_alert_payload
Revises: 0004
Create Date: 2026-12-01 12:40:00

``alert.payload`` (JSON, nullable) holds what the alert's kind renders from — a coordinator
alert's draft payload, or a reminder's text per language — so the delivery worker renders each
recipient's copy in their language at send time. Existing alerts keep NULL and are sent as their
``text``. Batch mode for SQLite.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_alert_payload"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_column("payload")
