"""The JSON API under /api: reading articles, sources and topics; changing sources with a token."""
