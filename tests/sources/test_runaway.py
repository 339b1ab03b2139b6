"""Feeds that churn on every fetch, served for real, on both databases: new guids for the same
articles, bumped dates, cache-busters and timestamps, a counter in every entry. None of them
adds rows or pins the front page; a real edit of one entry still moves it up."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

import pytest
from click.testing import CliRunner

from incoming.cli import cli
from incoming.fetch import FetchSettings
from incoming.sources import service
from incoming.store.articles import count_articles, latest_articles
from incoming.store.engine import Store
from incoming.store.sources import add_source
from tests.sources.feeds import RSS_HEADERS
from tests.support.server import FixtureServer

LOCAL = FetchSettings(allow_private_addresses=True)
ENTRIES = 12
OLD = datetime(2025, 3, 1, 8, tzinfo=UTC)


def churning_feed(
    round_: int,
    *,
    guids: bool = False,
    dates: bool = False,
    noise: bool = False,
    counter: bool = False,
    edited: int | None = None,
) -> bytes:
    """The same 12 articles as fetch number `round_` sees them: with new guids, dates bumped
    to the fetch, a cache-buster and a timestamp in the content, or a counter in the text."""
    fetched = OLD + timedelta(days=30 + round_)
    items = []
    for n in range(ENTRIES):
        date = fetched if dates else OLD - timedelta(hours=n)
        html = f"<p>Article {n} about attention and its cost.</p>"
        if noise:
            html += (
                f'<p><img src="https://cdn.example.org/{n}.png?v={round_}{n}">'
                f"Page generated {fetched.isoformat()} at {fetched:%H:%M:%S}.</p>"
            )
        if counter:
            html += f"<p>{round_ * 17 + n} readers so far.</p>"
        if edited == n:
            html += "<p>Update: the figures are corrected.</p>"
        guid = f"{n}-{round_}" if guids else str(n)
        items.append(
            f"<item><guid>{guid}</guid><title>Article {n}</title>"
            f"<link>https://blog.example.org/{n}?utm_source=rss&amp;utm_medium={round_}</link>"
            f"<pubDate>{date:%a, %d %b %Y %H:%M:%S} GMT</pubDate>"
            f"<description>{escape(html)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>churn</title>'
        f"<link>https://blog.example.org/</link>{''.join(items)}</channel></rss>"
    ).encode()


def fetch(store: Store) -> list[service.Outcome]:
    return asyncio.run(service.fetch_sources(store, None, fetch_settings=LOCAL))


def places(store: Store) -> dict[str, tuple[int, datetime]]:
    with store.read() as connection:
        return {a.title: (a.id, a.updated) for a in latest_articles(connection, limit=100)}


def served(
    store: Store, server: FixtureServer, **churn: object
) -> list[dict[str, tuple[int, datetime]]]:
    """Fetch the churning feed three times; the places of its articles after each fetch."""
    with store.write() as connection:
        add_source(connection, kind="feed", url=server.url("/churn"), now=datetime.now(UTC))
    seen = []
    for round_ in range(3):
        server.route("/churn", body=churning_feed(round_, **churn), headers=RSS_HEADERS)  # type: ignore[arg-type]
        [outcome] = fetch(store)
        assert outcome.error is None
        if round_:
            assert outcome.counts.new == 0
            assert outcome.counts.updated == 0
        seen.append(places(store))
    return seen


def test_new_guids_for_the_same_articles_add_nothing(store: Store, server: FixtureServer) -> None:
    first, *later = served(store, server, guids=True)
    assert len(first) == ENTRIES
    assert all(round_ == first for round_ in later)  # same rows, same places
    with store.read() as connection:
        assert count_articles(connection) == ENTRIES
        guids = {a.guid for a in latest_articles(connection, limit=100)}
    assert guids == {f"{n}-2" for n in range(ENTRIES)}  # the newest guid is kept


def test_bumped_dates_cache_busters_and_timestamps_keep_places(
    store: Store, server: FixtureServer
) -> None:
    first, *later = served(store, server, dates=True, noise=True)
    assert all(round_ == first for round_ in later)


def test_a_counter_in_every_entry_does_not_pin_the_front_page(
    store: Store, server: FixtureServer
) -> None:
    first, *later = served(store, server, counter=True)
    assert all(round_ == first for round_ in later)


def test_everything_at_once_keeps_one_row_per_article_in_place(
    store: Store, server: FixtureServer
) -> None:
    first, *later = served(store, server, guids=True, dates=True, noise=True)
    assert all(round_ == first for round_ in later)


def test_a_real_edit_of_one_entry_still_moves_it_up(store: Store, server: FixtureServer) -> None:
    first, *_ = served(store, server, noise=True)
    server.route("/churn", body=churning_feed(3, noise=True, edited=5), headers=RSS_HEADERS)
    [outcome] = fetch(store)
    assert (outcome.counts.new, outcome.counts.updated) == (0, 1)
    with store.read() as connection:
        top = latest_articles(connection, limit=1)[0]
    assert (top.title, top.id) == ("Article 5", first["Article 5"][0])
    assert top.updated > first["Article 0"][1]


_ATOM_ID = re.compile(rb"<id>(tag:[^<]+)</id>")


def test_a_real_feed_served_again_with_new_ids_adds_nothing(
    store: Store, server: FixtureServer, corpus: Path
) -> None:
    body = (corpus / "feeds/zh/rodel-reader/v2ex_atom.xml").read_bytes()
    headers = {"Content-Type": "application/atom+xml"}
    server.route("/v2ex", body=body, headers=headers)
    with store.write() as connection:
        add_source(connection, kind="feed", url=server.url("/v2ex"), now=datetime.now(UTC))
    [outcome] = fetch(store)
    before = places(store)
    assert outcome.counts.new == len(before) > 40
    reissued = _ATOM_ID.sub(rb"<id>\1?fetch=2</id>", body)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    reissued = re.sub(rb"<updated>[^<]+</updated>", b"<updated>" + now + b"</updated>", reissued)
    server.route("/v2ex", body=reissued, headers=headers)
    [outcome] = fetch(store)
    assert (outcome.counts.new, outcome.counts.updated) == (0, 0)
    assert places(store) == before


def test_the_cap_keeps_the_newest_entries_and_says_how_many_it_left_out(
    store: Store, server: FixtureServer, caplog: object
) -> None:
    server.route("/churn", body=churning_feed(0), headers=RSS_HEADERS)
    with store.write() as connection:
        add_source(connection, kind="feed", url=server.url("/churn"), now=datetime.now(UTC))
    with caplog.at_level("INFO", logger="incoming.sources.refresh"):  # type: ignore[attr-defined]
        [outcome] = asyncio.run(
            service.fetch_sources(
                store, None, fetch_settings=replace(LOCAL, max_entries_per_fetch=5)
            )
        )
    assert (outcome.counts.new, outcome.counts.dropped) == (5, ENTRIES - 5)
    assert set(places(store)) == {f"Article {n}" for n in range(5)}  # the newest five
    assert "7 oldest entries over the per-fetch cap left out" in caplog.text  # type: ignore[attr-defined]


def test_the_retention_limit_deletes_old_articles_but_never_what_the_feed_lists(
    store: Store, server: FixtureServer
) -> None:
    settings = replace(LOCAL, max_articles_per_source=5)
    server.route("/churn", body=churning_feed(0), headers=RSS_HEADERS)
    with store.write() as connection:
        add_source(connection, kind="feed", url=server.url("/churn"), now=datetime.now(UTC))
    [outcome] = asyncio.run(service.fetch_sources(store, None, fetch_settings=settings))
    assert (outcome.counts.new, outcome.counts.pruned) == (ENTRIES, 0)  # all listed: all kept
    later = churning_feed(0).replace(b"<guid>", b"<guid>b").replace(b"Article", b"Essay")
    later = later.replace(b"2025", b"2026").replace(b"blog.example.org/", b"blog.example.org/b")
    server.route("/churn", body=later, headers=RSS_HEADERS)
    [outcome] = asyncio.run(service.fetch_sources(store, None, fetch_settings=settings))
    assert (outcome.counts.new, outcome.counts.pruned) == (ENTRIES, ENTRIES)
    assert set(places(store)) == {f"Essay {n}" for n in range(ENTRIES)}


def test_the_limits_are_settings_of_the_commands(
    db_url: str, server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INCOMING_ALLOW_PRIVATE_ADDRESSES", "1")
    server.route("/churn", body=churning_feed(0), headers=RSS_HEADERS)

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, ["--database", db_url, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    monkeypatch.setenv("INCOMING_MAX_ENTRIES_PER_FETCH", "4")
    assert "4 articles" in run("add", server.url("/churn"))
    monkeypatch.setenv("INCOMING_MAX_ENTRIES_PER_FETCH", "6")
    fetched = run("fetch")
    assert "2 new" in fetched
    assert "6 oldest entries over the per-fetch cap left out" in " ".join(fetched.split())
