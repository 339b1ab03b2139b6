"""Keeping the index in step with the articles: rows of token strings, written with the articles.

`index_articles` is called by the store in the transaction that saves new and changed articles,
so the index never lags behind a committed fetch; deleted articles take their rows with them
(foreign key cascade, and on SQLite the FTS5 triggers). `reindex` rebuilds everything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text

from incoming.index.keywords import keywords
from incoming.index.schema import (
    FTS_COLUMNS,
    FTS_DDL,
    FTS_REBUILD,
    FTS_TRIGGERS,
    GIN_INDEXES,
    gin_index_ddl,
    search_documents,
)
from incoming.index.tokens import distinct_chars, fold, pair_tokens, word_tokens
from incoming.store.changes import note_change
from incoming.store.engine import Store
from incoming.store.schema import articles

# Text beyond this is not indexed: it bounds an article's distinct tokens, so that PostgreSQL's
# tsvector (at most 1 MB of lexemes) always holds them; both databases cut at the same place.
MAX_INDEXED_CHARACTERS = 100_000
MAX_INDEXED_TITLE = 1_000
# Rows per statement: small enough for SQLite's bound-parameter limit.
CHUNK = 500


def document_tokens(title: str, text: str, html: str = "") -> dict[str, str]:
    """The token strings of an article's search_documents row: its title, and its plain text
    followed by the text of its code blocks (found in its clean `html`). Made where the draft
    is (a parse worker), so that the writer only writes them."""
    from incoming.derive.segments import code_text  # lxml: only where articles are written

    return token_strings(
        word_tokens(fold(title[:MAX_INDEXED_TITLE])),
        word_tokens(fold(f"{text} {code_text(html)}"[:MAX_INDEXED_CHARACTERS])),
    )


def document_row(article_id: int, title: str, text: str, html: str = "") -> dict[str, Any]:
    """The search_documents row of an article."""
    return {"article_id": article_id, **document_tokens(title, text, html)}


def token_strings(
    title: tuple[Sequence[str], Sequence[str]], body: tuple[Sequence[str], Sequence[str]]
) -> dict[str, str]:
    """The token strings from the (words stream, CJK runs) of the title and the text."""
    (title_tokens, title_runs), (body_tokens, body_runs) = title, body
    return {
        "title_words": " ".join(title_tokens),
        "body_words": " ".join(body_tokens),
        "title_chars": " ".join(distinct_chars(title_runs)),
        "body_chars": " ".join(distinct_chars(body_runs)),
        "pairs": " ".join([*pair_tokens(title_tokens), *pair_tokens(body_tokens)]),
        "keywords": " ".join(keywords(title_tokens, body_tokens)),
    }


def index_articles(connection: Connection, documents: Mapping[int, Mapping[str, str]]) -> None:
    """(Re)index articles just inserted or changed: `documents` is their token strings (see
    `document_tokens`) by article id."""
    ids = list(documents)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        connection.execute(delete(search_documents).where(search_documents.c.article_id.in_(chunk)))
        connection.execute(
            insert(search_documents),
            [{"article_id": article_id, **documents[article_id]} for article_id in chunk],
        )


def fill_documents(connection: Connection) -> int:
    """Index every article into an empty search_documents; returns how many."""
    query = select(
        articles.c.id, articles.c.title, articles.c.content_text, articles.c.content_html
    ).order_by(articles.c.id)
    count = 0
    last = None
    while True:
        page = (
            query.limit(CHUNK) if last is None else query.where(articles.c.id > last).limit(CHUNK)
        )
        rows = connection.execute(page).all()
        if not rows:
            return count
        connection.execute(insert(search_documents), [document_row(*row) for row in rows])
        count += len(rows)
        last = rows[-1].id


def create_sqlite_index(connection: Connection) -> None:
    """The FTS5 tables over search_documents, filled from it, and the triggers that follow it."""
    for statement in (*FTS_DDL, *FTS_REBUILD):
        connection.execute(text(statement))
    for name, body in FTS_TRIGGERS.items():
        connection.execute(text(f"CREATE TRIGGER {name} {body}"))


def drop_gin_indexes(connection: Connection) -> None:
    """PostgreSQL: drop the GIN indexes before a fill (see `create_gin_indexes`)."""
    for name in GIN_INDEXES:
        connection.execute(text(f"DROP INDEX IF EXISTS {name}"))


def create_gin_indexes(connection: Connection) -> None:
    """PostgreSQL: build the GIN indexes in one pass, with the memory that takes (following a
    million inserts one by one takes ten times longer)."""
    connection.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
    for name in GIN_INDEXES:
        connection.execute(text(gin_index_ddl(name)))


def rebuild_index(connection: Connection, *, exclusive: bool = False) -> int:
    """Index every article anew, in the caller's transaction; returns articles indexed.

    On SQLite the FTS5 tables are dropped and built again in one pass, much faster than
    following a million row changes. On PostgreSQL readers keep the old index until the new
    one commits; `exclusive` drops the GIN indexes and builds them once after the fill
    instead (ten times faster, but searches wait for the commit: for migrations).
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        for name in FTS_TRIGGERS:
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        for name in FTS_COLUMNS:
            connection.execute(text(f"DROP TABLE IF EXISTS {name}"))
    elif exclusive:
        drop_gin_indexes(connection)
    connection.execute(delete(search_documents))
    count = fill_documents(connection)
    if sqlite:
        create_sqlite_index(connection)
    elif exclusive:
        create_gin_indexes(connection)
    return count


def reindex(store: Store) -> int:
    """Rebuild the whole index from the articles, in one transaction; returns articles indexed.
    Readers keep the old index until the new one commits."""
    with store.write() as connection:
        count = rebuild_index(connection)
        note_change(connection)  # search pages are cached by the change counter too
        return count
