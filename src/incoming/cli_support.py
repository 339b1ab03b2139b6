"""Options and helpers shared by the `incoming` commands and the `incoming admin` group."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from incoming.configuration import load_settings

if TYPE_CHECKING:
    from incoming.fetch.settings import FetchSettings
    from incoming.store.engine import Store

# Tables and summaries go to stdout. Whatever a table shows that came from a feed or a server
# goes in as rich `Text`, never as markup: a title like "[/]" would crash the table.
stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False)


def counted(count: int, noun: str) -> str:
    """`1 article`, `2 articles`: the count with its noun, singular or plural."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _override_database(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.obj["database"] = value


def database_option(command: Any) -> Any:
    """`--database` after the command name too (`incoming fetch --database URL`)."""
    return click.option(
        "--database",
        expose_value=False,
        callback=_override_database,
        help="SQLAlchemy URL, as before the command name.",
    )(command)


def allow_private_option(command: Any) -> Any:
    return click.option(
        "--allow-private-addresses",
        is_flag=True,
        help="Allow fetching from loopback and private network addresses "
        "(env INCOMING_ALLOW_PRIVATE_ADDRESSES).",
    )(command)


def fetch_settings(ctx: click.Context, allow_private_addresses: bool) -> FetchSettings:
    """The fetch settings of the environment and config file, and this command's flag."""
    flags = {"allow_private_addresses": True} if allow_private_addresses else {}
    return load_settings(flags, config=ctx.obj.get("config")).fetch


@contextmanager
def opened_store(ctx: click.Context, *, creates: bool = False) -> Iterator[Store]:
    """The store of --database. Only commands that set one up (`creates`) may make a new
    SQLite file; none may use an in-memory one (see store.engine.check_target)."""
    from incoming.store.engine import check_target, open_store  # SQLAlchemy is slow to import

    check_target(ctx.obj["database"], creates=creates)
    store = open_store(ctx.obj["database"])
    try:
        yield store
    finally:
        store.close()
