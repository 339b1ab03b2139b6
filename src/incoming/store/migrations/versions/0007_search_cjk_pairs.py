"""Search index: the pairs stream pairs neighbouring CJK bigrams too, so that a CJK phrase of
common bigrams is found through its pairs. The index is built anew from the articles (on
PostgreSQL with its GIN indexes built after the fill).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from incoming.index.documents import rebuild_index

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    rebuild_index(op.get_bind(), exclusive=True)


def downgrade() -> None:
    raise NotImplementedError("the index of 0006 is not rebuilt on the way down: restore a backup")
