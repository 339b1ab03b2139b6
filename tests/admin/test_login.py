"""Logging in to /admin: the password, the rate limit, session rotation, expiry, cookie flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, update
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from incoming.publish.admin.auth import AdminSettings, client_key, wait_seconds
from incoming.publish.admin.sessions import LOGIN_COOKIE, SESSION_COOKIE
from incoming.store import accounts
from incoming.store.engine import Store
from tests.admin.support import (
    CHEAP_HASHER,
    CHEAP_SETTINGS,
    PASSWORD,
    form_token,
    log_in,
    post_form,
    set_cookies,
)
from tests.api.support import make_app, open_client

pytestmark = pytest.mark.anyio


def count(store: Store, table: object) -> int:
    with store.read() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]


async def test_login_page_sets_a_strict_http_only_form_cookie(browser: AsyncClient) -> None:
    page = await browser.get("/admin/login")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    cookie = set_cookies(page)[LOGIN_COOKIE]
    assert form_token(page.text) == cookie["value"]
    assert cookie["httponly"] is True
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/admin"
    assert "secure" not in cookie  # plain HTTP: a Secure cookie would never come back
    assert 'type="password"' in page.text


async def test_dashboard_asks_for_a_login_first(browser: AsyncClient) -> None:
    answer = await browser.get("/admin")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/login"


async def test_right_password_opens_a_session(browser: AsyncClient) -> None:
    answer = await log_in(browser)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin"
    cookies = set_cookies(answer)
    session = cookies[SESSION_COOKIE]
    assert session["httponly"] is True
    assert session["samesite"].lower() == "strict"
    assert session["path"] == "/admin"
    assert int(session["max-age"]) == 12 * 3600
    assert "secure" not in session
    assert cookies[LOGIN_COOKIE]["value"] == ""  # the login form's cookie is cleared
    dashboard = await browser.get("/admin")
    assert dashboard.status_code == 200
    assert "Log out" in dashboard.text


async def test_wrong_password_is_refused(browser: AsyncClient, admin_store: Store) -> None:
    answer = await log_in(browser, "wrong password, surely")
    assert answer.status_code == 403
    assert "wrong password" in answer.text
    assert SESSION_COOKIE not in set_cookies(answer)
    assert (await browser.get("/admin")).status_code == 303
    assert count(admin_store, accounts.login_failures) == 1


async def test_login_without_the_form_token_is_refused_unchecked(
    browser: AsyncClient, admin_store: Store
) -> None:
    await browser.get("/admin/login")
    for data in ({"password": PASSWORD}, {"password": PASSWORD, "csrf": "forged" * 8}):
        answer = await browser.post("/admin/login", data=data)
        assert answer.status_code == 403
        assert SESSION_COOKIE not in set_cookies(answer)
    assert count(admin_store, accounts.login_failures) == 0  # the password was never tried


async def test_failed_logins_lock_the_client_out(browser: AsyncClient, admin_store: Store) -> None:
    for _ in range(5):
        assert (await log_in(browser, "guess")).status_code == 403
    locked = await log_in(browser)  # even the right password is not tried now
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert "too many failed logins" in locked.text
    assert SESSION_COOKIE not in set_cookies(locked)

    async with open_client(
        make_app(admin_store, CHEAP_SETTINGS), client="198.51.100.9"
    ) as elsewhere:
        assert (await log_in(elsewhere)).status_code == 303  # other addresses are not locked

    with admin_store.write() as connection:
        connection.execute(
            update(accounts.login_failures).values(
                failed_at=datetime.now(UTC) - timedelta(minutes=16)
            )
        )
    assert (await log_in(browser)).status_code == 303  # the window has passed
    assert count(admin_store, accounts.login_failures) == 0  # pruned, and cleared on success


async def test_failures_from_many_addresses_never_lock_the_admin_out(admin_store: Store) -> None:
    """Issue 19: 10 addresses x 5 wrong passwords used to lock everyone out for 15 minutes."""
    app = make_app(admin_store, CHEAP_SETTINGS)
    for n in range(12):
        async with open_client(app, client=f"192.0.2.{n + 1}") as client:
            for _ in range(5):
                assert (await log_in(client, "guess")).status_code == 403
            assert (await log_in(client, "guess")).status_code == 429  # each is slowed down
    async with open_client(app, client="198.51.100.200") as admin:
        assert (await log_in(admin)).status_code == 303


def _move_failures_back(store: Store, by: timedelta) -> None:
    table = accounts.login_failures
    with store.write() as connection:
        for row in connection.execute(select(table.c.id, table.c.failed_at)).all():
            connection.execute(
                update(table).where(table.c.id == row.id).values(failed_at=row.failed_at - by)
            )


async def test_each_failure_doubles_the_wait_of_that_client(admin_store: Store) -> None:
    settings = AdminSettings(free_failures=2, hasher=CHEAP_HASHER)
    app = make_app(admin_store, settings)
    waits = []
    async with open_client(app, client="192.0.2.7") as client:
        for _ in range(2):
            assert (await log_in(client, "guess")).status_code == 403
        for _ in range(4):
            refused = await log_in(client, "guess")
            assert refused.status_code == 429
            waits.append(int(refused.headers["retry-after"]))
            _move_failures_back(admin_store, timedelta(seconds=waits[-1] + 1))  # it passes
            assert (await log_in(client, "guess")).status_code == 403
    for wait, expected in zip(waits, [30, 60, 120, 240], strict=True):
        assert expected - 5 <= wait <= expected  # less the time the requests took


@pytest.mark.parametrize(
    ("count", "seconds_ago", "wait"),
    [
        (4, 0, 0),
        (5, 0, 30),
        (6, 0, 60),
        (6, 1, 59),
        (6, 60, 0),
        (9, 0, 480),
        (40, 0, 900),
        (40, 900, 0),
    ],
)
def test_wait_seconds(count: int, seconds_ago: int, wait: int) -> None:
    now = datetime(2026, 12, 3, tzinfo=UTC)
    failures = accounts.Failures(count, now - timedelta(seconds=seconds_ago))
    assert wait_seconds(failures, now=now, settings=CHEAP_SETTINGS) == wait


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("unknown", "unknown"),
    ],
)
def test_failures_count_against_an_address_or_its_ipv6_64(address: str, key: str) -> None:
    assert client_key(address) == key


async def test_login_rotates_the_session_id(browser: AsyncClient, admin_store: Store) -> None:
    """Logging in again while a session is open gives a new id and ends the old session."""
    first = set_cookies(await log_in(browser))[SESSION_COOKIE]["value"]
    browser.cookies.clear()
    page = await browser.get("/admin/login")
    token = form_token(page.text)
    browser.cookies.clear()
    again = await browser.post(
        "/admin/login",
        data={"csrf": token, "password": PASSWORD},
        headers={"Cookie": f"{LOGIN_COOKIE}={token}; {SESSION_COOKIE}={first}"},
    )
    second = set_cookies(again)[SESSION_COOKIE]["value"]
    assert second != first
    assert count(admin_store, accounts.admin_sessions) == 1  # the old session was deleted
    browser.cookies.clear()
    stale = await browser.get("/admin", headers={"Cookie": f"{SESSION_COOKIE}={first}"})
    assert stale.status_code == 303
    fresh = await browser.get("/admin", headers={"Cookie": f"{SESSION_COOKIE}={second}"})
    assert fresh.status_code == 200


async def test_a_planted_session_id_is_never_adopted(browser: AsyncClient) -> None:
    """Session fixation: an attacker who sets the cookie first gains nothing from it."""
    planted = "attacker-chosen-session-id-0123456789abcdef"
    planted_cookie = {"Cookie": f"{SESSION_COOKIE}={planted}"}
    page = await browser.get("/admin/login", headers=planted_cookie)
    token = form_token(page.text)
    browser.cookies.clear()
    answer = await browser.post(
        "/admin/login",
        data={"csrf": token, "password": PASSWORD},
        headers={"Cookie": f"{LOGIN_COOKIE}={token}; {SESSION_COOKIE}={planted}"},
    )
    assert answer.status_code == 303
    assert set_cookies(answer)[SESSION_COOKIE]["value"] != planted
    assert (await browser.get("/admin", headers=planted_cookie)).status_code == 303


async def test_cookies_are_secure_over_https(admin_store: Store) -> None:
    async with open_client(
        make_app(admin_store, CHEAP_SETTINGS), base_url="https://hub.example.org"
    ) as client:
        page = await client.get("/admin/login")
        assert set_cookies(page)[LOGIN_COOKIE]["secure"] is True
        session = set_cookies(await log_in(client))[SESSION_COOKIE]
        assert session["secure"] is True
        assert (await client.get("/admin")).status_code == 200


async def test_a_trusted_proxy_can_say_the_request_was_https(admin_store: Store) -> None:
    """The proxy-headers middleware (in the app, from `forwarded_allow_ips`) trusts only the
    proxy's own address with X-Forwarded-Proto."""
    app = ProxyHeadersMiddleware(make_app(admin_store, CHEAP_SETTINGS), trusted_hosts="10.0.0.1")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.50"}
    async with open_client(app, client="10.0.0.1") as via_proxy:
        page = await via_proxy.get("/admin/login", headers=forwarded)
        assert set_cookies(page)[LOGIN_COOKIE]["secure"] is True
    async with open_client(app, client="203.0.113.66") as direct:
        page = await direct.get("/admin/login", headers=forwarded)
        assert "secure" not in set_cookies(page)[LOGIN_COOKIE]


