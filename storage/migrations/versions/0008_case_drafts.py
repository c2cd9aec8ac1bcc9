"""case drafts: the chat editor's work in progress (/newcase, /editcase, /import)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 14:30:00

One row per coordinator: the case document being written, the authorities it adds, the notes of
an import, what the next typed text is for, and an appeal's text being pasted.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "casedraft",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("authorities", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("editing", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("awaiting", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=True),
        sa.Column("paste", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("casedraft")
