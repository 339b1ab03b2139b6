"""Search: a row of token strings per article.

This revision also built indexes over them, which 0005 replaced with indexes of another
shape, rebuilding them from the articles: fresh databases get the table bare here and
everything else from 0005.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from incoming.store.schema import Key

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
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
    )


def downgrade() -> None:
    op.drop_table("search_documents")
