"""Each source's content format: `auto` (each entry's content read as what it turns out to be),
or `html`, `markdown` or `text` for the rare feed that guessing gets wrong. Stored sources
become `auto`, which is how they were read until now apart from the guessing itself.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "sources",
        sa.Column("content_format", sa.String(16), nullable=False, server_default="auto"),
    )


def downgrade() -> None:
    # ALTER TABLE .. DROP COLUMN (SQLite 3.35+): a batch copy of `sources` would cascade-delete
    # every article when the old table is dropped.
    op.drop_column("sources", "content_format")
