"""The database schema (SQLAlchemy Core); Alembic migrations in `migrations/` create it."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from incoming.store.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only aliases the rowid (fast, compact) for a plain INTEGER primary key. Tables whose
# ids are named elsewhere (links, feeds, other rows) add AUTOINCREMENT, so that a removed top id
# is never given again (migration 0009); PostgreSQL's sequences never go back anyway.
Key = BigInteger().with_variant(Integer(), "sqlite")

sources = Table(
    "sources",
    metadata,
    Column("id", Key, primary_key=True),
    Column("kind", String(16), nullable=False),  # "feed" or "notes"
    Column("url", Text, nullable=False, unique=True),  # feed URL or notes folder path
    Column("title", Text, nullable=False, server_default=""),
    Column("site_url", Text),
    Column("topic", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("interval_seconds", Integer, nullable=False, server_default="3600"),
    # The feed's own hint (RSS ttl, sy:updatePeriod/Frequency), kept for checks answered 304.
    Column("ttl_seconds", Integer),
    Column("next_check_at", UTCDateTime),
    Column("error_count", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("last_error_at", UTCDateTime),
    Column("last_checked_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    # The host name fetched (None for notes): per-host limits across workers count by it.
    Column("host", Text),
    # Which worker is fetching the source, and until when its claim holds (store/leases.py).
    Column("lease_owner", Text),
    Column("lease_until", UTCDateTime),
    # How entry content is read: "auto" (guessed per entry), "html", "markdown" or "text".
    Column("content_format", String(16), nullable=False, server_default="auto"),
    Index(None, "next_check_at"),
    Index(None, "lease_until"),
    sqlite_autoincrement=True,
)

articles = Table(
    "articles",
    metadata,
    Column("id", Key, primary_key=True),
    Column("source_id", Key, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    # guid, else canonical link, else content hash, prefixed "g:", "u:" or "h:".
    Column("identity", Text, nullable=False),
    Column("guid", Text),
    Column("url", Text),
    Column("title", Text, nullable=False),
    Column("author", Text),
    Column("language", String(35)),
    Column("published", UTCDateTime),
    # When the article last changed as far as readers are concerned: the latest-updates order.
    Column("updated", UTCDateTime, nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("content_html", Text, nullable=False),
    Column("content_text", Text, nullable=False),
    Column("excerpt_html", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("gone", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("source_id", "identity"),
    Index("ix_articles_latest", "updated", "id"),
    Index("ix_articles_source_latest", "source_id", "updated", "id"),
    sqlite_autoincrement=True,
)

topics = Table(
    "topics",
    metadata,
    Column("id", Key, primary_key=True),
    Column("slug", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    sqlite_autoincrement=True,
)

article_topics = Table(
    "article_topics",
    metadata,
    Column("article_id", Key, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", Key, ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True),
    # Copied from articles.updated so a topic's latest-updates page is one index range.
    Column("updated", UTCDateTime, nullable=False),
    Index("ix_article_topics_topic_latest", "topic_id", "updated", "article_id"),
)

# One row, bumped by every write transaction that changes what the site shows: web processes
# compare its version to know when their cached pages are stale (store/changes.py).
changes = Table(
    "changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    CheckConstraint("id = 1", name="ck_changes_single_row"),
)

# The fetch workers: heartbeats and counters, for `incoming status` (store/workers.py).
workers = Table(
    "workers",
    metadata,
    Column("name", Text, primary_key=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("heartbeat_at", UTCDateTime, nullable=False),
    Column("stopped_at", UTCDateTime),
    Column("fetched", BigInteger, nullable=False, server_default="0"),
    Column("failed", BigInteger, nullable=False, server_default="0"),
    Column("new_articles", BigInteger, nullable=False, server_default="0"),
)
