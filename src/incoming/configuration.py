"""Settings from command-line flags, INCOMING_* environment variables and incoming.toml.

The settings are the fields of SiteSettings and of the settings nested in it (FetchSettings),
read from the dataclasses themselves: a field added there is a setting, with its environment
variable, file key and flag, and no code here. A nested field's name carries its parent's as
a prefix (`fetch_max_body_bytes`), except the few in SHORT_NAMES. The first of flag,
environment variable, file key and default that is given wins.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, fields, is_dataclass
from pathlib import Path
from typing import Annotated, Any

import click

from incoming.errors import ConfigError
from incoming.publish.settings import SiteSettings, settings_from_dict

ENV_PREFIX = "INCOMING_"
CONFIG_ENV = "INCOMING_CONFIG"
DEFAULT_CONFIG = Path("incoming.toml")
DEFAULT = "its default"
# Settings known by a shorter name since before the settings model: (parent, field) -> name.
SHORT_NAMES = {
    ("fetch", name): name
    for name in ("allow_private_addresses", "max_entries_per_fetch", "max_articles_per_source")
}


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: where it lives in the dataclasses, and the names it goes by."""

    name: str  # also its key in incoming.toml
    path: tuple[str, ...]  # ("fetch", "max_body_bytes")
    hint: Any
    default: Any

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def is_list(self) -> bool:
        return typing.get_origin(self.hint) is tuple

    @property
    def flag(self) -> str:
        """`--page-size`; a list is given once per item, under its singular name."""
        name = self.name
        if self.is_list:
            name = name[:-3] + "y" if name.endswith("ies") else name.removesuffix("s")
        return "--" + name.replace("_", "-")


def _default(item: Field[Any]) -> Any:
    if item.default is not MISSING:
        return item.default
    return item.default_factory()  # type: ignore[misc]


def _settings_of(cls: type, path: tuple[str, ...] = ()) -> list[Setting]:
    hints = typing.get_type_hints(cls)
    found: list[Setting] = []
    for item in fields(cls):
        hint, where = hints[item.name], (*path, item.name)
        if is_dataclass(hint):
            found.extend(_settings_of(hint, where))  # type: ignore[arg-type]
        else:
            name = SHORT_NAMES.get(where, "_".join(where))  # type: ignore[call-overload]
            found.append(Setting(name, where, hint, _default(item)))
    return found


SETTINGS: tuple[Setting, ...] = tuple(_settings_of(SiteSettings))
BY_NAME = {setting.name: setting for setting in SETTINGS}


def _split_list(value: Any) -> Any:
    """A list from the environment or a flag as one string: items apart by commas."""
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


def _from_environment() -> dict[str, str]:
    """INCOMING_<NAME> of every setting; an empty variable counts as not set."""
    return {s.name: os.environ[s.env] for s in SETTINGS if os.environ.get(s.env, "").strip()}


@functools.cache
def _model() -> Any:
    """The pydantic-settings model of SETTINGS, made on first use (pydantic is slow to import,
    and commands that need no settings should not pay for it)."""
    from pydantic import BeforeValidator, create_model
    from pydantic_settings import BaseSettings, SettingsConfigDict

    class Base(BaseSettings):
        model_config = SettingsConfigDict(extra="forbid", frozen=True)

    def field(setting: Setting) -> tuple[Any, Any]:
        if setting.is_list:
            return Annotated[setting.hint, BeforeValidator(_split_list)], setting.default
        return setting.hint, setting.default

    return create_model("IncomingSettings", __base__=Base, **{s.name: field(s) for s in SETTINGS})


@dataclass(frozen=True, slots=True)
class Layers:
    """What each source says, highest precedence first, and where the file is."""

    flags: dict[str, Any]
    environment: dict[str, str]
    file: dict[str, Any]
    file_path: Path | None
    defaults: dict[str, Any]

    def source_of(self, name: str) -> str:
        """Where the value of a setting came from, as an error message names it."""
        setting = BY_NAME.get(name)
        if name in self.flags and setting is not None:
            return f"flag {setting.flag}"
        if name in self.environment and setting is not None:
            return f"environment variable {setting.env}"
        if name in self.file:
            return f"{self.file_path}, key {name}"
        return DEFAULT


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as opened:
            return tomllib.load(opened)
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the config file {path} is not valid TOML: {exc}") from exc


