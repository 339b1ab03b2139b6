"""The `incoming` command line: every command takes --database; errors are one line, exit 1."""

from __future__ import annotations

import html
import json
import re
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from incoming import worker_cli
from incoming.admin_cli import admin_group
from incoming.cli_support import (
    allow_private_option,
    counted,
    database_option,
    fetch_settings,
    opened_store,
    stderr,
    stdout,
)
from incoming.configuration import CONFIG_ENV, given_flags, load_settings, setting_options
from incoming.errors import ConfigError, IncomingError, TopicNotFoundError
from incoming.logs import configure_logging, log_format_option
from incoming.models import CONTENT_FORMATS, ContentFormat
from incoming.ops_cli import ops_commands
from incoming.store import DEFAULT_DATABASE_URL

# Only what defining the commands needs is imported here; each command imports what it uses
# when it runs (SQLAlchemy, the parsers, the server...), so `--help` and the read commands
# start quickly (bench/start.py, tests/test_cli_start.py).
if TYPE_CHECKING:
    from rich.text import Text

    from incoming.index import SearchHit
    from incoming.sources.refresh import Outcome
    from incoming.store.articles import Article
    from incoming.store.sources import Source


def _is_operational_error(exc: Exception) -> bool:
    """A database that went away or stayed locked; only raised once SQLAlchemy is imported, so
    it is not imported here (every exit, even --help's, passes through)."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.OperationalError)


def run_server(store_url: str, **options: Any) -> None:
    """`publish.server.serve`, imported only when a site is served."""
    from incoming.publish.server import serve

    serve(store_url, **options)


def _interactive() -> bool:
    """Whether a person is at the keyboard: questions are asked only then, never of scripts."""
    return sys.stdin.isatty()


# `incoming fetch`: 0 when every source was fetched, 1 when none was (or the input was bad),
# PARTLY_FAILED when some were and some were not (click keeps 2 for a usage error).
PARTLY_FAILED = 3


class IncomingGroup(click.Group):
    """Turns Incoming's own errors into one clear line and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IncomingError as exc:
            click.echo(f"incoming: error: {exc}", err=True)
            ctx.exit(1)
        except Exception as exc:
            if not _is_operational_error(exc):
                raise
            from incoming.store.engine import is_busy, unavailable_reason

            problem = "" if is_busy(exc) else "the database stopped answering: "
            click.echo(f"incoming: error: {problem}{unavailable_reason(exc)}", err=True)
            ctx.exit(1)


@click.group(cls=IncomingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database",
    envvar="INCOMING_DATABASE_URL",
    default=DEFAULT_DATABASE_URL,
    show_default=True,
    show_envvar=True,
    help="SQLAlchemy URL: sqlite:///FILE or postgresql://...",
)
@click.option(
    "--config",
    envvar=CONFIG_ENV,
    show_envvar=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (TOML); default ./incoming.toml when present. See docs/configuration.md.",
)
@log_format_option
@click.version_option(package_name="incoming-hub")
@click.pass_context
def cli(ctx: click.Context, database: str, config: Path | None, log_format: str) -> None:
    """Incoming: gather machine-learning writing from feeds and notes, publish it as a site."""
    ctx.obj = {"database": database, "config": config, "log_format": log_format}
    configure_logging(log_format)


@cli.command("migrate")
@database_option
@click.pass_context
def migrate_command(ctx: click.Context) -> None:
    """Bring the database schema up to date (done on every start too)."""
    from incoming.store.engine import check_target, migrate, open_store

    check_target(ctx.obj["database"], creates=True)
    store = open_store(ctx.obj["database"], apply_migrations=False)
    try:
        applied = migrate(store)
    finally:
        store.close()
    click.echo(f"migrated to revision {applied}" if applied else "the schema is up to date")


