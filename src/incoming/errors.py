"""Exceptions of Incoming; each also inherits the stdlib meaning so callers catch what they need."""

from __future__ import annotations


class IncomingError(Exception):
    """Base of every error Incoming raises on purpose; its message is meant for the user."""


class ConfigError(IncomingError, ValueError):
    """A setting, option or database URL is not usable."""


class SourceError(IncomingError):
    """A source could not be read or understood."""


class SourceNotFoundError(SourceError, LookupError):
    """No stored source matches what was named."""


class SourceRemovedError(SourceNotFoundError):
    """The source was removed (or removed and added again) while it was being fetched."""


class FetchError(SourceError, OSError):
    """Fetching over HTTP failed: network, status, size, address or redirect trouble.

    `status` is the HTTP status when the server answered; `retry_after` the seconds the
    server asked us to wait (Retry-After), so the scheduler can honour it.
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class BlockedAddressError(FetchError, PermissionError):
    """The host resolves to an address Incoming refuses to fetch from (private, loopback...)."""


class ParseError(SourceError, ValueError):
    """The bytes are not a feed, notes or OPML that Incoming can read."""


class NotAFeedError(ParseError):
    """An HTML page where a feed was expected; `feed_links` are the feeds it announces."""

    def __init__(self, message: str, feed_links: list[str] | None = None) -> None:
        super().__init__(message)
        self.feed_links: list[str] = list(feed_links or ())


class TopicNotFoundError(IncomingError, LookupError):
    """No topic of that name or slug."""


class StoreUnavailableError(IncomingError, ConnectionError):
    """The database cannot be reached or opened."""


class SourceExistsError(SourceError, ValueError):
    """The source being added is stored already."""


class BadURLError(SourceError, ValueError):
    """A URL that cannot be parsed: no host, an unclosed IPv6 bracket, a port that is no number."""


class AlreadyRunningError(IncomingError, RuntimeError):
    """Another process holds what only one may hold (the one worker of a SQLite database)."""
