"""Accounts: the admin password, API tokens, admin sessions, failed logins.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from incoming.store.schema import Key
from incoming.store.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_password",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("changed_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_admin_password_single_row"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", Key, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_used_at", UTCDateTime),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_table(
        "admin_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=False),
        sa.Column("flash", sa.Text),
        sa.Column("flash_is_error", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", Key, primary_key=True),
        sa.Column("client", sa.Text, nullable=False),
        sa.Column("failed_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_login_failures_client_failed_at", "login_failures", ["client", "failed_at"])
    op.create_index("ix_login_failures_failed_at", "login_failures", ["failed_at"])


def downgrade() -> None:
    op.drop_table("login_failures")
    op.drop_table("admin_sessions")
    op.drop_table("api_tokens")
    op.drop_table("admin_password")
