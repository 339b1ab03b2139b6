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


class FetchError(SourceError, OSError):
    """Fetching over HTTP failed: network, status, size, address or redirect trouble."""


class BlockedAddressError(FetchError, PermissionError):
    """The host resolves to an address Incoming refuses to fetch from (private, loopback...)."""


class ParseError(SourceError, ValueError):
    """The bytes are not a feed, notes or OPML that Incoming can read."""


class NotAFeedError(ParseError):
    """An HTML page with no feed to discover."""


class StoreUnavailableError(IncomingError, ConnectionError):
    """The database cannot be reached or opened."""


class SourceExistsError(SourceError, ValueError):
    """The source being added is stored already."""
