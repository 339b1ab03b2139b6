"""What the admin does once logged in: each action, and the CSRF check in front of every one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient

from incoming.store import accounts
from incoming.store.engine import Store
from incoming.store.sources import add_source, list_sources, record_failure
from tests.admin.support import CHEAP_SETTINGS, form_token, log_in, post_form
from tests.api.support import make_app, open_client
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.server import FixtureServer

pytestmark = pytest.mark.anyio

ITEMS = [("b", "第二篇", "<p>二</p>"), ("a", "第一篇", "<p>一</p>")]
OPML = b"""<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>
<outline text="Blog" xmlUrl="https://one.example.org/feed"/>
<outline text="ML"><outline text="Two" xmlUrl="https://two.example.org/atom.xml"/></outline>
</body></opml>"""


@pytest.fixture
async def admin(browser: AsyncClient) -> AsyncClient:
    assert (await log_in(browser)).status_code == 303
    return browser


@pytest.fixture
def source_id(admin_store: Store) -> int:
    with admin_store.write() as connection:
        return add_source(
            connection, kind="feed", url="https://x.example.org/feed", now=datetime.now(UTC)
        ).id


def flash(html: str) -> str:
    """The result message on a page: "error: ..." when shown as an error."""
    found = re.search(r'class="admin-message[^"]*" role="(status|alert)">([^<]*)<', html)
    if found is None:
        return ""
    return f"error: {found.group(2)}" if found.group(1) == "alert" else found.group(2)


async def follow(admin: AsyncClient, answer_status: int, location: str) -> str:
    assert answer_status == 303
    assert location == "/admin"
    return flash((await admin.get("/admin")).text)


def source_urls(store: Store) -> list[str]:
    with store.read() as connection:
        return [source.url for source in list_sources(connection)]


ACTIONS = [
    ("/admin/sources", {"url": "https://y.example.org/feed"}),
    ("/admin/sources/{id}/remove", {}),
    ("/admin/sources/{id}/fetch", {}),
    ("/admin/fetch", {}),
    ("/admin/opml", {}),
    ("/admin/logout", {}),
]


async def test_every_action_refuses_a_missing_or_foreign_token(
    admin: AsyncClient, admin_store: Store, source_id: int
) -> None:
    async with open_client(make_app(admin_store, CHEAP_SETTINGS), client="198.51.100.2") as other:
        login_form = form_token((await other.get("/admin/login")).text)
        await log_in(other)
        other_session = form_token((await other.get("/admin")).text)
    for path, data in ACTIONS:
        url = path.format(id=source_id)
        for token in (None, "", other_session, login_form):
            sent = data | ({} if token is None else {"csrf": token})
            answer = await admin.post(url, data=sent)
            assert answer.status_code == 403, (url, token)
            assert "security token" in answer.text
    assert source_urls(admin_store) == ["https://x.example.org/feed"]
    assert (await admin.get("/admin")).status_code == 200  # still logged in


async def test_actions_without_a_session_go_to_the_login(
    browser: AsyncClient, admin_store: Store, source_id: int
) -> None:
    for path, data in ACTIONS:
        answer = await browser.post(path.format(id=source_id), data=data | {"csrf": "x"})
        assert answer.status_code == 303
        assert answer.headers["location"] == "/admin/login"
    assert source_urls(admin_store) == ["https://x.example.org/feed"]


async def test_sources_page_shows_state_and_last_error(
    admin: AsyncClient, admin_store: Store, source_id: int
) -> None:
    now = datetime.now(UTC)
    with admin_store.write() as connection:
        record_failure(
            connection,
            source_id,
            now=now,
            next_check_at=now + timedelta(hours=1),
            error="HTTP 503 <from> the server",
        )
    page = await admin.get("/admin")
    assert page.headers["cache-control"] == "no-store"
    assert "failing ×1<" in page.text
    assert "HTTP 503 &lt;from&gt; the server" in page.text
    assert "https://x.example.org/feed" in page.text


async def test_add_a_feed_then_see_the_result_once(
    admin: AsyncClient, admin_store: Store, server: FixtureServer
) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    answer = await post_form(admin, "/admin/sources", {"url": server.url("/feed.xml"), "topic": ""})
    message = await follow(admin, answer.status_code, answer.headers["location"])
    assert message == "Added 机器学习笔记: 2 articles."
    assert flash((await admin.get("/admin")).text) == ""  # shown once
    assert server.url("/feed.xml") in source_urls(admin_store)


@pytest.mark.parametrize(
    "url", ["", "/etc", "file:///etc/passwd", "https://", "http://[::1/x", "http://a/\x00"]
)
async def test_only_web_urls_can_be_added(admin: AsyncClient, admin_store: Store, url: str) -> None:
    answer = await post_form(admin, "/admin/sources", {"url": url})
    message = await follow(admin, answer.status_code, answer.headers["location"])
    assert message.startswith("error: Give an http(s) feed URL")
    assert source_urls(admin_store) == []


async def test_topics_with_control_characters_are_refused(
    admin: AsyncClient, admin_store: Store
) -> None:
    data = {"url": "https://example.org/feed", "topic": "a\x00b"}
    answer = await post_form(admin, "/admin/sources", data)
    message = await follow(admin, answer.status_code, answer.headers["location"])
    assert message == "error: A topic cannot hold control characters."
    assert source_urls(admin_store) == []


async def test_a_failing_add_is_reported(admin: AsyncClient, server: FixtureServer) -> None:
    answer = await post_form(admin, "/admin/sources", {"url": server.url("/missing")})
    message = await follow(admin, answer.status_code, answer.headers["location"])
    assert message.startswith("error: ")
    assert "404" in message


async def test_remove_asks_first_then_removes(
    admin: AsyncClient, admin_store: Store, source_id: int
) -> None:
    confirm = await admin.get(f"/admin/sources/{source_id}/remove")
    assert confirm.status_code == 200
    assert "0 articles" in confirm.text
    answer = await admin.post(
        f"/admin/sources/{source_id}/remove", data={"csrf": form_token(confirm.text)}
    )
    message = await follow(admin, answer.status_code, answer.headers["location"])
    assert message == "Removed https://x.example.org/feed and its 0 articles."
    assert source_urls(admin_store) == []
    assert (await admin.get(f"/admin/sources/{source_id}/remove")).status_code == 404
    again = await post_form(admin, f"/admin/sources/{source_id}/remove")
    assert "error: no source" in await follow(admin, again.status_code, again.headers["location"])


async def test_fetch_one_source_now(
    admin: AsyncClient, admin_store: Store, server: FixtureServer
) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    with admin_store.write() as connection:
        source = add_source(
            connection, kind="feed", url=server.url("/feed.xml"), now=datetime.now(UTC)
        )
    answer = await post_form(admin, f"/admin/sources/{source.id}/fetch")
    message = await follow(admin, answer.status_code, answer.headers["location"])
    assert message == f"Fetched {server.url('/feed.xml')}: 2 new, 0 updated."
    server.route("/feed.xml", status=500, body=b"down")
    answer = await post_form(admin, f"/admin/sources/{source.id}/fetch")
    message = await follow(admin, answer.status_code, answer.headers["location"])
    assert message.startswith("error: Fetching 机器学习笔记 failed:")


async def test_fetch_all_runs_in_the_background(
    admin: AsyncClient, admin_store: Store, server: FixtureServer
) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    with admin_store.write() as connection:
        add_source(connection, kind="feed", url=server.url("/feed.xml"), now=datetime.now(UTC))
    answer = await post_form(admin, "/admin/fetch")
    message = await follow(admin, answer.status_code, answer.headers["location"])
    assert message.startswith("Fetching every source in the background")
    with admin_store.read() as connection:
        [source] = list_sources(connection)
    assert source.last_success_at is not None


async def test_import_opml(admin: AsyncClient, admin_store: Store) -> None:
    upload = {"opml": ("mine.opml", OPML, "text/x-opml")}
    answer = await post_form(admin, "/admin/opml", files=upload)
    message = await follow(admin, answer.status_code, answer.headers["location"])
    assert message.startswith("Imported 2 sources (0 were there already)")
    assert sorted(source_urls(admin_store)) == [
        "https://one.example.org/feed",
        "https://two.example.org/atom.xml",
    ]
    bad = await post_form(admin, "/admin/opml", files={"opml": ("x.opml", b"<html/>", "text/xml")})
    message = await follow(admin, bad.status_code, bad.headers["location"])
    assert message.startswith("error: not an OPML list")
    missing = await post_form(admin, "/admin/opml")
    message = await follow(admin, missing.status_code, missing.headers["location"])
    assert message == "error: Choose an OPML file to import."


async def test_uploads_over_the_limit_are_refused(admin: AsyncClient, admin_store: Store) -> None:
    huge = {"opml": ("big.opml", b"<opml>" + b" " * (3 * 1024 * 1024), "text/x-opml")}
    answer = await post_form(admin, "/admin/opml", files=huge)
    assert answer.status_code == 413
    assert source_urls(admin_store) == []


async def test_pages_have_no_inline_script(admin: AsyncClient, source_id: int) -> None:
    pages = [
        await admin.get("/admin"),
        await admin.get(f"/admin/sources/{source_id}/remove"),
        await admin.post("/admin/fetch", data={"csrf": "wrong"}),
    ]
    async with open_client(admin._transport.app) as anonymous:  # type: ignore[attr-defined]
        pages.append(await anonymous.get("/admin/login"))
    for page in pages:
        html = page.text
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
        assert not re.search(r"\son[a-z]+\s*=", html)
        assert not re.search(r"javascript:", html, re.IGNORECASE)


async def test_sessions_of_a_changed_password_end(admin: AsyncClient, admin_store: Store) -> None:
    with admin_store.write() as connection:
        accounts.set_password_hash(connection, "$argon2id$new", now=datetime.now(UTC))
    assert (await admin.get("/admin")).status_code == 303


async def test_wrong_methods_are_told_the_right_ones(browser: AsyncClient) -> None:
    for path in ("/admin/login", "/admin/sources/1/remove"):
        answer = await browser.put(path)
        assert answer.status_code == 405
        assert set(answer.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}


async def test_a_feed_is_added_with_the_content_format_chosen(
    admin: AsyncClient, admin_store: Store, server: FixtureServer
) -> None:
    page = (await admin.get("/admin")).text
    assert '<select id="add-format" name="format">' in page
    assert '<option value="markdown">markdown</option>' in page
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    answer = await post_form(
        admin, "/admin/sources", {"url": server.url("/feed.xml"), "format": "text"}
    )
    message = await follow(admin, answer.status_code, answer.headers["location"])
    assert message == "Added 机器学习笔记: 2 articles."
    with admin_store.read() as connection:
        assert [source.content_format for source in list_sources(connection)] == ["text"]


async def test_an_unknown_content_format_is_refused(admin: AsyncClient, admin_store: Store) -> None:
    data = {"url": "https://example.org/feed", "format": "rtf"}
    answer = await post_form(admin, "/admin/sources", data)
    message = await follow(admin, answer.status_code, answer.headers["location"])
    assert message == (
        "error: The content format must be one of auto, html, markdown, text, not &#39;rtf&#39;."
    )
    assert source_urls(admin_store) == []
