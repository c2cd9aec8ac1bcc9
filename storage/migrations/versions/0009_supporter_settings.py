"""supporter settings, held deliveries, authority replies, attendance, referral codes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 14:20:00

- ``preference`` / ``reminderoptout``: what a supporter chose in /settings (rows only once they
  choose; they cascade with the supporter, so /forget deletes them);
- ``delivery.not_before``: a row held by its recipient's quiet hours, set at fan-out;
- ``replywait`` / ``authorityreply``: an authority's answer a supporter shared, stored without
  who shared it;
- ``attendance``: [I'll attend] / [I'll follow online], one answer per person per hearing;
- ``referral``: a supporter's personal link code and a count of who joined through it;
- ``digestitem``: a news alert kept for a supporter's daily digest.

Batch mode for the new column on SQLite.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _supporter_fk(name: str = "supporter_id", **kwargs) -> sa.Column:
    return sa.Column(name, sa.BigInteger(),
                     sa.ForeignKey("supporter.chat_id", ondelete="CASCADE"), **kwargs)


def upgrade() -> None:
    op.create_table(
        "preference",
        _supporter_fk(primary_key=True, autoincrement=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("quiet_start", sa.Integer(), nullable=True),
        sa.Column("quiet_end", sa.Integer(), nullable=True),
        sa.Column("news_digest", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("protect_content", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "reminderoptout",
        _supporter_fk(primary_key=True, autoincrement=False),
        sa.Column("offset_minutes", sa.Integer(), primary_key=True, autoincrement=False),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("not_before", sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
    op.create_table(
        "replywait",
        _supporter_fk("chat_id", primary_key=True, autoincrement=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "authorityreply",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("case.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("text", sa.String(), nullable=True),
        sa.Column("file_id", sa.String(length=256), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_authorityreply_case_id", "authorityreply", ["case_id"])
    op.create_table(
        "attendance",
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("event.id", ondelete="CASCADE"),
                  primary_key=True),
        _supporter_fk(primary_key=True, autoincrement=False),
        sa.Column("mode", sa.String(length=1), nullable=False),
    )
    op.create_table(
        "referral",
        sa.Column("code", sa.String(length=16), primary_key=True),
        _supporter_fk(nullable=False, unique=True),
        sa.Column("joined", sa.Integer(), nullable=False, server_default="0"),
    )


    op.create_table(
        "digestitem",
        _supporter_fk(primary_key=True, autoincrement=False),
        sa.Column("alert_id", sa.Integer(), sa.ForeignKey("alert.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_digestitem_due_at", "digestitem", ["due_at"])


def downgrade() -> None:
    for table in ("digestitem", "referral", "attendance", "authorityreply", "replywait", "reminderoptout",
                  "preference"):
        op.drop_table(table)
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("not_before")
