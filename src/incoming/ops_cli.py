"""Commands for running Incoming in production: `incoming backup`."""

from __future__ import annotations

from pathlib import Path

import click

from incoming.cli_support import database_option


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@database_option
@click.pass_context
def backup(ctx: click.Context, file: Path, force: bool) -> None:
    """Copy the SQLite database to FILE, safely while the site serves and fetches write
    (PostgreSQL: use pg_dump)."""
    from incoming.store.backup import backup_sqlite  # on use: SQLAlchemy is slow to import

    size = backup_sqlite(ctx.obj["database"], file, force=force)
    click.echo(f"backed up {ctx.obj['database']} to {file} ({size / 1e6:.1f} MB)")


def ops_commands() -> list[click.Command]:
    """The commands for the main command line to add."""
    return [backup]
