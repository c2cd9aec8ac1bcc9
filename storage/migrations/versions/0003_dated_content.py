"""dated content: optional case time zone, addressee checks from chat, texts per language

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-28 10:00:00

* ``case.timezone`` may be NULL: the case file names none, so DEFAULT_TIMEZONE applies.
* ``authority.verified_at`` / ``verified_by``: a coordinator's "address still current" mark
  (/staleaddresses), kept when the files are loaded again.
* Stored case documents move to the new case-file format: title, summary and timeline texts
  become per-language mappings. Loading content/ rewrites file cases anyway; this is for cases a
  coordinator uploaded in chat, which loading never touches. Such a case had an English title
  only, so the English text stands in for the Russian title until the file is uploaded again
  (a Russian reader saw the English title before, and still does).
"""

from collections.abc import Callable

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_CASE = sa.table("case", sa.column("id", sa.Integer), sa.column("data", sa.JSON),
                 sa.column("timezone", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.alter_column("timezone", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
                              nullable=True)
    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", sqlmodel.sql.sqltypes.UTCDateTime(),
                                      nullable=True))
        batch_op.add_column(sa.Column("verified_by", sa.BigInteger(), nullable=True))
    _rewrite_documents(_to_localized)


def downgrade() -> None:
    _rewrite_documents(_to_plain)
    op.execute(_CASE.update().where(_CASE.c.timezone.is_(None)).values(timezone="Asia/Almaty"))
    with op.batch_alter_table("authority", schema=None) as batch_op:
        batch_op.drop_column("verified_by")
        batch_op.drop_column("verified_at")
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.alter_column("timezone", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64),
                              nullable=False)


def _rewrite_documents(convert: Callable[[dict], dict]) -> None:
    connection = op.get_bind()
    for case_id, document in connection.execute(sa.select(_CASE.c.id, _CASE.c.data)).all():
        if not isinstance(document, dict):
            continue
        converted = convert(document)
        if converted != document:
            connection.execute(_CASE.update().where(_CASE.c.id == case_id)
                               .values(data=converted))


def _to_localized(document: dict) -> dict:
    out = dict(document)
    if isinstance(out.get("title"), str):
        out["title"] = {"en": out["title"], "ru": out["title"]}
    if isinstance(out.get("summary"), str):
        out["summary"] = {"en": out["summary"]}
    out["timeline"] = [
        {**entry, "text": {"en": entry["text"]}}
        if isinstance(entry, dict) and isinstance(entry.get("text"), str) else entry
        for entry in out.get("timeline") or []
    ]
    return out


def _to_plain(document: dict) -> dict:
    def english(value: object) -> object:
        return value.get("en", "") if isinstance(value, dict) else value

    out = dict(document)
    out["title"] = english(out.get("title"))
    out["summary"] = english(out.get("summary"))
    out["timeline"] = [
        {**entry, "text": english(entry.get("text"))} if isinstance(entry, dict) else entry
        for entry in out.get("timeline") or []
    ]
    return out
