"""The admin login: one argon2-hashed password; failing clients slowed down, one by one.

A client (an IPv4 address, or an IPv6 /64) gets `free_failures` wrong passwords, then must
wait before each next try: `first_delay`, doubling with every further failure up to
`max_delay`; failures are remembered for `failure_memory`. While it waits, its attempts are
refused before the password is checked, even the right one: checking it would let a throttled
guesser go on at full speed. There is no lock shared by all clients, so no one can lock the
admin out from elsewhere: a correct password from a client that is not waiting always works.

A failure is recorded *before* the password is checked and cleared only when it proves right,
so parallel guesses from many processes cannot slip past the limit while argon2 works.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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
    """Limits of the admin area: how failing clients are slowed down, session lifetimes, and
    the cost of argon2 (a stored hash made at another cost is redone at the next login)."""

    free_failures: int = 5
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=15)
    failure_memory: timedelta = timedelta(hours=24)
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


def client_key(address: str) -> str:
    """Whom failures are counted against: the address, or its /64 for IPv6 (one host
    usually holds a whole /64)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def wait_seconds(failures: accounts.Failures, *, now: datetime, settings: AdminSettings) -> int:
    """Seconds until a client with these failures may try again; 0 if it may now."""
    beyond = failures.count - settings.free_failures
    if beyond < 0 or failures.latest is None:
        return 0
    delay = min(settings.max_delay, settings.first_delay * 2 ** min(beyond, 32))
    remaining = (failures.latest + delay - now).total_seconds()
    return max(0, math.ceil(remaining))


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
    defeats session fixation. Raises LoginRefusedError (wrong password, this client must wait,
    none set).
    """
    client = client_key(client)
    with store.write() as connection:
        accounts.prune_failures(connection, before=now - settings.failure_memory)
        password_hash = accounts.password_hash(connection, lock=True)
        if password_hash is None:
            raise LoginRefusedError(
                "no admin password is set: run `incoming admin set-password` on the server"
            )
        failures = accounts.client_failures(connection, client, since=now - settings.failure_memory)
        retry_after = wait_seconds(failures, now=now, settings=settings)
        if retry_after:
            raise LoginRefusedError(
                f"too many failed logins from your address: try again in {retry_after} s",
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
