"""A current store is told without Alembic: the head read from the migration files' names is
Alembic's own head, and a store at it is left alone."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory

from incoming.store.engine import (
    _alembic_config,
    migrate,
    newest_revision,
    open_store,
    stored_revision,
)


def test_the_newest_revision_is_alembics_head() -> None:
    assert newest_revision() == ScriptDirectory.from_config(_alembic_config()).get_current_head()


def test_a_new_store_is_migrated_then_left_alone(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}", apply_migrations=False)
    try:
        with store.read() as connection:
            assert stored_revision(connection) is None
        assert migrate(store) == newest_revision()
        with store.read() as connection:
            assert stored_revision(connection) == newest_revision()
        assert migrate(store) is None
    finally:
        store.close()
