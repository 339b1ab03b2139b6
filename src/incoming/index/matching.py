"""Which articles match a parsed query, newest first: FTS5 on SQLite, tsvectors on PostgreSQL.

Both are built from our tokens only, never from the user's text as syntax: every token is
quoted, and the operators come from the parsed structure. Both find the same articles:

- a phrase (the tokens of a word, CJK string or quoted phrase) matches when its tokens follow
  one another in the title or in the text: an FTS5 phrase in the word columns, which the
  phrase's pairs (see `tokens`) narrow down first; on PostgreSQL, its pairs and the tokens no
  pair holds in the tsvector (GIN), then, unless that already says it (one token, or two in
  a pair), the phrase, spaces around it, in the token string;
- a character matches when it is in the title's or the text's chars stream.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    column,
    func,
    literal,
    select,
    table,
)
from sqlalchemy.engine import Dialect

from incoming.index.query import Char, Leaf, Query, Term
from incoming.index.schema import (
    DOCUMENT_SQL,
    FTS_TABLE,
    TITLE_DOCUMENT_SQL,
    TITLES_FTS_TABLE,
    search_documents,
)
from incoming.index.tokens import JOINER, pair_tokens
from incoming.index.windows import SMALLEST, aligned, window_lexemes
from incoming.store.schema import articles


class Matcher(Protocol):
    top: int | None  # the newest article's id, read once per search

    def newest(
        self,
        query: Query,
        scope: list[ColumnElement[bool]],
        *,
        title_only: bool,
        limit: int,
        before: int | None = None,
    ) -> list[int]:
        """Up to `limit` ids of matching articles (in `scope`: conditions on `articles`),
        newest first, all below `before` if given."""
        ...

    def newest_each(self, queries: Sequence[Query], *, limit: int) -> list[list[int]]:
        """`newest` of each query, with no scope, in titles and text."""
        ...

    def counts_since(self, leaves: Sequence[Leaf], start: int) -> list[int]:
        """How many articles from id `start` on (see `recent_start`) hold each leaf's index
        terms (`index_terms`; a phrase is not checked), by the index alone: what IDF needs."""
        ...


def leaf_query(leaf: Leaf) -> Query:
    """The query looking for one leaf alone."""
    return Query(groups=(((Term((leaf,), ())),),))


# --- SQLite -------------------------------------------------------------------------------

_fts = table(FTS_TABLE, column("rowid"), column(FTS_TABLE))
_titles_fts = table(TITLES_FTS_TABLE, column("rowid"), column(TITLES_FTS_TABLE))


def _fts_string(tokens: Sequence[str]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def _fts_leaf(leaf: Leaf, *, title_only: bool) -> str:
    if isinstance(leaf, Char):
        columns = "{title_chars}" if title_only else "{title_chars body_chars}"
        return f"{columns} : {_fts_string((leaf.char,))}"
    columns = "{title_words}" if title_only else "{title_words body_words}"
    phrase = f"{columns} : {_fts_string(leaf.tokens)}"
    if title_only:
        return phrase
    return " AND ".join(
        [*(f"pairs : {_fts_string((p,))}" for p in pair_tokens(leaf.tokens)), phrase]
    )


def _fts_term(term: Term, *, title_only: bool) -> str:
    return "(" + " AND ".join(_fts_leaf(leaf, title_only=title_only) for leaf in term.leaves) + ")"


def _fts_any(terms: tuple[Term, ...], *, title_only: bool) -> str:
    return "(" + " OR ".join(_fts_term(term, title_only=title_only) for term in terms) + ")"


def fts_match(query: Query, *, title_only: bool = False) -> str:
    """The FTS5 MATCH expression of a query's groups (and, unless title_only, its exclusions)."""
    expression = " AND ".join(_fts_any(group, title_only=title_only) for group in query.groups)
    if query.excluded and not title_only:
        expression = f"({expression}) NOT {_fts_any(query.excluded, title_only=False)}"
    return expression


def _match(index: Any, expression: str) -> ColumnElement[bool]:
    return index.c[index.name].bool_op("MATCH")(literal(expression))


