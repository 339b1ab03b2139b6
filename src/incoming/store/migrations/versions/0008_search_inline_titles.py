"""Search index on PostgreSQL: the title's token strings stay in the row (STORAGE MAIN)
instead of moving to TOAST with the text's, so that ranking and title phrase checks read
them without a TOAST fetch each. Rows written from now on; `incoming reindex` rewrites the
stored ones. Nothing changes on SQLite.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from incoming.index.schema import INLINE_COLUMNS

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _set_storage(storage: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    changes = ", ".join(f"ALTER COLUMN {column} SET STORAGE {storage}" for column in INLINE_COLUMNS)
    op.execute(f"ALTER TABLE search_documents {changes}")


def upgrade() -> None:
    _set_storage("MAIN")


def downgrade() -> None:
    _set_storage("EXTENDED")  # PostgreSQL's default for text