@cli.command()
@click.argument("target")
@click.option("--topic", help="Topic given to every article of this source.")
@click.option(
    "--format",
    "content_format",
    type=click.Choice(CONTENT_FORMATS, case_sensitive=False),
    default=ContentFormat.AUTO.value,
    show_default=True,
    help="How a feed's entry content is read; auto: as what each turns out to be.",
)
@allow_private_option
@database_option
@click.pass_context
def add(
    ctx: click.Context,
    target: str,
    topic: str | None,
    content_format: str,
    allow_private_addresses: bool,
) -> None:
    """Add a feed URL (a page announcing a feed works too) or a folder of Markdown notes."""
    import asyncio

    from incoming.sources import service

    settings = fetch_settings(ctx, allow_private_addresses)
    with opened_store(ctx, creates=True) as store:
        added = asyncio.run(
            service.add_source(
                store,
                target,
                topic=topic,
                fetch_settings=settings,
                content_format=ContentFormat(content_format.lower()),
            )
        )
    source, counts = added.source, added.counts
    click.echo(
        f"added source {source.id}: {source.display_name} ({source.url}), "
        + counted(counts.new, "article")
    )


@cli.command()
@click.argument("source")
@click.option("--yes", "-y", is_flag=True, help="Do not ask first (asked only on a terminal).")
@database_option
@click.pass_context
def remove(ctx: click.Context, source: str, yes: bool) -> None:
    """Remove a source (by id or URL) and its articles."""
    from incoming.sources import service
    from incoming.store.sources import article_counts, find_source

    with opened_store(ctx) as store:
        if not yes and _interactive():
            with store.read() as connection:
                found = find_source(connection, source)
                articles = article_counts(connection).get(found.id, 0)
            question = (
                f"remove source {found.id}: {found.display_name} and "
                f"{counted(articles, 'article')}?"
            )
            if not click.confirm(question, err=True):
                click.echo("nothing removed", err=True)
                ctx.exit(1)
        removed, count = service.remove_source(store, source)
    click.echo(
        f"removed source {removed.id}: {removed.display_name} and {counted(count, 'article')}"
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _source_json(source: Source, articles: int) -> dict[str, Any]:
    data = {k: _iso(v) if isinstance(v, datetime) else v for k, v in asdict(source).items()}
    return data | {"articles": articles}


@cli.command("sources")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@database_option
@click.pass_context
def sources_command(ctx: click.Context, as_json: bool) -> None:
    """List the sources with their state and last error."""
    from rich.table import Table
    from rich.text import Text

    from incoming.store.sources import article_counts, list_sources

    with opened_store(ctx) as store, store.read() as connection:
        found = list_sources(connection)
        counts = article_counts(connection)
    if as_json:
        for source in found:
            click.echo(
                json.dumps(_source_json(source, counts.get(source.id, 0)), ensure_ascii=False)
            )
        return
    # A URL, an error or a CJK title can be one long word: folded onto more lines, not cut
    # to "…" at the terminal's width, so that it can still be read whole.
    table = Table()
    for header in ("id", "kind", "title", "url", "articles", "state", "next check", "last error"):
        table.add_column(header, overflow="fold")
    for source in found:
        state = f"failing ×{source.error_count}" if source.error_count else "ok"
        if source.last_success_at is None and not source.error_count:
            state = "new"
        table.add_row(
            str(source.id),
            source.kind,
            Text(source.title),
            Text(source.url),
            str(counts.get(source.id, 0)),
            state,
            f"{source.next_check_at:%Y-%m-%d %H:%M}" if source.next_check_at else "",
            Text(source.last_error or ""),
        )
    stdout.print(table)


@cli.command()
@click.argument("sources", nargs=-1)
@allow_private_option
@database_option
@click.pass_context
def fetch(ctx: click.Context, sources: tuple[str, ...], allow_private_addresses: bool) -> None:
    """Fetch every source (or those named) and store what is new or changed."""
    import asyncio

    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from incoming.sources import service
    from incoming.store.sources import find_source, list_sources

    settings = fetch_settings(ctx, allow_private_addresses)
    with opened_store(ctx) as store:
        with store.read() as connection:
            total = len([find_source(connection, s) for s in sources] or list_sources(connection))
        progress = Progress(
            TextColumn("fetching"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=stderr,
            transient=True,
        )
        with progress:
            task = progress.add_task("", total=total)

            def advance(outcome: Outcome) -> None:
                progress.update(task, advance=1, description=escape(outcome.name[:40]))

            outcomes = asyncio.run(
                service.fetch_sources(
                    store, list(sources) or None, fetch_settings=settings, on_outcome=advance
                )
            )
    _print_summary(outcomes)
    failed = sum(outcome.failed for outcome in outcomes)
    if failed:
        ctx.exit(1 if failed == len(outcomes) else PARTLY_FAILED)


def _print_summary(outcomes: list[Outcome]) -> None:
    from rich.table import Table
    from rich.text import Text

    from incoming.models import SaveCounts
    from incoming.sources.refresh import limits_note

    table = Table("source", "new", "updated", "unchanged", "result")
    for o in sorted(outcomes, key=lambda outcome: outcome.source_id):
        result = "not modified" if o.not_modified else "ok" + limits_note(o.counts)
        table.add_row(
            Text(f"{o.source_id} {o.name}"),
            str(o.counts.new),
            str(o.counts.updated),
            str(o.counts.unchanged),
            Text(f"failed: {o.error}", style="red") if o.failed else result,
        )
    stdout.print(table)
    failed = sum(o.failed for o in outcomes)
    stdout.print(
        f"{counted(len(outcomes), 'source')}: {sum(o.counts.new for o in outcomes)} new, "
        f"{sum(o.counts.updated for o in outcomes)} updated, "
        f"{sum(o.counts.unchanged for o in outcomes)} unchanged articles; {failed} failed"
        + limits_note(
            SaveCounts(
                dropped=sum(o.counts.dropped for o in outcomes),
                pruned=sum(o.counts.pruned for o in outcomes),
            )
        )
    )


@cli.command("import-opml")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@database_option
@click.pass_context
def import_opml(ctx: click.Context, file: Path) -> None:
    """Add the feeds of an OPML list; nested outlines become topics."""
    from incoming.sources import service

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror}") from exc
    with opened_store(ctx, creates=True) as store:
        report = service.import_opml(store, data)
    refused = f", {len(report.refused)} refused (not http(s) URLs)" if report.refused else ""
    click.echo(
        f"added {counted(len(report.added), 'source')}, {len(report.skipped)} already "
        f"present{refused}; "
        "run `incoming fetch` to read them"
    )


@cli.command("export-opml")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@database_option
@click.pass_context
def export_opml(ctx: click.Context, output: Path | None) -> None:
    """Write the feeds as OPML 2.0 (to standard output, or --output FILE)."""
    from incoming.sources import service

    with opened_store(ctx) as store:
        data = service.export_opml(store)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)