class SqliteMatcher:
    """FTS5 reads its lists newest first and stops at the limit: one statement."""

    def __init__(self, connection: Connection, top: int | None) -> None:
        self.connection = connection
        self.top = top

    def newest(
        self,
        query: Query,
        scope: list[ColumnElement[bool]],
        *,
        title_only: bool,
        limit: int,
        before: int | None = None,
    ) -> list[int]:
        index = _titles_fts if title_only else _fts
        rowid = index.c.rowid
        found = select(rowid).where(_match(index, fts_match(query, title_only=title_only)))
        if before is not None:
            found = found.where(rowid < before)
        if title_only and query.excluded:  # the text is in the other index
            excluded = _fts_any(query.excluded, title_only=False)
            found = found.where(rowid.not_in(select(_fts.c.rowid).where(_match(_fts, excluded))))
        if scope:
            found = found.join_from(index, articles, articles.c.id == rowid).where(*scope)
        return list(self.connection.execute(found.order_by(rowid.desc()).limit(limit)).scalars())

    def newest_each(self, queries: Sequence[Query], *, limit: int) -> list[list[int]]:
        return [self.newest(query, [], title_only=False, limit=limit) for query in queries]

    def counts_since(self, leaves: Sequence[Leaf], start: int) -> list[int]:
        counts = []
        for leaf in leaves:  # bare strings: in any column, as in PostgreSQL's one tsvector
            held = " AND ".join(_fts_string((term,)) for term in index_terms(leaf))
            found = select(func.count()).where(_match(_fts, held), _fts.c.rowid >= start)
            counts.append(self.connection.execute(found).scalar_one())
        return counts


# --- PostgreSQL ---------------------------------------------------------------------------

# The newest window holds this many times the ids asked for, and each older one this many
# times more ids than the one before it.
WINDOW_MARGIN = 4
WINDOW_GROWTH = 8
# A window made of more blocks than this reaches back to the first article instead.
MAX_WINDOW_BLOCKS = 32


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _is_exact(leaf: Leaf, *, title_only: bool) -> bool:
    """Whether the tsquery of a leaf alone decides it (no phrase to check in the text)."""
    if isinstance(leaf, Char) or len(leaf.tokens) == 1:
        return True
    return not title_only and len(leaf.tokens) == 2 and bool(pair_tokens(leaf.tokens))


def index_terms(leaf: Leaf, *, title_only: bool = False) -> list[str]:
    """What the tsvector must hold: the pairs, and the tokens that no pair holds."""
    if isinstance(leaf, Char):
        return [leaf.char]
    if title_only:
        return list(dict.fromkeys(leaf.tokens))
    pairs = pair_tokens(leaf.tokens)
    paired = {token for pair in pairs for token in pair.split(JOINER)}
    return list(dict.fromkeys([*pairs, *(t for t in leaf.tokens if t not in paired)]))


def _tsquery_term(term: Term, *, title_only: bool) -> str:
    lexemes = (
        lexeme for leaf in term.leaves for lexeme in index_terms(leaf, title_only=title_only)
    )
    return "(" + " & ".join(_lexeme(lexeme) for lexeme in dict.fromkeys(lexemes)) + ")"


def _in_window(tsquery: str, blocks: list[str]) -> str:
    """The tsquery narrowed to the ids of the window `blocks` (see `windows`); none: all ids."""
    if not blocks:
        return tsquery
    return f"{tsquery} & ({' | '.join(map(_lexeme, blocks))})"


def _needs_check(term: Term, *, title_only: bool) -> bool:
    return not all(_is_exact(leaf, title_only=title_only) for leaf in term.leaves)


def _windows(limit: int, below: int) -> list[list[str]]:
    """The window lexemes of each window below `below`, newest first; the last window is
    empty (no lexemes) when it reaches back to the first article."""
    windows = []
    high = aligned(below - 1)
    size = _rounded(WINDOW_MARGIN * limit)
    while high > 0:
        low = max(0, high - size)
        blocks = window_lexemes(low, high)
        if len(blocks) > MAX_WINDOW_BLOCKS:
            windows.append([])
            break
        windows.append(blocks)
        high, size = low, size * WINDOW_GROWTH
    return windows


