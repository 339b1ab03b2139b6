"""The app factory: what a web process started from an import string is told, and how."""

from __future__ import annotations

from dataclasses import replace

import pytest

from incoming.fetch import FetchSettings
from incoming.publish.factory import SETTINGS_ENV, settings_from_environment
from incoming.publish.settings import SiteSettings, settings_from_json, settings_to_json


def test_settings_cross_to_a_spawned_process_unchanged() -> None:
    settings = replace(
        SiteSettings(),
        page_size=30,
        base_url="https://hub.example.org",
        allowed_hosts=("hub.example.org", ".example.net"),
        access_log=True,
        fetch=FetchSettings(allow_private_addresses=True, allowed_networks=("10.0.0.0/8",)),
    )
    assert settings_from_json(settings_to_json(settings)) == settings


def test_without_them_the_environment_decides_and_refresh_is_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SETTINGS_ENV, raising=False)
    monkeypatch.delenv("INCOMING_REFRESH", raising=False)
    monkeypatch.setenv("INCOMING_ALLOW_PRIVATE_ADDRESSES", "1")
    settings = settings_from_environment()
    assert settings.refresh is False  # each of N processes would refresh on its own
    assert settings.fetch.allow_private_addresses is True
    monkeypatch.setenv("INCOMING_REFRESH", "true")
    assert settings_from_environment().refresh is True