def article_json(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "source": article.source_id,
        "guid": article.guid,
        "url": article.url,
        "title": article.title,
        "author": article.author,
        "published": _iso(article.published),
        "updated": _iso(article.updated),
        "topics": [name for _, name in article.topics],
        "excerpt": article.excerpt_html,
        "text": article.content_text,
        "html": article.content_html,
    }


@cli.command("articles")
@click.option("--source", help="Only this source (id or URL).")
@click.option("--topic", help="Only this topic (name or slug).")
@click.option("--limit", type=click.IntRange(1, 100_000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@database_option
@click.pass_context
def articles_command(
    ctx: click.Context, source: str | None, topic: str | None, limit: int, as_json: bool
) -> None:
    """List articles, newest update first."""
    from rich.table import Table
    from rich.text import Text

    from incoming.derive import normalize_topic
    from incoming.store.articles import latest_articles
    from incoming.store.queries import get_topic
    from incoming.store.sources import find_source

    with opened_store(ctx) as store, store.read() as connection:
        source_id = find_source(connection, source).id if source else None
        slug = None
        if topic is not None:
            normalized = normalize_topic(topic)
            slug = normalized[0] if normalized else topic
            if get_topic(connection, slug) is None:
                raise TopicNotFoundError(f"no topic {topic!r} (the site lists them at /topics)")
        found = latest_articles(connection, source_id=source_id, topic_slug=slug, limit=limit)
    if as_json:
        for article in found:
            click.echo(json.dumps(article_json(article), ensure_ascii=False))
        return
    table = Table("id", "updated", "source", "title", "topics")
    for article in found:
        table.add_row(
            str(article.id),
            f"{article.updated:%Y-%m-%d %H:%M}",
            Text(article.source_title),
            Text(article.title),
            Text(", ".join(name for _, name in article.topics)),
        )
    stdout.print(table)


def _marked_text(fragment: str) -> Text:
    """An HTML snippet (escaped text, matches in <mark>) as terminal text, matches highlighted."""
    from rich.text import Text

    shown = Text()
    for index, part in enumerate(re.split(r"</?mark>", fragment)):
        shown.append(html.unescape(part), style="bold reverse" if index % 2 else "")
    return shown


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    return {
        "id": hit.article_id,
        "title": hit.title,
        "url": hit.url,
        "score": round(hit.score, 4),
        "snippet": hit.snippet_html,
    }


# An exclusion comes first in a query as often as not (`-vision topic:cv`): words that look
# like options are the query's, not click's.
@cli.command("search", context_settings={"ignore_unknown_options": True})
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line (snippet as HTML).")
@database_option
@click.pass_context
def search_command(ctx: click.Context, query: str, limit: int, as_json: bool) -> None:
    """Search the articles: words and CJK strings, "phrases", -excluded, OR, and the filters
    source:, topic:, after:YYYY-MM-DD, before:YYYY-MM-DD."""
    from rich.table import Table
    from rich.text import Text

    from incoming.index import search

    with opened_store(ctx) as store, store.read() as connection:
        page = search(connection, query, limit=limit)
    if as_json:
        for hit in page.hits:
            click.echo(json.dumps(_hit_json(hit), ensure_ascii=False))
        return
    table = Table("id", "score", "source", "title", "snippet")
    for hit in page.hits:
        table.add_row(
            str(hit.article_id),
            f"{hit.score:.2f}",
            Text(hit.source_title),
            _marked_text(hit.title_html),
            _marked_text(hit.snippet_html),
        )
    stdout.print(table)
    matched = f"{page.total}" if page.total_is_exact else f"more than {page.total - 1}"
    noun = "article matches" if page.total == 1 and page.total_is_exact else "articles match"
    stdout.print(f"{matched} {noun}, {len(page.hits)} shown")


@cli.command("reindex")
@database_option
@click.pass_context
def reindex_command(ctx: click.Context) -> None:
    """Rebuild the search index from the stored articles."""
    from incoming.index import reindex

    with opened_store(ctx) as store:
        count = reindex(store)
    click.echo(f"indexed {counted(count, 'article')}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--demo", is_flag=True, help="Add the bundled demo notes first (once).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Web processes on the port (the refresh then runs in one more process).",
)
@setting_options
@database_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, demo: bool, workers: int, **flags: Any) -> None:
    """Serve the site; due sources are fetched in the background.

    Every setting has a flag here (--base-url, --allowed-host, ...), over the environment
    and the config file: see docs/configuration.md."""
    from incoming.sources import service

    settings = load_settings(given_flags(flags), config=ctx.obj.get("config"))
    if demo:
        with opened_store(ctx, creates=True) as store:
            added = service.ensure_demo_source(store)
        if added is not None:
            click.echo(f"added the demo notes: {counted(added.counts.new, 'article')}")
    run_server(
        ctx.obj["database"],
        host=host,
        port=port,
        settings=settings,
        workers=workers,
        log_format=ctx.obj["log_format"],
    )


cli.add_command(admin_group())
for command in (*ops_commands(), *worker_cli.COMMANDS):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="incoming")
