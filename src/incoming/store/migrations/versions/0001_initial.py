"""The initial schema: sources, articles, topics.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from incoming.store.schema import Key
from incoming.store.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", Key, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("site_url", sa.Text),
        sa.Column("topic", sa.Text),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("interval_seconds", sa.Integer, nullable=False, server_default="3600"),
        sa.Column("next_check_at", UTCDateTime),
        sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("last_error_at", UTCDateTime),
        sa.Column("last_checked_at", UTCDateTime),
        sa.Column("last_success_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("url", name="uq_sources_url"),
    )
    op.create_index("ix_sources_next_check_at", "sources", ["next_check_at"])
    op.create_table(
        "topics",
        sa.Column("id", Key, primary_key=True),
        sa.Column("slug", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.UniqueConstraint("slug", name="uq_topics_slug"),
    )
    op.create_table(
        "articles",
        sa.Column("id", Key, primary_key=True),
        sa.Column(
            "source_id",
            Key,
            sa.ForeignKey("sources.id", ondelete="CASCADE", name="fk_articles_source_id_sources"),
            nullable=False,
        ),
        sa.Column("identity", sa.Text, nullable=False),
        sa.Column("guid", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("language", sa.String(35)),
        sa.Column("published", UTCDateTime),
        sa.Column("updated", UTCDateTime, nullable=False),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("content_html", sa.Text, nullable=False),
        sa.Column("content_text", sa.Text, nullable=False),
        sa.Column("excerpt_html", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("gone", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("source_id", "identity", name="uq_articles_source_id_identity"),
    )
    op.create_index("ix_articles_latest", "articles", ["updated", "id"])
    op.create_index("ix_articles_source_latest", "articles", ["source_id", "updated", "id"])
    op.create_table(
        "article_topics",
        sa.Column(
            "article_id",
            Key,
            sa.ForeignKey(
                "articles.id", ondelete="CASCADE", name="fk_article_topics_article_id_articles"
            ),
            primary_key=True,
        ),
        sa.Column(
            "topic_id",
            Key,
            sa.ForeignKey(
                "topics.id", ondelete="CASCADE", name="fk_article_topics_topic_id_topics"
            ),
            primary_key=True,
        ),
        sa.Column("updated", UTCDateTime, nullable=False),
    )
    op.create_index(
        "ix_article_topics_topic_latest", "article_topics", ["topic_id", "updated", "article_id"]
    )


def downgrade() -> None:
    op.drop_table("article_topics")
    op.drop_table("articles")
    op.drop_table("topics")
    op.drop_table("sources")