class _Statement:
    """Raw SQL for psycopg (`%(name)s` parameters), and its parameters: these statements are
    rebuilt for every query, and SQLAlchemy would spend longer building and compiling them
    than PostgreSQL spends running them."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def scope(self, dialect: Dialect, scope: list[ColumnElement[bool]]) -> str:
        """The scope's conditions on `articles`, compiled by SQLAlchemy once. Their values
        (ids, UTC-aware datetimes) go to psycopg as they are."""
        compiled = and_(*scope).compile(
            dialect=dialect, compile_kwargs={"render_postcompile": True}
        )
        self.params.update(compiled.params)
        return str(compiled)

    def contains(self, column: str, tokens: tuple[str, ...]) -> str:
        """The space-separated token string holds these tokens in a row."""
        return f"strpos(' ' || c.{column} || ' ', {self.param(' ' + ' '.join(tokens) + ' ')}) > 0"

    def leaf_check(self, leaf: Leaf, *, title_only: bool) -> str:
        if isinstance(leaf, Char):
            columns, tokens = ("title_chars", "body_chars"), (leaf.char,)
        else:
            columns, tokens = ("title_words", "body_words"), leaf.tokens
        held = [self.contains(column, tokens) for column in columns[: 1 if title_only else 2]]
        return "(" + " OR ".join(held) + ")"

    def term_check(self, term: Term, *, title_only: bool) -> str:
        checks = (self.leaf_check(leaf, title_only=title_only) for leaf in term.leaves)
        return "(" + " AND ".join(checks) + ")"


class PostgresMatcher:
    """One statement: a UNION ALL of id windows (see `windows`), newest first, under a LIMIT.

    PostgreSQL runs the windows one after the other and stops as soon as the LIMIT is met, so
    a common word reads its newest window only and a rare one reads them all, in one round
    trip. In each window GIN finds the candidates, they are sorted newest first, and phrases
    and filters are checked on them in that order (the OFFSET 0 keeps the checks above the
    sort): only on as many as the LIMIT takes, and only their token strings are decompressed.
    """

    def __init__(self, connection: Connection, top: int | None) -> None:
        self.connection = connection
        self.top = top  # the newest article's id

    def newest(
        self,
        query: Query,
        scope: list[ColumnElement[bool]],
        *,
        title_only: bool,
        limit: int,
        before: int | None = None,
    ) -> list[int]:
        statement = _Statement()
        sql = self._windowed(statement, query, scope, title_only, limit, before)
        if sql is None:
            return []
        return list(self.connection.exec_driver_sql(sql, statement.params).scalars())

    def newest_each(self, queries: Sequence[Query], *, limit: int) -> list[list[int]]:
        """`newest` of each query (no scope, titles and text), all in one statement."""
        statement = _Statement()
        parts = []
        for number, query in enumerate(queries):
            sql = self._windowed(statement, query, [], False, limit, None)
            if sql is not None:
                parts.append(f"SELECT {number} AS query, article_id FROM ({sql}) AS q{number}")
        found: list[list[int]] = [[] for _ in queries]
        if parts:
            rows = self.connection.exec_driver_sql(" UNION ALL ".join(parts), statement.params)
            for number, article_id in rows:
                found[number].append(article_id)
        return found

    def counts_since(self, leaves: Sequence[Leaf], start: int) -> list[int]:
        """All in one statement; GIN's bitmaps are counted without reading the rows where the
        visibility map allows."""
        if self.top is None or not leaves:
            return [0] * len(leaves)
        blocks = window_lexemes(start, aligned(self.top)) if start else []
        statement = _Statement()
        counts = []
        for leaf in leaves:
            held = _tsquery_term(Term((leaf,), ()), title_only=False)
            tsquery = statement.param(_in_window(held, blocks))
            held_by = f"({DOCUMENT_SQL}) @@ {tsquery}::tsquery"
            counts.append(f"(SELECT count(*) FROM search_documents WHERE {held_by})")
        sql = f"SELECT {', '.join(counts)}"
        return list(self.connection.exec_driver_sql(sql, statement.params).one())

    def _windowed(
        self,
        statement: _Statement,
        query: Query,
        scope: list[ColumnElement[bool]],
        title_only: bool,
        limit: int,
        before: int | None,
    ) -> str | None:
        if self.top is None or limit <= 0:
            return None
        below = self.top + 1 if before is None else min(before, self.top + 1)
        vector = TITLE_DOCUMENT_SQL if title_only else DOCUMENT_SQL
        matching = self._tsquery(query, title_only=title_only)
        checks = self._checks(statement, query, title_only=title_only)
        conditions = [*checks, statement.scope(self.connection.dialect, scope)] if scope else checks
        columns = "".join(f", {column}" for column in _CHECKED) if checks else ""
        joined = " JOIN articles ON articles.id = c.article_id" if scope else ""
        bound = statement.param(below)
        windows = []
        for blocks in _windows(limit, below):
            tsquery = statement.param(_in_window(matching, blocks))
            candidates = (
                f"SELECT article_id{columns} FROM search_documents"
                f" WHERE ({vector}) @@ {tsquery}::tsquery AND article_id < {bound}"
                " ORDER BY article_id DESC"
            )
            if conditions:
                candidates = (
                    f"SELECT c.article_id FROM ({candidates} OFFSET 0) AS c{joined}"
                    f" WHERE {' AND '.join(conditions)} ORDER BY c.article_id DESC"
                )
            windows.append(f"({candidates})")
        return (
            f"SELECT article_id FROM ({' UNION ALL '.join(windows)}) AS found"
            f" LIMIT {statement.param(limit)}"
        )

    @staticmethod
    def _tsquery(query: Query, *, title_only: bool) -> str:
        text = " & ".join(
            "(" + " | ".join(_tsquery_term(term, title_only=title_only) for term in group) + ")"
            for group in query.groups
        )
        if not title_only:  # the titles' tsvector cannot tell: see _checks
            for term in query.excluded:
                if not _needs_check(term, title_only=False):
                    text += f" & !{_tsquery_term(term, title_only=False)}"
        return text

    @staticmethod
    def _checks(statement: _Statement, query: Query, *, title_only: bool) -> list[str]:
        checks = [
            "(" + " OR ".join(statement.term_check(t, title_only=title_only) for t in group) + ")"
            for group in query.groups
            if any(_needs_check(term, title_only=title_only) for term in group)
        ]
        checks.extend(
            f"NOT {statement.term_check(term, title_only=False)}"
            for term in query.excluded
            if title_only or _needs_check(term, title_only=False)
        )
        return checks


# The token strings the checks read.
_CHECKED = ("title_words", "body_words", "title_chars", "body_chars")


def _rounded(ids: float) -> int:
    """A window size: a whole number of the smallest blocks."""
    return max(1, math.ceil(ids / SMALLEST)) * SMALLEST


@contextmanager
def matcher_for(connection: Connection) -> Iterator[Matcher]:
    """The matcher for this connection's database, for the queries of one search."""
    if connection.dialect.name == "sqlite":
        top_id = select(func.max(search_documents.c.article_id))
        yield SqliteMatcher(connection, connection.execute(top_id).scalar())
        return
    settings = ", ".join(f"current_setting('{name}')" for name in _PLANNER)
    top, *planner = connection.exec_driver_sql(
        f"SELECT max(article_id), {settings} FROM search_documents"
    ).one()
    _set_planner(connection, _PLANNER.values())
    yield PostgresMatcher(connection, top)
    _set_planner(connection, planner)


# What the matcher's statements need of the planner. Narrow rows make a sequential scan look
# cheap, which does not count reading every row's token strings back from TOAST: that takes
# seconds; GIN it is. No JIT: compiling takes tens of milliseconds, more than any of these
# statements. And no parallel plans: a parallel UNION ALL would not keep its windows in order.
_PLANNER = {"enable_seqscan": "off", "jit": "off", "max_parallel_workers_per_gather": "0"}


def _set_planner(connection: Connection, values: Iterable[str]) -> None:
    """Local to the transaction: a failed search leaves them to the rollback, for a statement
    in an aborted transaction would only fail again and hide the first error. Raw SQL, as
    the matcher's: these two statements come with every search."""
    statement = _Statement()
    calls = (
        f"set_config('{name}', {statement.param(value)}, true)"
        for name, value in zip(_PLANNER, values, strict=True)
    )
    connection.exec_driver_sql(f"SELECT {', '.join(calls)}", statement.params)
