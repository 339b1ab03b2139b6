"""The settings model: flags over environment over incoming.toml over defaults, one clear
line for a bad value, and docs/configuration.md in step with the code (issue 20.8)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from incoming import __version__
from incoming.cli import cli
from incoming.configuration import SETTINGS, Setting, _settings_of, load_settings, type_name
from incoming.errors import ConfigError
from incoming.publish import server
from incoming.publish.factory import SETTINGS_ENV, settings_from_environment
from incoming.publish.settings import SiteSettings

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"
_ROW = re.compile(
    r"^\| `([a-z_]+)` \| `([A-Z_]+)` \| `(--[a-z-]+)` \| ([a-z ]+) \| `([^`]*)` \| (.+) \|$"
)


@dataclass(frozen=True)
class Inner:
    entry_cap: int = 500
    trusted: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outer:
    """A made-up settings dataclass, as another branch may grow SiteSettings."""

    limit: float = 1.5
    inner: Inner = field(default_factory=Inner)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No INCOMING_* variable of the machine running the tests, and no ./incoming.toml."""
    for setting in SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)
    monkeypatch.delenv("INCOMING_CONFIG", raising=False)
    monkeypatch.delenv(SETTINGS_ENV, raising=False)
    monkeypatch.chdir(tmp_path)


def _shown_default(setting: Setting) -> str:
    value = setting.default
    if isinstance(value, tuple):
        return ", ".join(value) or "(none)"
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value).replace(__version__, "VERSION")


def test_the_documented_settings_are_the_code_s_both_ways() -> None:
    matches = [_ROW.match(line) for line in DOC.read_text().splitlines()]
    documented = {found[1]: found.groups() for found in matches if found is not None}
    in_code = {
        s.name: (s.name, s.env, s.flag, type_name(s), _shown_default(s), "") for s in SETTINGS
    }
    assert sorted(set(in_code) - set(documented)) == [], "settings missing from the docs"
    assert sorted(set(documented) - set(in_code)) == [], "documented settings that do not exist"
    for name, row in documented.items():
        assert row[:5] == in_code[name][:5], name
        assert row[5].strip(), f"{name} has no meaning in the docs"


def test_every_field_of_the_dataclasses_is_a_setting_with_no_code() -> None:
    found = {s.name: (s.env, s.flag, s.default) for s in _settings_of(Outer)}
    assert found == {
        "limit": ("INCOMING_LIMIT", "--limit", 1.5),
        "inner_entry_cap": ("INCOMING_INNER_ENTRY_CAP", "--inner-entry-cap", 500),
        "inner_trusted": ("INCOMING_INNER_TRUSTED", "--inner-trusted", ()),
    }
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)


def test_flags_win_over_environment_over_file_over_defaults(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "incoming.toml").write_text(
        'title = "From the file"\npage_size = 30\nfeed_size = 7\n'
        'allowed_hosts = ["file.example"]\nfetch_max_redirects = 2\n'
    )
    monkeypatch.setenv("INCOMING_PAGE_SIZE", "40")
    monkeypatch.setenv("INCOMING_FEED_SIZE", "9")
    monkeypatch.setenv("INCOMING_ALLOWED_HOSTS", "a.example, b.example")
    monkeypatch.setenv("INCOMING_ALLOW_PRIVATE_ADDRESSES", "yes")
    monkeypatch.setenv("INCOMING_BASE_URL", "")  # empty: not set
    settings = load_settings({"page_size": "50"})
    assert settings.page_size == 50  # flag
    assert settings.feed_size == 9  # environment
    assert settings.allowed_hosts == ("a.example", "b.example")
    assert settings.title == "From the file"  # file
    assert settings.fetch.max_redirects == 2
    assert settings.fetch.allow_private_addresses is True
    assert settings.base_url is None  # default
    assert settings.description == SiteSettings().description


def test_the_config_file_is_named_by_flag_or_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    named = tmp_path / "elsewhere.toml"
    named.write_text('base_url = "https://hub.example.org"\n')
    assert load_settings(config=named).base_url == "https://hub.example.org"
    monkeypatch.setenv("INCOMING_CONFIG", str(named))
    assert load_settings().base_url == "https://hub.example.org"
    monkeypatch.setenv("INCOMING_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match=r"cannot read the config file .*missing\.toml"):
        load_settings()


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"env": ("INCOMING_PAGE_SIZE", "abc")}, "environment variable INCOMING_PAGE_SIZE"),
        ({"env": ("INCOMING_PAGE_SIZE", "500")}, "page_size from environment variable"),
        ({"file": "page_size = 'many'\n"}, "incoming.toml, key page_size"),
        ({"file": "page_sise = 12\n"}, "incoming.toml, key page_sise: no setting"),
        ({"file": "page_size = [\n"}, "incoming.toml is not valid TOML"),
        ({"flag": ["--base-url", "hub.example.org"]}, "base_url from flag --base-url"),
        ({"flag": ["--allowed-host", "a b"]}, "allowed_hosts from flag --allowed-host"),
        ({"env": ("INCOMING_REFRESH", "sometimes")}, "INCOMING_REFRESH"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting_and_its_source(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    where: dict[str, object],
    expected: str,
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(server, "open_store", calls.append)
    if "env" in where:
        monkeypatch.setenv(*where["env"])  # type: ignore[misc]
    if "file" in where:
        (tmp_path / "incoming.toml").write_text(str(where["file"]))
    flags = list(where.get("flag", []))  # type: ignore[call-overload]
    result = CliRunner().invoke(cli, ["--database", "sqlite://", "serve", *flags])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("incoming: error: ")
    assert result.output.count("\n") == 1, result.output
    assert expected in result.output
    assert calls == []  # nothing was opened, let alone served


def test_serve_flags_reach_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}
    monkeypatch.setattr("incoming.cli.run_server", lambda url, **options: seen.update(options))
    monkeypatch.setenv("INCOMING_TITLE", "From the environment")
    args = ["serve", "--base-url", "https://hub.example.org", "--allowed-host", "a.example"]
    args += ["--allowed-host", "b.example", "--no-refresh", "--page-size", "20"]
    result = CliRunner().invoke(cli, ["--database", "sqlite://", *args])
    assert result.exit_code == 0, result.output
    settings = seen["settings"]
    assert isinstance(settings, SiteSettings)
    assert settings.base_url == "https://hub.example.org"
    assert settings.allowed_hosts == ("a.example", "b.example")
    assert settings.refresh is False
    assert settings.page_size == 20
    assert settings.title == "From the environment"


def test_the_app_factory_uses_the_same_loader(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "incoming.toml").write_text('base_url = "https://hub.example.org"\n')
    monkeypatch.setenv("INCOMING_FEED_CONTENT_BYTES", "1024")
    settings = settings_from_environment()
    assert settings.base_url == "https://hub.example.org"
    assert settings.feed_content_bytes == 1024
    assert settings.refresh is False
    monkeypatch.setenv("INCOMING_FEED_CONTENT_BYTES", "lots")
    with pytest.raises(ConfigError, match="INCOMING_FEED_CONTENT_BYTES"):
        settings_from_environment()
