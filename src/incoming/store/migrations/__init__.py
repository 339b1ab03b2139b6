"""Alembic migrations: the schema's history as an ordered list in code."""
