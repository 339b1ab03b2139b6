"""deploy/: the files Docker cannot check here, checked as far as this machine can."""

from __future__ import annotations

import itertools
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from incoming.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def _check_command(args: list[str]) -> None:
    """The arguments parse as an `incoming` command line (without running anything)."""
    name, *rest = args
    command = cli.commands[name]
    with command.make_context(name, list(rest), obj={"database": "sqlite://"}):
        pass


def test_the_compose_file_holds_together() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "web", "worker"}
    for name in ("web", "worker"):
        service = services[name]
        context = (DEPLOY / service["build"]["context"]).resolve()
        assert (context / service["build"]["dockerfile"]).is_file()
        assert set(service["depends_on"]) <= set(services)
        assert service["environment"]["INCOMING_DATABASE_URL"].startswith("postgresql://")
        _check_command(service["command"])
    for volume in services["postgres"]["volumes"]:
        assert volume.split(":")[0] in compose["volumes"]


def test_the_dockerfile_copies_what_exists_and_runs_a_real_command() -> None:
    lines = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    instructions = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    known = {"FROM", "ENV", "WORKDIR", "COPY", "RUN", "USER", "VOLUME", "EXPOSE"}
    known |= {"HEALTHCHECK", "ENTRYPOINT", "CMD"}
    assert {keyword for keyword, _ in instructions} <= known
    for keyword, rest in instructions:
        if keyword == "COPY" and not rest.startswith("--from"):
            for source in rest.split()[:-1]:
                assert (ROOT / source).exists(), source
    exec_form = {
        keyword: json.loads(rest)
        for keyword, rest in instructions
        if keyword in {"CMD", "ENTRYPOINT"}
    }
    assert exec_form["ENTRYPOINT"] == ["incoming"]
    _check_command(exec_form["CMD"])


@pytest.mark.parametrize("unit", ["incoming-web.service", "incoming-worker.service"])
def test_the_systemd_units_run_real_commands(unit: str) -> None:
    text = (DEPLOY / unit).read_text()
    [exec_start] = re.findall(r"^ExecStart=(.+)$", text, re.MULTILINE)
    program, *args = shlex.split(exec_start)
    assert program.endswith("/bin/incoming")
    _check_command(args)


def test_nginx_refuses_unknown_hosts_and_keys_its_cache_by_host() -> None:
    """Issue 19.1: a forged Host must neither reach the app nor share a cache entry."""
    text = (DEPLOY / "nginx.conf").read_text()
    servers = re.split(r"^server \{", text, flags=re.MULTILINE)[1:]
    [default] = [server for server in servers if "default_server" in server]
    assert "server_name" not in default
    assert re.search(r"^\s*return 444;", default, re.MULTILINE)
    assert "proxy_pass" not in default
    keys = re.findall(r"^\s*proxy_cache_key (\S+);", text, re.MULTILINE)
    assert keys == ["$scheme$host$request_uri"]
    redirects = re.findall(r"return 301 (\S+);", text)
    assert all("$host" not in target for target in redirects)


def test_the_shipped_environments_set_the_public_address() -> None:
    env = dict(
        line.split("=", 1)
        for line in (DEPLOY / "incoming.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert env["INCOMING_BASE_URL"].startswith("https://")
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert "INCOMING_BASE_URL" in compose["services"]["web"]["environment"]


def _options(args: list[str], name: str) -> set[str]:
    """Every value of a repeatable option."""
    return {value for flag, value in itertools.pairwise(args) if flag == name}


def test_the_compose_web_role_believes_only_the_gateway_nginx_comes_through() -> None:
    """Behind the compose file every request reaches the app from the network's gateway: it
    must be the trusted proxy, or every client counts as one and cookies lose `Secure`."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    [network] = compose["networks"]["default"]["ipam"]["config"]
    trusted = _options(compose["services"]["web"]["command"], "--forwarded-allow-ip")
    assert trusted == {network["gateway"]}


def test_the_web_unit_believes_only_the_local_proxy() -> None:
    [exec_start] = re.findall(
        r"^ExecStart=(.+)$", (DEPLOY / "incoming-web.service").read_text(), re.MULTILINE
    )
    trusted = _options(shlex.split(exec_start), "--forwarded-allow-ip")
    assert trusted == {"127.0.0.1", "::1"}
