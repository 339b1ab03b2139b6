"""The command line end to end: real database, real HTTP server, one-line errors with exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from incoming.cli import cli
from incoming.store.engine import Store
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.server import FixtureServer

ITEMS = [
    ("b", "扩散模型 DDPM", r"<p>前向过程 \(q(x_t \mid x_{t-1})\) 逐步加噪。</p>"),
    ("a", "Word2Vec", "<p>Skip-gram.</p>"),
]


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("INCOMING_ALLOW_PRIVATE_ADDRESSES", "1")

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--database", db_url, *args], catch_exceptions=False)

    return invoke


def test_add_fetch_list(run, server: FixtureServer) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    added = run("add", server.url("/feed.xml"), "--topic", "Generative")
    assert added.exit_code == 0, added.output
    assert "2 articles" in added.output

    fetched = run("fetch")
    assert fetched.exit_code == 0
    assert "0 new" in fetched.output
    assert "2 unchanged" in fetched.output

    listed = run("sources", "--json")
    [source] = [json.loads(line) for line in listed.output.splitlines()]
    assert source["url"] == server.url("/feed.xml")
    assert source["articles"] == 2

    articles = [json.loads(line) for line in run("articles", "--json").output.splitlines()]
    assert [a["title"] for a in articles] == ["扩散模型 DDPM", "Word2Vec"]
    assert set(articles[0]) >= {
        "id",
        "source",
        "guid",
        "url",
        "title",
        "author",
        "published",
        "updated",
        "topics",
        "excerpt",
        "text",
        "html",
    }
    assert "<math" in articles[0]["html"]
    assert articles[0]["topics"] == ["Generative", "NLP"]  # the source's topic, the feed's
    by_topic = run("articles", "--topic", "GENERATIVE", "--json").output.splitlines()
    assert len(by_topic) == 2
    assert "扩散模型" in run("articles").output

    removed = run("remove", str(source["id"]))
    assert removed.exit_code == 0
    assert "2 articles" in removed.output
    assert run("sources", "--json").output == ""


def test_opml_commands(run, tmp_path: Path) -> None:
    opml = tmp_path / "list.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="RL">'
        '<outline type="rss" text="A" xmlUrl="https://a.example/feed"/></outline></body></opml>'
    )
    assert "added 1 source, 0 already present" in run("import-opml", str(opml)).output
    out = tmp_path / "out.opml"
    assert run("export-opml", "-o", str(out)).exit_code == 0
    assert "https://a.example/feed" in out.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "/no/such/folder"], "neither an http(s) URL nor an existing folder"),
        (["remove", "42"], "no source '42'"),
        (["fetch", "nope"], "no source 'nope'"),
        (["articles", "--source", "7"], "no source '7'"),
        (["articles", "--topic", "nosuch"], "no topic 'nosuch'"),
        (["import-opml", "missing.opml"], "cannot read missing.opml: No such file or directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(run, store: Store, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert message in result.stderr


def test_unreachable_and_not_a_feed(run, server: FixtureServer) -> None:
    server.route(
        "/page", body=b"<html><p>no feed</p></html>", headers={"Content-Type": "text/html"}
    )
    for url, message in [(server.url("/page"), "feed"), (server.url("/missing"), "404")]:
        result = run("add", url)
        assert result.exit_code == 1
        assert message in result.stderr
    assert run("sources", "--json").output == ""


def test_bad_database_url(tmp_path: Path) -> None:
    for url, command, message in [
        ("nonsense://", "sources", "database"),
        (f"sqlite:///{tmp_path}/x/y/z.db", "sources", "no database at"),
        (f"sqlite:///{tmp_path}/x/y/z.db", "migrate", "cannot open"),  # a command that creates
    ]:
        result = CliRunner().invoke(cli, ["--database", url, command])
        assert result.exit_code == 1, result.output
        assert message in result.stderr
        assert "Traceback" not in result.output


def test_migrate(run) -> None:
    first, second = run("migrate"), run("migrate")
    assert first.exit_code == 0
    assert "migrated to revision" in first.output
    assert second.exit_code == 0
    assert "up to date" in second.output


def test_database_option_after_the_command(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("# 笔记\n\n内容。\n", encoding="utf-8")
    added = CliRunner().invoke(cli, ["add", str(folder), "--database", db_url])
    assert added.exit_code == 0, added.output
    listed = CliRunner().invoke(cli, ["articles", "--json", "--database", db_url])
    assert [json.loads(line)["title"] for line in listed.output.splitlines()] == ["笔记"]


def test_stored_text_cannot_drive_the_terminal(run, server: FixtureServer) -> None:
    """Rich markup in a title crashed the tables (MarkupError); ESC sequences reached them."""
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "[/] feed",
        "items": [
            {"id": "1", "title": "[/] [link=https://evil.example]x[/link]", "content_html": "a"},
            {
                "id": "2",
                "title": "\u001b[2J\u001b]8;;https://evil.example\u0007y",
                "content_html": "b",
            },
        ],
    }
    server.route(
        "/f.json", body=json.dumps(feed).encode(), headers={"Content-Type": "application/feed+json"}
    )
    assert run("add", server.url("/f.json")).exit_code == 0
    for command in (["articles"], ["sources"], ["search", "x"], ["fetch"]):
        shown = run(*command)
        assert shown.exit_code == 0, shown.output
        assert "\x1b" not in shown.output
    shown = run("articles").output
    assert "[/]" in shown  # shown as typed: markup in stored text is text
    assert "[link=" in shown


@pytest.mark.parametrize(
    "args",
    [
        ["sources"],
        ["articles"],
        ["search", "attention"],
        ["export-opml"],
        ["fetch"],
        ["remove", "1"],
        ["reindex"],
        ["status"],
        ["admin", "tokens"],
    ],
)
def test_a_mistyped_sqlite_path_is_refused_not_created(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "typo.db"
    result = CliRunner().invoke(cli, ["--database", f"sqlite:///{missing}", *args])
    assert result.exit_code == 1
    assert f"no database at {missing}" in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert not missing.exists()


@pytest.mark.parametrize("command", [["migrate"], ["import-opml"], ["add"]])
def test_commands_that_set_a_store_up_create_it(tmp_path: Path, command: list[str]) -> None:
    created = tmp_path / "new.db"
    opml = tmp_path / "list.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline xmlUrl="https://a.example/f"/></body></opml>'
    )
    notes = tmp_path / "notes"
    notes.mkdir()
    extra = {"import-opml": [str(opml)], "add": [str(notes)]}.get(command[0], [])
    result = CliRunner().invoke(cli, ["--database", f"sqlite:///{created}", *command, *extra])
    assert result.exit_code == 0, result.output
    assert created.exists()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_store_is_refused_by_commands(url: str, tmp_path: Path) -> None:
    for args in (["add", str(tmp_path)], ["sources"], ["migrate"]):
        result = CliRunner().invoke(cli, ["--database", url, *args])
        assert result.exit_code == 1
        assert "in-memory database, gone when the command ends" in result.stderr


def test_add_with_a_content_format(run, server: FixtureServer) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    added = run("add", server.url("/feed.xml"), "--format", "text")
    assert added.exit_code == 0, added.output
    [source] = [json.loads(line) for line in run("sources", "--json").output.splitlines()]
    assert source["content_format"] == "text"
    [article] = [
        json.loads(line)
        for line in run("articles", "--json").output.splitlines()
        if json.loads(line)["title"] == "Word2Vec"
    ]
    assert article["text"] == "<p>Skip-gram.</p>"


def test_add_with_an_unknown_content_format_fails_with_the_choices(
    run, store: Store, server: FixtureServer
) -> None:
    refused = run("add", server.url("/feed.xml"), "--format", "rtf")
    assert refused.exit_code == 2
    assert "'rtf' is not one of 'auto', 'html', 'markdown', 'text'" in refused.output
    assert run("sources", "--json").output == ""


def test_counts_take_their_noun_in_the_singular(run, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "one.md").write_text("# 注意力\n\n缩放点积注意力。\n", encoding="utf-8")
    added = run("add", str(notes))
    assert added.output.endswith(", 1 article\n")
    assert run("reindex").output == "indexed 1 article\n"
    assert "1 article matches, 1 shown" in run("search", "注意力").output
    assert "1 source: 0 new" in " ".join(run("fetch").output.split())
    assert run("remove", "1").output.endswith("and 1 article\n")


def test_fetch_says_a_partial_failure_by_its_exit_code(run, server: FixtureServer) -> None:
    server.route("/a.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    server.route("/b.xml", body=rss(ITEMS[:1]), headers=RSS_HEADERS)
    assert run("add", server.url("/a.xml")).exit_code == 0
    assert run("add", server.url("/b.xml")).exit_code == 0
    assert run("fetch").exit_code == 0
    server.route("/a.xml", body=b"", status=500)
    assert run("fetch", "1", "2").exit_code == 3  # one of two failed
    server.route("/b.xml", body=b"", status=500)
    assert run("fetch", "1", "2").exit_code == 1  # every source failed


def test_remove_asks_first_on_a_terminal(
    run, db_url: str, server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    assert run("add", server.url("/feed.xml")).exit_code == 0
    monkeypatch.setattr("incoming.cli._interactive", lambda: True)
    kept = CliRunner().invoke(
        cli, ["--database", db_url, "remove", "1"], input="n\n", catch_exceptions=False
    )
    assert kept.exit_code == 1
    assert "remove source 1:" in kept.stderr
    assert "and 2 articles?" in kept.stderr
    assert "nothing removed" in kept.stderr
    assert run("remove", "1", "--yes").exit_code == 0


def test_sources_fold_long_urls_instead_of_cutting_them(run, server: FixtureServer) -> None:
    path = "/feeds/machine-learning/attention-is-all-you-need/rss-feed-with-a-long-name.xml"
    server.route(path, body=rss(ITEMS), headers=RSS_HEADERS)
    assert run("add", server.url(path)).exit_code == 0
    shown = run("sources").output
    assert "…" not in shown
    url_cells = [line.split("│")[4].strip() for line in shown.splitlines() if "│" in line]
    assert "".join(url_cells) == server.url(path)
