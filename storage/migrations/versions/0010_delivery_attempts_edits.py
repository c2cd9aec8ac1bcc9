"""deliveries that edit a sent copy, truthful attempts, failures that may be re-sent

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 14:10:00

- ``delivery.edit_message_id``: set on the rows of a correction; the worker edits that message
  (the copy the original alert produced) instead of sending a new one.
- ``delivery.answers``: how many of the row's ``attempts`` got an answer from the channel. An
  attempt is counted before its request goes out; one that never got an answer (a time-out, or
  the process died mid-request) may have been delivered, so a row with more attempts than
  answers may have reached its recipient twice.
- ``delivery.retryable``: a failed row whose cause may have passed (network, 5xx, time-outs),
  which a coordinator can re-send.

Existing rows: ``answers = attempts`` (their history is unknown; nothing is claimed about it).
Batch mode for SQLite.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edit_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("answers", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("retryable", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute("UPDATE delivery SET answers = attempts")


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("retryable")
        batch_op.drop_column("answers")
        batch_op.drop_column("edit_message_id")
