"""Who may change the hub: API tokens, the admin password, admin sessions, failed logins.

Secrets never reach the database in the clear: tokens and session ids are stored as SHA-256
digests (they are long random strings, so a plain digest is enough), the password as the
argon2 hash the caller made. Everything lives in the database so that several web processes
share sessions and login limits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    Index,
    Integer,
    Row,
    String,
    Table,
    Text,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    update,
)

from incoming.store.schema import Key, metadata
from incoming.store.types import UTCDateTime

TOKEN_PREFIX = "incoming_"
ADMIN_ROW_ID = 1

admin_password = Table(
    "admin_password",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("changed_at", UTCDateTime, nullable=False),
    CheckConstraint(f"id = {ADMIN_ROW_ID}", name="ck_admin_password_single_row"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Key, primary_key=True),
    Column("name", Text, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
    sqlite_autoincrement=True,  # ids name tokens to revoke: never given again
)

admin_sessions = Table(
    "admin_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    # One message for the next page, then cleared (the result of a form sent before a redirect).
    Column("flash", Text),
    Column("flash_is_error", Boolean, nullable=False, server_default=false()),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Key, primary_key=True),
    Column("client", Text, nullable=False),
    Column("failed_at", UTCDateTime, nullable=False),
    Index(None, "client", "failed_at"),
    Index(None, "failed_at"),
)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- API tokens ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


def _token_from(row: Row[Any]) -> ApiToken:
    return ApiToken(**row._mapping)


_TOKEN_COLUMNS = (
    api_tokens.c.id,
    api_tokens.c.name,
    api_tokens.c.created_at,
    api_tokens.c.last_used_at,
)


def create_token(connection: Connection, *, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token and its secret: the secret is returned this once and stored only hashed."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = connection.execute(
        insert(api_tokens)
        .values(name=name, token_hash=digest(secret), created_at=now)
        .returning(*_TOKEN_COLUMNS)
    ).one()
    return _token_from(row), secret


def find_token(connection: Connection, secret: str) -> ApiToken | None:
    """The token with this secret, None if no such token exists; reads only."""
    row = connection.execute(
        select(*_TOKEN_COLUMNS).where(api_tokens.c.token_hash == digest(secret))
    ).first()
    return None if row is None else _token_from(row)


def use_token(connection: Connection, secret: str, *, now: datetime) -> ApiToken | None:
    """The token with this secret, marked as used now; None if no such token exists."""
    row = connection.execute(
        update(api_tokens)
        .where(api_tokens.c.token_hash == digest(secret))
        .values(last_used_at=now)
        .returning(*_TOKEN_COLUMNS)
    ).first()
    return None if row is None else _token_from(row)


def list_tokens(connection: Connection) -> list[ApiToken]:
    rows = connection.execute(select(*_TOKEN_COLUMNS).order_by(api_tokens.c.id))
    return [_token_from(row) for row in rows]


def revoke_token(connection: Connection, token_id: int) -> bool:
    """Delete a token; False if there was none with this id."""
    return connection.execute(delete(api_tokens).where(api_tokens.c.id == token_id)).rowcount > 0


# --- the admin password ----------------------------------------------------------------------


def set_password_hash(
    connection: Connection, password_hash: str, *, now: datetime, end_sessions: bool = True
) -> None:
    """Store the admin password's hash; a new password ends every session (a rehash of the same
    password need not)."""
    values = {"password_hash": password_hash, "changed_at": now}
    changed = connection.execute(
        update(admin_password).where(admin_password.c.id == ADMIN_ROW_ID).values(**values)
    ).rowcount
    if not changed:
        connection.execute(insert(admin_password).values(id=ADMIN_ROW_ID, **values))
    if end_sessions:
        connection.execute(delete(admin_sessions))


def password_hash(connection: Connection, *, lock: bool = False) -> str | None:
    """The admin password's hash, None if none is set.

    `lock` holds the row until the transaction ends, serializing logins across processes on
    PostgreSQL (SQLite's write transactions are serial already).
    """
    query = select(admin_password.c.password_hash).where(admin_password.c.id == ADMIN_ROW_ID)
    if lock:
        query = query.with_for_update()
    return connection.execute(query).scalar_one_or_none()


# --- admin sessions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdminSession:
    id_hash: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    flash: str | None
    flash_is_error: bool


def create_session(connection: Connection, *, now: datetime) -> tuple[str, AdminSession]:
    """A new session and the id to give the browser (stored only as its digest)."""
    session_id = secrets.token_urlsafe(32)
    session = AdminSession(digest(session_id), secrets.token_urlsafe(32), now, now, None, False)
    connection.execute(
        insert(admin_sessions).values(
            id_hash=session.id_hash,
            csrf_token=session.csrf_token,
            created_at=now,
            last_seen_at=now,
        )
    )
    return session_id, session


def find_session(
    connection: Connection, session_id: str, *, created_after: datetime, seen_after: datetime
) -> AdminSession | None:
    """The live session with this id: created and last seen after the given times."""
    row = connection.execute(
        select(admin_sessions).where(
            admin_sessions.c.id_hash == digest(session_id),
            admin_sessions.c.created_at > created_after,
            admin_sessions.c.last_seen_at > seen_after,
        )
    ).first()
    return None if row is None else AdminSession(**row._mapping)


def touch_session(connection: Connection, id_hash: str, *, now: datetime) -> None:
    connection.execute(
        update(admin_sessions).where(admin_sessions.c.id_hash == id_hash).values(last_seen_at=now)
    )


def set_flash(
    connection: Connection, id_hash: str, message: str | None, *, is_error: bool = False
) -> None:
    connection.execute(
        update(admin_sessions)
        .where(admin_sessions.c.id_hash == id_hash)
        .values(flash=message, flash_is_error=is_error)
    )


def delete_session(connection: Connection, session_id: str) -> None:
    connection.execute(delete(admin_sessions).where(admin_sessions.c.id_hash == digest(session_id)))


def prune_sessions(
    connection: Connection, *, created_before: datetime, seen_before: datetime
) -> int:
    """Delete expired sessions; returns how many."""
    return connection.execute(
        delete(admin_sessions).where(
            or_(
                admin_sessions.c.created_at <= created_before,
                admin_sessions.c.last_seen_at <= seen_before,
            )
        )
    ).rowcount


# --- failed logins --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Failures:
    """A client's failed logins still remembered: how many, and the latest one's time."""

    count: int
    latest: datetime | None


def client_failures(connection: Connection, client: str, *, since: datetime) -> Failures:
    """The failed logins of one client after `since`."""
    count, latest = connection.execute(
        select(func.count(), func.max(login_failures.c.failed_at)).where(
            login_failures.c.client == client, login_failures.c.failed_at > since
        )
    ).one()
    return Failures(count, latest)


def record_failure(connection: Connection, client: str, *, now: datetime) -> None:
    connection.execute(insert(login_failures).values(client=client, failed_at=now))


def clear_failures(connection: Connection, client: str) -> None:
    connection.execute(delete(login_failures).where(login_failures.c.client == client))


def prune_failures(connection: Connection, *, before: datetime) -> None:
    connection.execute(delete(login_failures).where(login_failures.c.failed_at <= before))