async def test_the_proxy_gives_the_client_address_the_limit_counts(admin_store: Store) -> None:
    app = ProxyHeadersMiddleware(make_app(admin_store, CHEAP_SETTINGS), trusted_hosts="10.0.0.1")
    async with open_client(app, client="10.0.0.1") as via_proxy:
        via_proxy.headers["X-Forwarded-For"] = "203.0.113.50"
        await log_in(via_proxy, "guess")
    with admin_store.read() as connection:
        clients = connection.execute(select(accounts.login_failures.c.client)).scalars().all()
    assert clients == ["203.0.113.50"]


@pytest.mark.parametrize("column", ["last_seen_at", "created_at"])
async def test_sessions_expire(browser: AsyncClient, admin_store: Store, column: str) -> None:
    """Idle for over 2 hours, or opened over 12 hours ago: the session is over."""
    await log_in(browser)
    assert (await browser.get("/admin")).status_code == 200
    with admin_store.write() as connection:
        connection.execute(
            update(accounts.admin_sessions).values(
                {column: datetime.now(UTC) - timedelta(hours=13)}
            )
        )
    assert (await browser.get("/admin")).status_code == 303


async def test_activity_keeps_a_session_alive(browser: AsyncClient, admin_store: Store) -> None:
    await log_in(browser)
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    with admin_store.write() as connection:
        connection.execute(update(accounts.admin_sessions).values(last_seen_at=an_hour_ago))
    assert (await browser.get("/admin")).status_code == 200
    with admin_store.read() as connection:
        seen = connection.execute(select(accounts.admin_sessions.c.last_seen_at)).scalar_one()
    assert seen > an_hour_ago + timedelta(minutes=59)


