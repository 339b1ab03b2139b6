"""Search index, second shape: a pairs stream for phrases, and on PostgreSQL id window lexemes
and narrow rows. The index is built anew from the articles (about 1,600 a second on SQLite).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

from incoming.index.documents import create_sqlite_index, fill_documents
from incoming.index.schema import (
    DOCUMENT_SQL,
    FTS_TRIGGERS,
    GIN_PENDING_LIST_KB,
    TITLE_DOCUMENT_SQL,
    TOAST_TUPLE_TARGET,
)
from incoming.store.schema import Key

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The FTS5 tables 0003 built, on databases that ran it before it was reduced to the bare table.
_OLD_FTS_TABLES = ("search_fts", "search_fts_titles")


def upgrade() -> None:
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    if not postgres:
        for name in FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for name in _OLD_FTS_TABLES:
            op.execute(f"DROP TABLE IF EXISTS {name}")
    op.drop_table("search_documents")
    tsvectors = (
        [
            sa.Column("document", TSVECTOR, sa.Computed(DOCUMENT_SQL, persisted=True)),
            sa.Column("title_document", TSVECTOR, sa.Computed(TITLE_DOCUMENT_SQL, persisted=True)),
        ]
        if postgres
        else []
    )
    op.create_table(
        "search_documents",
        sa.Column(
            "article_id",
            Key,
            sa.ForeignKey(
                "articles.id", ondelete="CASCADE", name="fk_search_documents_article_id_articles"
            ),
            primary_key=True,
        ),
        sa.Column("title_words", sa.Text, nullable=False),
        sa.Column("body_words", sa.Text, nullable=False),
        sa.Column("title_chars", sa.Text, nullable=False),
        sa.Column("body_chars", sa.Text, nullable=False),
        sa.Column("pairs", sa.Text, nullable=False),
        sa.Column("keywords", sa.Text, nullable=False),
        *tsvectors,
    )
    if postgres:
        op.execute(f"ALTER TABLE search_documents SET (toast_tuple_target = {TOAST_TUPLE_TARGET})")
    fill_documents(connection)
    if postgres:
        for column in ("document", "title_document"):
            op.create_index(
                f"ix_search_documents_{column}",
                "search_documents",
                [column],
                postgresql_using="gin",
                postgresql_with={"gin_pending_list_limit": GIN_PENDING_LIST_KB},
            )
    else:
        create_sqlite_index(connection)


def downgrade() -> None:
    raise NotImplementedError(
        "0003's search index is not rebuilt on the way down: restore a backup"
    )
