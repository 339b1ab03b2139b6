"""Where the search index lives: one row of token strings per article, indexed per database.

`search_documents` holds each article's tokens (see `tokens`) as space-separated strings, on both
databases, with a foreign key that deletes them with their article. What indexes them differs:

- SQLite: `search_fts`, an FTS5 table with *external content* (`search_documents`), kept in step
  by triggers. External rather than contentless because deleting from a contentless table
  needs the very tokens that were indexed, which would have to be recomputed from the article
  at delete time (and would silently corrupt the index if the tokenizer ever changed); with
  external content FTS5 reads them back itself, so source removal (a cascade of deletes),
  `rebuild` and `integrity-check` just work. The `ascii` tokenizer only splits on ASCII
  non-alphanumerics and keeps every other character, so it splits our strings on spaces only.
- PostgreSQL: two GIN expression indexes, `document` and `title_document`: tsvectors made from
  the same strings split on spaces (`array_to_tsvector`, no parser or dictionary in between, so
  every token is kept whole whatever the locale) and the id window lexemes (`windows`). The
  tsvectors are not stored (they would be four times the size of the strings, and GIN answers
  without reading them back); a query names the index's expression (`DOCUMENT_SQL`) to use it.
  They hold no positions: phrases are checked on the token strings instead (`tsvector`
  positions stop at 16,383 and 256 per lexeme, which would lose phrases in long articles).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Table, Text

from incoming.index.windows import window_lexemes_sql
from incoming.store.schema import Key, metadata

FTS_TABLE = "search_fts"
TITLES_FTS_TABLE = "search_fts_titles"

# The PostgreSQL indexes' tsvectors: the token strings split on spaces (empty strings dropped),
# and the id window lexemes (see `windows`). A query must spell them exactly so.
_WINDOWS = window_lexemes_sql("article_id")
DOCUMENT_SQL = (
    "array_to_tsvector(array_remove(string_to_array(title_words || ' ' || title_chars"
    " || ' ' || body_words || ' ' || body_chars || ' ' || pairs, ' '), '')"
    f" || {_WINDOWS})"
)
TITLE_DOCUMENT_SQL = (
    "array_to_tsvector(array_remove(string_to_array(title_words || ' ' || title_chars, ' '), '')"
    f" || {_WINDOWS})"
)
# Token strings move to TOAST from this row size on (the default is 2 KB): searches read rows by
# the thousand for their ids, which takes five times fewer pages from narrow rows.
TOAST_TUPLE_TARGET = 128
# Except the title's token strings (STORAGE MAIN: kept in the row unless it would not fit a
# page): ranking reads them for every candidate and title phrases are checked on them by the
# thousand, and a title's few dozen bytes cost three times as much fetched back from TOAST.
INLINE_COLUMNS = ("title_words", "title_chars")
# New rows wait in a GIN index's pending list, which every query reads through, until it holds
# this many kB (the default is 4 MB: a few milliseconds on each query, at any size).
GIN_PENDING_LIST_KB = 256
# The token strings that ranking and phrase checks read are compressed with lz4 where the
# server has it: it decompresses several times faster than pglz, the default.
TOKEN_COLUMNS = ("title_words", "body_words", "title_chars", "body_chars", "pairs")
GIN_INDEXES = {
    "ix_search_documents_document": DOCUMENT_SQL,
    "ix_search_documents_title_document": TITLE_DOCUMENT_SQL,
}


def gin_index_ddl(name: str) -> str:
    """The CREATE INDEX statement of one of the GIN_INDEXES."""
    return (
        f"CREATE INDEX {name} ON search_documents USING gin (({GIN_INDEXES[name]}))"
        f" WITH (gin_pending_list_limit = {GIN_PENDING_LIST_KB})"
    )


search_documents = Table(
    "search_documents",
    metadata,
    Column("article_id", Key, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("title_words", Text, nullable=False),
    Column("body_words", Text, nullable=False),
    Column("title_chars", Text, nullable=False),
    Column("body_chars", Text, nullable=False),
    # The pairs streams of the title and of the text, for phrases.
    Column("pairs", Text, nullable=False),
    # The article's most frequent content tokens, for related articles.
    Column("keywords", Text, nullable=False),
)

# SQLite: FTS5 indexes over the token strings, and the triggers that keep them in step. No
# column sizes are kept (columnsize=0): ranking reads the token strings, not FTS5's bm25(). The
# titles have an index of their own: looking for title matches in the whole index would read
# the text's long token lists too.
_FTS_OPTIONS = (
    "content='search_documents', content_rowid='article_id', tokenize='ascii', columnsize=0"
)
FTS_COLUMNS = {
    FTS_TABLE: ("title_words", "body_words", "title_chars", "body_chars", "pairs"),
    TITLES_FTS_TABLE: ("title_words", "title_chars"),
}
FTS_DDL = [
    f"CREATE VIRTUAL TABLE {name} USING fts5({', '.join(columns)}, {_FTS_OPTIONS})"
    for name, columns in FTS_COLUMNS.items()
]
FTS_REBUILD = [f"INSERT INTO {name}({name}) VALUES ('rebuild')" for name in FTS_COLUMNS]


def _fts_statements(row: str, *, delete: bool) -> str:
    """The statements a trigger runs to add (or delete) the `row` (new or old) in each index."""
    statements = []
    for name, columns in FTS_COLUMNS.items():
        values = ", ".join(f"{row}.{column}" for column in ("article_id", *columns))
        command = f"{name}, " if delete else ""
        flag = "'delete', " if delete else ""
        statements.append(
            f"INSERT INTO {name}({command}rowid, {', '.join(columns)}) VALUES ({flag}{values});"
        )
    return " ".join(statements)


FTS_TRIGGERS = {
    "search_documents_inserted": (
        f"AFTER INSERT ON search_documents BEGIN {_fts_statements('new', delete=False)} END"
    ),
    "search_documents_deleted": (
        f"AFTER DELETE ON search_documents BEGIN {_fts_statements('old', delete=True)} END"
    ),
    "search_documents_updated": (
        f"AFTER UPDATE ON search_documents BEGIN {_fts_statements('old', delete=True)}"
        f" {_fts_statements('new', delete=False)} END"
    ),
}


def include_object(_object: object, name: str | None, type_: str, *_: object) -> bool:
    """Alembic `include_object` hook: schema comparisons skip what SQLAlchemy cannot describe.

    FTS5's virtual and shadow tables cannot be described by SQLAlchemy metadata, and the GIN
    expression indexes exist on PostgreSQL only; the tests of `incoming.index` check those on
    each database instead.
    """
    if type_ == "table":
        return not (name or "").startswith(FTS_TABLE)
    return not (type_ == "index" and name in GIN_INDEXES)
