"""The accounts tables: migration 0002 matches them, and their functions keep secrets hashed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from incoming.index.schema import include_object
from incoming.store import accounts
from incoming.store.engine import Store
from incoming.store.schema import metadata

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)


def test_migration_creates_exactly_the_tables_defined(store: Store) -> None:
    with store.read() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"include_object": include_object}),
            metadata,
        )
    assert differences == []


def test_tokens_are_found_by_secret_and_stored_as_digests(store: Store) -> None:
    with store.write() as connection:
        token, secret = accounts.create_token(connection, name="feeds bot", now=NOW)
        other, _ = accounts.create_token(connection, name="other", now=NOW)
    assert token.id != other.id
    with store.write() as connection:
        used = accounts.use_token(connection, secret, now=NOW + timedelta(minutes=5))
        assert accounts.use_token(connection, secret + "x", now=NOW) is None
        digests = connection.execute(accounts.api_tokens.select()).all()
    assert used is not None
    assert (used.id, used.name, used.last_used_at) == (
        token.id,
        "feeds bot",
        NOW + timedelta(minutes=5),
    )
    assert all(secret not in repr(row) for row in digests)


def test_sessions_are_stored_as_digests_and_expire(store: Store) -> None:
    with store.write() as connection:
        session_id, session = accounts.create_session(connection, now=NOW)
        stored = connection.execute(accounts.admin_sessions.select()).one()
    assert stored.id_hash == accounts.digest(session_id) != session_id
    with store.read() as connection:
        found = accounts.find_session(
            connection,
            session_id,
            created_after=NOW - timedelta(hours=1),
            seen_after=NOW - timedelta(hours=1),
        )
        expired = accounts.find_session(
            connection, session_id, created_after=NOW, seen_after=NOW - timedelta(hours=1)
        )
    assert found == session
    assert expired is None
    with store.write() as connection:
        assert (
            accounts.prune_sessions(
                connection, created_before=NOW - timedelta(hours=1), seen_before=NOW
            )
            == 1
        )


def test_client_failures(store: Store) -> None:
    with store.write() as connection:
        for minutes, client in [(1, "a"), (2, "b"), (3, "a"), (4, "a")]:
            accounts.record_failure(connection, client, now=NOW + timedelta(minutes=minutes))
    with store.read() as connection:
        assert accounts.client_failures(connection, "a", since=NOW) == accounts.Failures(
            3, NOW + timedelta(minutes=4)
        )
        assert accounts.client_failures(
            connection, "a", since=NOW + timedelta(minutes=3)
        ) == accounts.Failures(1, NOW + timedelta(minutes=4))
        assert accounts.client_failures(connection, "c", since=NOW) == accounts.Failures(0, None)