async def test_logout_ends_the_session(browser: AsyncClient, admin_store: Store) -> None:
    session_id = set_cookies(await log_in(browser))[SESSION_COOKIE]["value"]
    refused = await browser.post("/admin/logout", data={"csrf": "not-the-token"})
    assert refused.status_code == 403
    assert (await browser.get("/admin")).status_code == 200  # a forged logout does nothing
    answer = await post_form(browser, "/admin/logout")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/login"
    assert set_cookies(answer)[SESSION_COOKIE]["value"] == ""
    assert count(admin_store, accounts.admin_sessions) == 0
    browser.cookies.clear()
    stale = await browser.get("/admin", headers={"Cookie": f"{SESSION_COOKIE}={session_id}"})
    assert stale.status_code == 303


async def test_a_weak_stored_hash_is_upgraded_at_login(admin_store: Store) -> None:
    async with open_client(make_app(admin_store, AdminSettings())) as client:
        await log_in(client)
        with admin_store.read() as connection:
            stored = accounts.password_hash(connection)
        assert stored is not None
        assert AdminSettings().hasher.verify(stored, PASSWORD)
        assert CHEAP_HASHER.check_needs_rehash(stored)  # no longer the cheap parameters
        assert (await client.get("/admin")).status_code == 200  # the session survived


async def test_the_login_page_says_first_when_no_password_is_set(store: Store) -> None:
    async with open_client(make_app(store, CHEAP_SETTINGS)) as client:
        page = await client.get("/admin/login")
        assert page.status_code == 200
        assert "incoming admin set-password" in page.text
        assert 'type="password"' not in page.text  # no form that cannot work
        with store.write() as connection:
            accounts.set_password_hash(
                connection, CHEAP_HASHER.hash(PASSWORD), now=datetime.now(UTC)
            )
        page = await client.get("/admin/login")
        assert 'type="password"' in page.text
        assert "set-password" not in page.text
