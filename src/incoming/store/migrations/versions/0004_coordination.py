"""Coordination through the database: a change counter, source leases, worker heartbeats;
and each feed's scheduling hint, kept for the checks it answers with 304.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from incoming.store.hosts import url_host
from incoming.store.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("changed_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_changes_single_row"),
    )
    changes = sa.table(
        "changes", sa.column("id"), sa.column("version"), sa.column("changed_at", UTCDateTime)
    )
    op.execute(sa.insert(changes).values(id=1, version=1, changed_at=datetime.now(UTC)))
    op.create_table(
        "workers",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("heartbeat_at", UTCDateTime, nullable=False),
        sa.Column("stopped_at", UTCDateTime),
        sa.Column("fetched", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("failed", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("new_articles", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.add_column("sources", sa.Column("ttl_seconds", sa.Integer))
    op.add_column("sources", sa.Column("host", sa.Text))
    op.add_column("sources", sa.Column("lease_owner", sa.Text))
    op.add_column("sources", sa.Column("lease_until", UTCDateTime))
    op.create_index("ix_sources_lease_until", "sources", ["lease_until"])
    _fill_hosts()


def _fill_hosts() -> None:
    sources = sa.table(
        "sources", sa.column("id"), sa.column("kind"), sa.column("url"), sa.column("host")
    )
    connection = op.get_bind()
    feeds = connection.execute(
        sa.select(sources.c.id, sources.c.url).where(sources.c.kind == "feed")
    )
    rows = [{"key": source_id, "value": url_host(url)} for source_id, url in feeds]
    if rows:
        connection.execute(
            sa.update(sources)
            .where(sources.c.id == sa.bindparam("key"))
            .values(host=sa.bindparam("value")),
            rows,
        )


def downgrade() -> None:
    op.drop_index("ix_sources_lease_until", "sources")
    for column in ("lease_until", "lease_owner", "host", "ttl_seconds"):
        op.drop_column("sources", column)
    op.drop_table("workers")
    op.drop_table("changes")
