"""Incoming: a self-hosted hub for machine-learning writing."""

__version__ = "0.1.0"
