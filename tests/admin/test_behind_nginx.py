"""The admin login behind a real nginx (issue 19, item 4): the login limit counts each real
client's address, whatever X-Forwarded-For it sends itself, and the cookies are `Secure`
when nginx says the request came over https.

nginx proxies to a live `incoming serve` on 127.0.0.1 with the `proxy_set_header` lines of
deploy/nginx.conf, connecting from 127.0.0.9 (`proxy_bind`) as the compose network's gateway
would: only a proxy named in `--forwarded-allow-ip` is believed. Clients connect from other
loopback addresses (127.0.0.2, ...) so that nginx sees each as a client of its own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from incoming.publish.admin.auth import set_password
from incoming.publish.admin.sessions import LOGIN_COOKIE, SESSION_COOKIE
from incoming.store import accounts
from incoming.store.engine import open_store
from tests.admin.support import PASSWORD, form_token
from tests.support.databases import require
from tests.support.ports import free_port, wait_for_port
from tests.support.processes import INCOMING_COMMAND, wait_until_up

SHIPPED_CONFIG = Path(__file__).parents[2] / "deploy" / "nginx.conf"
PROXY_ADDRESS = "127.0.0.9"
HOST = "hub.example.org"


@dataclass(frozen=True, slots=True)
class Site:
    database: str
    app_port: int
    http_port: int
    https_port: int


def _nginx() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None
    )


def shipped_proxy_headers() -> list[str]:
    """The `proxy_set_header` lines of deploy/nginx.conf, as they are."""
    lines = re.findall(r"^\s*(proxy_set_header\s[^\n]*;)", SHIPPED_CONFIG.read_text(), re.M)
    assert any("X-Forwarded-For" in line for line in lines)
    return lines


def _nginx_config(folder: Path, app_port: int, http_port: int, https_port: int) -> str:
    headers = "\n        ".join(shipped_proxy_headers())
    temp = "\n    ".join(
        f"{kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;" if os.geteuid() == 0 else ""  # workers must reach the temp folders
    return f"""
{user}
worker_processes 1;
error_log {folder / "error.log"};
pid {folder / "nginx.pid"};
events {{ worker_connections 64; }}
http {{
    access_log off;
    {temp}
    upstream incoming {{ server 127.0.0.1:{app_port}; }}
    server {{
        listen 127.0.0.1:{http_port};
        listen 127.0.0.1:{https_port} ssl;
        server_name {HOST};
        ssl_certificate {folder / "cert.pem"};
        ssl_certificate_key {folder / "key.pem"};
        proxy_bind {PROXY_ADDRESS};
        proxy_http_version 1.1;
        {headers}
        location / {{ proxy_pass http://incoming; }}
    }}
}}
"""


def _terminate(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    nginx = _nginx()
    require(nginx is not None, "nginx is not installed (make system-packages)")
    require(shutil.which("openssl") is not None, "openssl is not installed")
    assert nginx is not None
    folder = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", f"/CN={HOST}", "-keyout", str(folder / "key.pem")),
            *("-out", str(folder / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    database = f"sqlite:///{folder / 'site.db'}"
    store = open_store(database)
    try:
        set_password(store, PASSWORD, now=datetime.now(UTC))
    finally:
        store.close()
    ports = Site(database, free_port(), free_port(), free_port())
    (folder / "nginx.conf").write_text(
        _nginx_config(folder, ports.app_port, ports.http_port, ports.https_port)
    )
    app = subprocess.Popen(
        [
            *INCOMING_COMMAND,
            *("--database", database, "serve", "--no-refresh"),
            *("--port", str(ports.app_port), "--forwarded-allow-ip", PROXY_ADDRESS),
            *("--base-url", f"https://{HOST}"),  # as docs/deploy.md says behind nginx
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    proxy = subprocess.Popen(
        [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{ports.app_port}/static/site.css", app)
        try:
            wait_for_port(ports.https_port)
        except AssertionError:
            _terminate(proxy)
            raise AssertionError(proxy.stderr.read().decode() if proxy.stderr else "") from None
        yield ports
    finally:
        _terminate(proxy)
        _terminate(app)


def client_from(address: str, base_url: str) -> httpx.Client:
    """A client connecting from `address` (any 127.x.y.z is this machine's loopback)."""
    transport = httpx.HTTPTransport(local_address=address, verify=False)
    return httpx.Client(transport=transport, base_url=base_url, headers={"Host": HOST})


def log_in(client: httpx.Client, password: str, **headers: str) -> httpx.Response:
    page = client.get("/admin/login", headers=headers)
    assert page.status_code == 200, page.text
    data = {"csrf": form_token(page.text), "password": password}
    return client.post("/admin/login", data=data, headers=headers)


def cookie_flags(answer: httpx.Response) -> dict[str, bool]:
    """Whether each cookie the answer sets is Secure."""
    flags = {}
    for header in answer.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            flags[name] = bool(morsel["secure"])
    return flags


def failed_clients(site: Site) -> set[str]:
    store = open_store(site.database)
    try:
        with store.read() as connection:
            rows = connection.execute(select(accounts.login_failures.c.client)).scalars()
            return set(rows)
    finally:
        store.close()


def test_the_login_limit_counts_each_real_client_behind_the_proxy(site: Site) -> None:
    https = f"https://127.0.0.1:{site.https_port}"
    with client_from("127.0.0.2", https) as guesser:
        for n in range(5):  # a forged X-Forwarded-For of its own changes nothing
            answer = log_in(guesser, "a wrong guess", **{"X-Forwarded-For": f"192.0.2.{n}"})
            assert answer.status_code == 403
        throttled = log_in(guesser, "a wrong guess", **{"X-Forwarded-For": "192.0.2.99"})
        assert throttled.status_code == 429
    counted = failed_clients(site)
    assert "127.0.0.2" in counted
    assert PROXY_ADDRESS not in counted
    assert not any(client.startswith("192.0.2.") for client in counted)  # forged ones
    with client_from("127.0.0.3", https) as admin:
        answer = log_in(admin, PASSWORD)
        assert answer.status_code == 303
        assert admin.get("/admin").status_code == 200


def test_cookies_are_secure_when_nginx_says_https(site: Site) -> None:
    with client_from("127.0.0.4", f"https://127.0.0.1:{site.https_port}") as over_https:
        page = over_https.get("/admin/login")
        assert cookie_flags(page) == {LOGIN_COOKIE: True}
        answer = log_in(over_https, PASSWORD)
        assert answer.status_code == 303
        assert cookie_flags(answer)[SESSION_COOKIE] is True
        assert over_https.get("/admin").status_code == 200
    with client_from("127.0.0.5", f"http://127.0.0.1:{site.http_port}") as over_http:
        assert cookie_flags(over_http.get("/admin/login")) == {LOGIN_COOKIE: False}


def test_forwarded_headers_from_anyone_else_are_ignored(site: Site) -> None:
    """Straight to the app, not through the proxy: X-Forwarded-* are the client's own words."""
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.200"}
    with client_from("127.0.0.6", f"http://127.0.0.1:{site.app_port}") as direct:
        page = direct.get("/admin/login", headers=forged)
        assert cookie_flags(page) == {LOGIN_COOKIE: False}
        assert log_in(direct, "a wrong guess", **forged).status_code == 403
    assert "127.0.0.6" in failed_clients(site)
    assert "192.0.2.200" not in failed_clients(site)
