"""Ids are never reused: on SQLite, the tables whose ids other rows, URLs and feeds name get
AUTOINCREMENT. Without it SQLite hands a removed top id to the next row, so a fetch of a removed
source could save its articles under the next source added, and an old article link could lead
to another article. PostgreSQL's sequences never go back, so nothing changes there.

Each table is rebuilt as SQLite documents (create the new shape, copy, drop, rename, indexes
back), from its own stored CREATE statement with only the primary key changed: every column,
default and constraint stays as the store has it. Copying the rows sets the table's counter in
sqlite_sequence to its largest id. Foreign keys must be off while the old tables are dropped
(else the drop deletes the rows that refer to them): `incoming`'s own migrate turns them off
and checks every reference before it commits.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import re

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The tables whose ids appear elsewhere: in article links and Atom ids, in other rows (articles'
# source_id, article_topics), in the admin's token list.
TABLES = ("sources", "articles", "topics", "api_tokens")


def _primary_key(table: str) -> str:
    return f"CONSTRAINT pk_{table} PRIMARY KEY (id"


def _rebuild(table: str, *, autoincrement: bool) -> None:
    connection = op.get_bind()
    create = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    old_key, new_key = _primary_key(table) + ")", _primary_key(table) + " AUTOINCREMENT)"
    if not autoincrement:
        old_key, new_key = new_key, old_key
    if new_key in create:
        return  # rebuilt already
    if create.count(old_key) != 1:
        raise RuntimeError(f"table {table} has no primary key of the expected shape: {create}")
    indexes = [
        sql
        for (sql,) in connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql NOT NULL",
            (table,),
        )
    ]
    rebuilt = f"{table}_0009"
    head = re.match(rf"CREATE TABLE \"?{table}\"? \(", create)
    if head is None:
        raise RuntimeError(f"table {table} has an unexpected CREATE statement: {create}")
    body = create[head.end() :].replace(old_key, new_key)
    op.execute(f"CREATE TABLE {rebuilt} ({body}")
    op.execute(f"INSERT INTO {rebuilt} SELECT * FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {rebuilt} RENAME TO {table}")
    for sql in indexes:
        op.execute(sql)


def _rebuild_all(*, autoincrement: bool) -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    if connection.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "migration 0009 rebuilds tables, which needs foreign keys off "
            "(run it through incoming, which turns them off for migrations)"
        )
    for table in TABLES:
        _rebuild(table, autoincrement=autoincrement)
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        raise RuntimeError(f"migration 0009 left a broken reference: {tuple(broken)}")


def upgrade() -> None:
    _rebuild_all(autoincrement=True)


def downgrade() -> None:
    _rebuild_all(autoincrement=False)
