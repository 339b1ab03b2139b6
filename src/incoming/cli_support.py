"""Options and helpers shared by the `incoming` commands and the `incoming admin` group."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console

from incoming.fetch.settings import FetchSettings
from incoming.store.engine import Store, check_target, open_store

# Tables and summaries go to stdout. Whatever a table shows that came from a feed or a server
# goes in as rich `Text`, never as markup: a title like "[/]" would crash the table.
stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False)


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
        envvar="INCOMING_ALLOW_PRIVATE_ADDRESSES",
        show_envvar=True,
        help="Allow fetching from loopback and private network addresses.",
    )(command)


_DEFAULT_FETCH = FetchSettings()


def _keep_limit(ctx: click.Context, param: click.Parameter, value: int) -> None:
    ctx.obj.setdefault("fetch_limits", {})[param.name] = value


def feed_limit_options(command: Any) -> Any:
    """The limits on what one feed may bring in (runaway feeds), kept for `fetch_settings`."""
    for name, default, text in (
        (
            "max_entries_per_fetch",
            _DEFAULT_FETCH.max_entries_per_fetch,
            "Keep only this many of a fetch's newest entries (0: all).",
        ),
        (
            "max_articles_per_source",
            _DEFAULT_FETCH.max_articles_per_source,
            "Delete a source's oldest articles beyond this many (0: keep all).",
        ),
    ):
        command = click.option(
            f"--{name.replace('_', '-')}",
            name,
            type=click.IntRange(min=0),
            default=default,
            show_default=True,
            envvar=f"INCOMING_{name.upper()}",
            show_envvar=True,
            expose_value=False,
            callback=_keep_limit,
            help=text,
        )(command)
    return command


def fetch_settings(ctx: click.Context, *, allow_private_addresses: bool) -> FetchSettings:
    """The fetch settings of a command: its address policy and its feed limits."""
    return FetchSettings(
        allow_private_addresses=allow_private_addresses, **ctx.obj.get("fetch_limits", {})
    )


@contextmanager
def opened_store(ctx: click.Context, *, creates: bool = False) -> Iterator[Store]:
    """The store of --database. Only commands that set one up (`creates`) may make a new
    SQLite file; none may use an in-memory one (see store.engine.check_target)."""
    check_target(ctx.obj["database"], creates=creates)
    store = open_store(ctx.obj["database"])
    try:
        yield store
    finally:
        store.close()
