"""Search index on PostgreSQL: GIN expression indexes instead of stored tsvectors (a third of
the size, faster to write), and token strings compressed with lz4 where the server has it.
Nothing changes on SQLite. The GIN indexes are built anew (a few minutes a million articles);
the space the stored tsvectors took comes back with `VACUUM FULL search_documents`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

from incoming.index.schema import GIN_INDEXES, TOKEN_COLUMNS, gin_index_ddl

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    for column in ("document", "title_document"):  # their indexes go with them
        op.drop_column("search_documents", column)
    lz4 = connection.execute(
        text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
    ).scalar()
    if lz4:  # values written from now on; the stored ones stay as they are, readable
        for column in TOKEN_COLUMNS:
            op.execute(f"ALTER TABLE search_documents ALTER COLUMN {column} SET COMPRESSION lz4")
    for name in GIN_INDEXES:
        op.execute(gin_index_ddl(name))


def downgrade() -> None:
    raise NotImplementedError(
        "0005's stored tsvectors are not rebuilt on the way down: restore a backup"
    )
