"""The admin login: one argon2-hashed password, failed attempts limited per client and overall.

A failure is recorded *before* the password is checked and cleared only when it proves right,
so parallel guesses from many processes cannot slip past the limit while argon2 works.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from incoming.errors import ConfigError, IncomingError
from incoming.store import accounts
from incoming.store.engine import Store

MIN_PASSWORD_LENGTH = 12


class LoginRefusedError(IncomingError):
    """A login that did not succeed; `retry_after` (seconds) is set while locked out."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class AdminSettings:
    """Limits of the admin area: failed logins allowed per window, session lifetimes, and the
    cost of argon2 (a stored hash made at another cost is redone at the next login)."""

    failures_per_client: int = 5
    failures_overall: int = 50
    lockout_window: timedelta = timedelta(minutes=15)
    session_idle: timedelta = timedelta(hours=2)
    session_lifetime: timedelta = timedelta(hours=12)
    max_upload_bytes: int = 2 * 1024 * 1024
    hasher: PasswordHasher = field(default_factory=PasswordHasher)


def set_password(store: Store, password: str, *, now: datetime) -> None:
    """Store a new admin password, hashed; every open admin session ends.

    ConfigError if the password is too short to protect a public site."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ConfigError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    password_hash = PasswordHasher().hash(password)
    with store.write() as connection:
        accounts.set_password_hash(connection, password_hash, now=now)


def password_is_set(store: Store) -> bool:
    """Whether anyone can log in yet: the login page says how to set one before its form."""
    with store.read() as connection:
        return accounts.password_hash(connection) is not None


def _lockout_seconds(
    connection: Connection, client: str, *, now: datetime, settings: AdminSettings
) -> int | None:
    """Seconds until `client` may try again, None if it may now."""
    since = now - settings.lockout_window
    limits = ((settings.failures_per_client, client), (settings.failures_overall, None))
    for limit, who in limits:
        oldest_counted = accounts.nth_latest_failure(connection, limit, since=since, client=who)
        if oldest_counted is not None:
            remaining = oldest_counted + settings.lockout_window - now
            return max(1, math.ceil(remaining.total_seconds()))
    return None


def _check_password(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def log_in(
    store: Store,
    password: str,
    *,
    client: str,
    previous_session: str | None,
    now: datetime,
    settings: AdminSettings,
) -> str:
    """Check the password and open a new session; returns its id (the cookie value).

    The session the browser had before, if any, is deleted: a fresh id at every login is what
    defeats session fixation. Raises LoginRefusedError (wrong password, locked out, none set).
    """
    with store.write() as connection:
        accounts.prune_failures(connection, before=now - settings.lockout_window)
        password_hash = accounts.password_hash(connection, lock=True)
        if password_hash is None:
            raise LoginRefusedError(
                "no admin password is set: run `incoming admin set-password` on the server"
            )
        retry_after = _lockout_seconds(connection, client, now=now, settings=settings)
        if retry_after is not None:
            raise LoginRefusedError(
                f"too many failed logins: try again in {math.ceil(retry_after / 60)} minute(s)",
                retry_after=retry_after,
            )
        accounts.record_failure(connection, client, now=now)
    hasher = settings.hasher
    if not _check_password(hasher, password_hash, password):
        raise LoginRefusedError("wrong password")
    rehashed = hasher.hash(password) if hasher.check_needs_rehash(password_hash) else None
    with store.write() as connection:
        accounts.clear_failures(connection, client)
        if rehashed is not None:
            accounts.set_password_hash(connection, rehashed, now=now, end_sessions=False)
        if previous_session is not None:
            accounts.delete_session(connection, previous_session)
        accounts.prune_sessions(
            connection,
            created_before=now - settings.session_lifetime,
            seen_before=now - settings.session_idle,
        )
        session_id, _ = accounts.create_session(connection, now=now)
    return session_id
