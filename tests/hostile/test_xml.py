"""Hostile XML served as feeds: refused or neutralized, fast, small, and no entity resolved.

Every file and every XML string of the corpus's xml-attacks/, plus attacks of our own wrapped
in RSS and Atom. Their external references are pointed at a canary file and at a recording
server of ours, so that resolving any of them would show: in the stored text, or as a hit.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from incoming.fetch import FetchSettings
from incoming.sources import service
from incoming.store.articles import latest_articles
from incoming.store.engine import Store
from tests.sources.test_faults import add_feeds
from tests.support.server import FixtureServer

pytestmark = pytest.mark.corpus

ROOT = Path(__file__).resolve().parents[2]
SECRET = "CANARY-7f3a9c"  # in the canary file: must never reach the store
MAX_SECONDS = 1.0
MAX_PEAK_RISE = 100 * 1024 * 1024
_URL = re.compile(r"""(?:https?|ftp|file|php|expect|jar|netdoc|gopher)://[^"'\s<>%]*""")
RSS_HEAD = "<?xml version='1.0'?>"
RSS_BODY = (
    "<rss version='2.0'><channel><title>t {ref}</title><item><guid>1</guid>"
    "<title>x {ref}</title><description>d {ref}</description></item></channel></rss>"
)
ATOM_BODY = (
    "<feed xmlns='http://www.w3.org/2005/Atom'><title>{ref}</title><id>urn:t</id>"
    "<entry><id>urn:1</id><title>{ref}</title><content type='html'>{ref}</content></entry></feed>"
)


def our_attacks(canary: str, spy: str) -> dict[str, str]:
    """XXE, parameter entities, external DTDs and entity bombs inside real feeds."""
    laughs = "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' if n else '<!ENTITY l0 "lol">' for n in range(10)
    )
    attacks = {
        "xxe file": (f'<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{canary}">]>', "&x;"),
        "xxe http": (f'<!DOCTYPE rss [<!ENTITY x SYSTEM "{spy}/xxe">]>', "&x;"),
        "xxe public": (f'<!DOCTYPE rss [<!ENTITY x PUBLIC "-//x//y" "{spy}/public">]>', "&x;"),
        "parameter entity": (
            f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "{spy}/param.dtd"> %p;]>',
            "&send;",
        ),
        "external dtd": (f'<!DOCTYPE rss SYSTEM "{spy}/external.dtd">', "&x;"),
        "billion laughs": (f"<!DOCTYPE rss [{laughs}]>", "&l9;"),
        "quadratic blowup": (f'<!DOCTYPE rss [<!ENTITY q "{"Q" * 50_000}">]>', "&q;" * 2_000),
        "xinclude": (
            "",
            f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{canary}"'
            ' parse="text"/>',
        ),
    }
    documents = {}
    for name, (doctype, ref) in attacks.items():
        documents[f"rss {name}"] = RSS_HEAD + doctype + RSS_BODY.format(ref=ref)
        atom_doctype = doctype.replace("DOCTYPE rss", "DOCTYPE feed")
        documents[f"atom {name}"] = RSS_HEAD + atom_doctype + ATOM_BODY.format(ref=ref)
    return documents


def corpus_attacks(corpus: Path, canary: str, spy: str) -> dict[str, str]:
    """Every corpus document, its URLs pointed at our spy and its files at our canary."""
    found: dict[str, str] = {}
    for path in sorted((corpus / "xml-attacks").rglob("*")):
        if path.suffix in (".xml", ".xsd", ".xsl"):
            found[str(path.relative_to(corpus))] = path.read_text(encoding="utf-8")
        elif path.suffix == ".json":
            for n, text in enumerate(json.loads(path.read_text(encoding="utf-8"))):
                found[f"{path.relative_to(corpus)}[{n}]"] = text

    def redirect(match: re.Match[str]) -> str:
        return f"file://{canary}" if match.group().startswith("file:") else f"{spy}/corpus"

    return {name: _URL.sub(redirect, text) for name, text in found.items()}


@pytest.fixture
def spy() -> Iterator[FixtureServer]:
    """A server that answers every external reference, so that a request to it shows."""
    with FixtureServer() as running:
        for path in ("/xxe", "/public", "/param.dtd", "/external.dtd", "/corpus"):
            running.route(path, body=f'<!ENTITY x "{SECRET}"><!ENTITY send "{SECRET}">'.encode())
        yield running


@pytest.fixture
def documents(corpus: Path, tmp_path: Path, spy: FixtureServer) -> dict[str, str]:
    canary = tmp_path / "canary.txt"
    canary.write_text(SECRET)
    base = spy.url("").rstrip("/")
    found = {**corpus_attacks(corpus, str(canary), base), **our_attacks(str(canary), base)}
    assert len(found) > 200
    return found


def test_each_is_refused_or_neutralized_fast_and_small(
    documents: dict[str, str], spy: FixtureServer
) -> None:
    """In a fresh process, so the peak RSS is this work's alone."""
    names = list(documents)
    done = subprocess.run(
        [sys.executable, "-m", "tests.hostile.xml_probe"],
        input=json.dumps([documents[name] for name in names]),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    results = dict(zip(names, json.loads(done.stdout), strict=True))
    slow = {name: r["seconds"] for name, r in results.items() if r["seconds"] > MAX_SECONDS}
    assert slow == {}
    assert max(r["peak_rise"] for r in results.values()) < MAX_PEAK_RISE
    leaked = [name for name, r in results.items() if SECRET in r["text"]]
    assert leaked == []
    assert spy.requests == []
    for name in ("rss billion laughs", "rss quadratic blowup", "atom billion laughs"):
        assert results[name]["outcome"] == "refused" or len(results[name]["text"]) < 1_000_000
    refused = sum(r["outcome"] == "refused" for r in results.values())
    print(f"{len(results)} hostile XML documents: {refused} refused, the rest neutralized")


def test_served_as_feeds_they_fail_alone(
    store: Store, server: FixtureServer, spy: FixtureServer, documents: dict[str, str]
) -> None:
    """Through the real fetcher and pipeline, beside a good feed: no internal error."""
    paths = []
    for n, text in enumerate(documents.values()):
        paths.append(f"/x{n}")
        server.route(paths[-1], body=text.encode(), headers={"Content-Type": "application/xml"})
    server.route("/good", body=(RSS_HEAD + RSS_BODY.format(ref="ok")).encode())
    add_feeds(store, server, *paths, "/good")
    outcomes = asyncio.run(
        service.fetch_sources(
            store, None, fetch_settings=FetchSettings(allow_private_addresses=True)
        )
    )
    assert [o.error for o in outcomes if o.error and "internal error" in o.error] == []
    assert not {o.name: o for o in outcomes}["/good"].failed
    with store.read() as connection:
        stored = latest_articles(connection, limit=10_000)
    assert not any(SECRET in a.title + a.content_html + a.content_text for a in stored)
    assert spy.requests == []
