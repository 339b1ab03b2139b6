"""`incoming admin`: setting the password and making API tokens from the command line."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import click
import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

from incoming.cli import cli
from incoming.store import accounts
from incoming.store.engine import Store


def run(db_url: str, *args: str, stdin: str | None = None) -> click.testing.Result:
    return CliRunner().invoke(cli, ["--database", db_url, "admin", *args], input=stdin)


def stored_hash(store: Store) -> str | None:
    with store.read() as connection:
        return accounts.password_hash(connection)


def test_set_password_from_stdin(store: Store, db_url: str) -> None:
    result = run(db_url, "set-password", "--password-stdin", stdin="a long passphrase\nignored\n")
    assert result.exit_code == 0, result.output
    stored = stored_hash(store)
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PasswordHasher().verify(stored, "a long passphrase")


def test_set_password_prompts_twice(store: Store, db_url: str) -> None:
    mismatch = run(db_url, "set-password", stdin="first passphrase\nsecond passphrase\n")
    assert mismatch.exit_code != 0
    assert stored_hash(store) is None
    result = run(db_url, "set-password", stdin="same passphrase!\nsame passphrase!\n")
    assert result.exit_code == 0, result.output
    assert PasswordHasher().verify(stored_hash(store) or "", "same passphrase!")


def test_short_passwords_are_refused(store: Store, db_url: str) -> None:
    result = run(db_url, "set-password", "--password-stdin", stdin="short\n")
    assert result.exit_code == 1
    assert "at least 12 characters" in result.stderr
    assert result.stderr.startswith("incoming: error:")
    assert stored_hash(store) is None


def test_create_token_prints_it_once_and_stores_only_its_hash(store: Store, db_url: str) -> None:
    result = run(db_url, "create-token", "--name", "ci")
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("incoming_")
    assert len(secret) > 40
    with store.read() as connection:
        rows = connection.execute(accounts.api_tokens.select()).all()
    assert [(row.name, row.token_hash) for row in rows] == [
        ("ci", hashlib.sha256(secret.encode()).hexdigest())
    ]
    assert secret not in repr(rows)


def test_list_and_revoke_tokens(store: Store, db_url: str) -> None:
    secret = run(db_url, "create-token").stdout.strip()
    listing = run(db_url, "tokens")
    assert listing.stdout.startswith("1\tapi\tcreated ")
    assert "last used never" in listing.stdout
    assert secret not in listing.stdout
    assert run(db_url, "revoke-token", "1").exit_code == 0
    with store.write() as connection:
        assert accounts.use_token(connection, secret, now=datetime.now(UTC)) is None
    missing = run(db_url, "revoke-token", "1")
    assert missing.exit_code == 1
    assert "no token 1" in missing.output


@pytest.mark.parametrize("value", ["0", "x", "99999999999999999999"])
def test_revoke_token_checks_its_argument(db_url: str, value: str) -> None:
    assert run(db_url, "revoke-token", value).exit_code == 2
