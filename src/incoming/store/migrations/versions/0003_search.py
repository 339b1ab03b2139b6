"""Search: token strings per article, indexed by FTS5 (SQLite) or GIN tsvectors (PostgreSQL).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

from incoming.index.documents import create_sqlite_index, fill_documents
from incoming.index.schema import DOCUMENT_SQL, FTS_COLUMNS, TITLE_DOCUMENT_SQL
from incoming.store.schema import Key

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
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
        sa.Column("keywords", sa.Text, nullable=False),
        *tsvectors,
    )
    fill_documents(connection)
    if postgres:
        op.create_index(
            "ix_search_documents_document",
            "search_documents",
            ["document"],
            postgresql_using="gin",
        )
        op.create_index(
            "ix_search_documents_title_document",
            "search_documents",
            ["title_document"],
            postgresql_using="gin",
        )
    else:
        create_sqlite_index(connection)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in FTS_COLUMNS:
            op.execute(f"DROP TABLE {name}")  # the triggers go with search_documents
    op.drop_table("search_documents")