def config_path(given: str | Path | None) -> Path | None:
    """--config or INCOMING_CONFIG (which must exist), else ./incoming.toml if present."""
    if given is None:
        given = os.environ.get(CONFIG_ENV) or None
    if given is not None:
        return Path(given)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def _layers(
    flags: Mapping[str, Any], config: str | Path | None, defaults: Mapping[str, Any]
) -> Layers:
    path = config_path(config)
    return Layers(
        dict(flags), _from_environment(), _read_file(path) if path else {}, path, dict(defaults)
    )


def _validated(layers: Layers) -> dict[str, Any]:
    from pydantic import ValidationError
    from pydantic_settings import InitSettingsSource

    class Loading(_model()):  # type: ignore[misc]
        @classmethod
        def settings_customise_sources(cls, settings_cls: Any, **_sources: Any) -> tuple[Any, ...]:
            """Flags, environment, file, defaults: the first that has a value wins."""
            return tuple(
                InitSettingsSource(settings_cls, values)
                for values in (layers.flags, layers.environment, layers.file, layers.defaults)
            )

    try:
        return Loading().model_dump()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "?"
        if error["type"] == "extra_forbidden":
            raise ConfigError(f"{layers.source_of(name)}: no setting is called {name!r}") from exc
        raise ConfigError(
            f"setting {name} (from {layers.source_of(name)}): {error['msg']}, "
            f"not {str(error['input'])[:80]!r}"
        ) from exc


def _nested(values: Mapping[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for setting in SETTINGS:
        *parents, leaf = setting.path
        place = nested
        for parent in parents:
            place = place.setdefault(parent, {})
        place[leaf] = values[setting.name]
    return nested


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    config: str | Path | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> SiteSettings:
    """The site's settings (FetchSettings in `.fetch`); ConfigError naming the setting and
    where its bad value came from. `defaults` replace the dataclasses' own (lowest rank)."""
    layers = _layers(flags or {}, config, defaults or {})
    values = _validated(layers)
    try:
        return settings_from_dict(SiteSettings, _nested(values))
    except ConfigError as exc:
        named = [
            s.name
            for s in SETTINGS
            if re.search(rf"\b{s.path[-1]}\b", str(exc)) and layers.source_of(s.name) != DEFAULT
        ]
        where = "; ".join(f"{name} from {layers.source_of(name)}" for name in named)
        raise ConfigError(f"{exc} ({where})" if where else str(exc)) from exc


_TYPE_NAMES = {bool: "boolean", int: "integer", float: "number", str: "text"}


def _named(hint: Any) -> str:
    return _TYPE_NAMES.get(hint, getattr(hint, "__name__", str(hint)))


def type_name(setting: Setting) -> str:
    """The setting's type as docs/configuration.md and --help name it."""
    arguments = typing.get_args(setting.hint)
    if setting.is_list:
        return f"list of {_named(arguments[0])}"
    if type(None) in arguments:  # `str | None`
        return " or ".join(_named(arg) for arg in arguments if arg is not type(None)) + " or none"
    return _named(setting.hint)


def _option(setting: Setting) -> Callable[[Any], Any]:
    help_text = f"Setting {setting.name}, env {setting.env}."
    if setting.hint is bool:
        dashed = setting.flag.removeprefix("--")
        return click.option(
            f"{setting.flag}/--no-{dashed}", setting.name, default=None, help=help_text
        )
    if setting.is_list:
        return click.option(
            setting.flag, setting.name, multiple=True, metavar="TEXT", help=help_text
        )
    metavar = type_name(setting).removesuffix(" or none").replace(" ", "_").upper()
    return click.option(setting.flag, setting.name, default=None, metavar=metavar, help=help_text)


def setting_options(command: Any) -> Any:
    """A flag for every setting (collected by `given_flags`)."""
    for setting in reversed(SETTINGS):
        command = _option(setting)(command)
    return command


def given_flags(parameters: dict[str, Any]) -> dict[str, Any]:
    """Takes the settings' flags out of a command's parameters: those given on the line."""
    given = {}
    for setting in SETTINGS:
        value = parameters.pop(setting.name, None)
        if value is not None and value != ():
            given[setting.name] = value
    return given
