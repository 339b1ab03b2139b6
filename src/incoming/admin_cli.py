"""`incoming admin ...`: the admin password and the API tokens, set on the server itself.

Like every command, these take `--database URL` (before or after the command name).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from incoming.cli_support import opened_store


def _when(moment: datetime | None) -> str:
    return "never" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def admin_group() -> click.Group:
    """The `admin` command group, for the main command line to add (what the commands use is
    imported when they run, to keep the command line quick to start)."""

    @click.group("admin")
    def admin() -> None:
        """Who may change the hub: the /admin password and API tokens."""

    @admin.command("set-password")
    @click.option(
        "--password-stdin",
        is_flag=True,
        help="Read the password from the first line of standard input instead of prompting.",
    )
    @click.pass_context
    def set_password_command(ctx: click.Context, password_stdin: bool) -> None:
        """Set the password of the /admin pages (hashed with argon2); ends every admin session."""
        from incoming.publish.admin.auth import set_password

        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("Admin password", hide_input=True, confirmation_prompt=True)
        with opened_store(ctx, creates=True) as store:
            set_password(store, password, now=datetime.now(UTC))
        click.echo("admin password set; any open admin sessions have ended", err=True)

    @admin.command("create-token")
    @click.option("--name", default="api", show_default=True, help="What the token is for.")
    @click.pass_context
    def create_token(ctx: click.Context, name: str) -> None:
        """Create an API token for the API's writes and print it: it is shown this once only."""
        from incoming.store import accounts

        with opened_store(ctx, creates=True) as store, store.write() as connection:
            token, secret = accounts.create_token(connection, name=name, now=datetime.now(UTC))
        click.echo(
            f"created token {token.id} ({token.name}); keep it now, it is not shown again:",
            err=True,
        )
        click.echo(secret)

    @admin.command("tokens")
    @click.pass_context
    def list_tokens(ctx: click.Context) -> None:
        """List the API tokens (their ids and names; the secrets are not stored)."""
        from incoming.store import accounts

        with opened_store(ctx) as store, store.read() as connection:
            found = accounts.list_tokens(connection)
        for token in found:
            click.echo(
                f"{token.id}\t{token.name}\tcreated {_when(token.created_at)}"
                f"\tlast used {_when(token.last_used_at)}"
            )

    @admin.command("revoke-token")
    @click.argument("token_id", type=click.IntRange(1, 2**63 - 1))
    @click.pass_context
    def revoke_token(ctx: click.Context, token_id: int) -> None:
        """Delete an API token (by the id `incoming admin tokens` shows)."""
        from incoming.store import accounts

        with opened_store(ctx) as store, store.write() as connection:
            revoked = accounts.revoke_token(connection, token_id)
        if not revoked:
            raise click.ClickException(f"no token {token_id} (see `incoming admin tokens`)")
        click.echo(f"revoked token {token_id}")

    return admin
