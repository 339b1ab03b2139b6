"""Log output: plain text (the default) or JSON lines for log collectors.

A JSON line has `time` (UTC, ISO 8601), `level`, `logger` and `message`, then every field a
call passed in `extra=` (source_id, url, outcome, duration_ms...), and `exception` when one
was logged. The same configuration serves the command line, uvicorn and its worker processes.
"""

from __future__ import annotations

import copy
import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

import click

LOG_FORMATS = ("text", "json")
LOG_FORMAT_ENV = "INCOMING_LOG_FORMAT"
ACCESS_LOGGER = "incoming.access"  # one line a request, with `serve --access-log`
# The attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's coloured copy of the message
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object a line; values JSON cannot hold are written as their str()."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update((key, value) for key, value in vars(record).items() if key not in _STANDARD)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def json_logging_config(level: str = "INFO") -> dict[str, Any]:
    """A dictConfig sending everything (uvicorn's loggers too) to stderr as JSON lines."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            **{
                name: {"handlers": [], "level": level, "propagate": True}
                for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
            },
            "alembic": {"level": "WARNING"},  # a line per migration step, in every process
        },
        "root": {"handlers": ["stderr"], "level": level},
    }


def server_logging_config(log_format: str) -> dict[str, Any]:
    """uvicorn's log_config: JSON lines, or uvicorn's own text with our warnings and access
    lines beside it (the text mode of before: Incoming's info lines stay quiet)."""
    if log_format == "json":
        return json_logging_config()
    from uvicorn.config import LOGGING_CONFIG  # here: only a server needs uvicorn

    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["requests"] = {
        "formatter": "default",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["incoming"] = {"handlers": ["default"], "level": "WARNING"}
    config["loggers"][ACCESS_LOGGER] = {
        "handlers": ["requests"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def configure_logging(log_format: str) -> None:
    """Set up this process's logging; text keeps Python's defaults (warnings to stderr)."""
    if log_format == "json":
        logging.config.dictConfig(json_logging_config())


def log_format_option(command: Any) -> Any:
    return click.option(
        "--log-format",
        type=click.Choice(LOG_FORMATS),
        default="text",
        envvar=LOG_FORMAT_ENV,
        show_default=True,
        show_envvar=True,
        help="Logs as plain text or as JSON lines (for log collectors).",
    )(command)
