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
        found = found.order_by(rowid.desc()).limit(limit)
        return list(self.connection.execute(found).scalars().all())

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

# The newest window holds this many times the ids asked for.
FIRST_WINDOW_MARGIN = 4
# A window sized by the density of matches in the newest one is meant to hold this many
# times the matches still wanted; each window after it this many times more ids.
WINDOW_MARGIN = 2
WINDOW_GROWTH = 8
# A window made of more blocks than this reaches back to the first article instead.
MAX_WINDOW_BLOCKS = 32
# When the newest window's density says that the older ids hold no more index matches than
# this, they are read all at once: at a million articles, fetching and sorting that many ids
# took less than window after window (p50 of a search's two reads over the bench's queries:
# 9.5 ms; 11.2 with a quarter of it, 13.6 with a sixteenth, 17.8 reading windows only).
UNWINDOWED_MATCHES = 16384


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


# A window: its first id, and its window lexemes (none: it reaches back to the first article).
Window = tuple[int, list[str]]


def _checked(query: Query, *, title_only: bool) -> tuple[list[tuple[Term, ...]], list[Term]]:
    """The groups and the exclusions that the tsquery cannot decide: the token strings must."""
    groups = [
        group
        for group in query.groups
        if any(_needs_check(term, title_only=title_only) for term in group)
    ]
    excluded = [t for t in query.excluded if title_only or _needs_check(t, title_only=False)]
    return groups, excluded


def _windows(size: float, below: int) -> list[Window]:
    """Windows below `below`, newest first, the first holding about `size` ids and each
    older one WINDOW_GROWTH times as many, until one would take too many blocks: that one
    reaches back to the first article."""
    windows: list[Window] = []
    high = aligned(below - 1)
    ids = _rounded(size)
    while high > 0:
        low = max(0, high - ids)
        blocks = window_lexemes(low, high)
        if len(blocks) > MAX_WINDOW_BLOCKS:
            windows.append((0, []))
            break
        windows.append((low, blocks))
        high, ids = low, ids * WINDOW_GROWTH
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

    def held(self, tsquery: str, title_only: bool) -> str:
        """The row's tsvector, spelled as its GIN index's expression, matches the tsquery."""
        vector = TITLE_DOCUMENT_SQL if title_only else DOCUMENT_SQL
        return f"({vector}) @@ {self.param(tsquery)}::tsquery"

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
    """Statements made of id windows (see `windows`), newest first, under a LIMIT.

    The newest window comes first, alone: a common word finds all it needs there. When it
    falls short, its density of matches tells what to read next, in a second statement: the
    older ids all at once when they hold few index matches, else a window sized to hold the
    matches still wanted, then wider ones, a UNION ALL that PostgreSQL runs one after the
    other until the LIMIT is met. In each window GIN finds the candidates, they are sorted
    newest first, and phrases and filters are checked on them in that order: only on as many
    as the LIMIT takes, and only their token strings are decompressed. The sort stands in a
    subquery (OFFSET 0) under an ORDER BY of its own, so that PostgreSQL plans it for all of
    the window's rows: planned for the LIMIT's few, reading the primary key backwards and
    computing each row's tsvector looks cheaper, and takes seconds.
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
        if self.top is None or limit <= 0:
            return []
        below = self.top + 1 if before is None else min(before, self.top + 1)

        def read(limit: int, below: int, windows: list[Window]) -> list[int]:
            statement = _Statement()
            sql = self._windowed(statement, query, scope, title_only, limit, below, windows)
            return list(self.connection.exec_driver_sql(sql, statement.params).scalars().all())

        first = _windows(FIRST_WINDOW_MARGIN * limit, below)[0]
        found = read(limit, below, [first])
        low = first[0]
        if len(found) >= limit or low == 0:
            return found
        ids = below - low
        exact = not scope and _checked(query, title_only=title_only) == ([], [])
        candidates = len(found) if exact else self._count(query, title_only, below, first)
        if (candidates + 0.5) * low / ids <= UNWINDOWED_MATCHES:
            rest = [(0, [])]
        else:
            density = (len(found) + 0.5) / ids
            rest = _windows(WINDOW_MARGIN * (limit - len(found)) / density, low)
        return found + read(limit - len(found), low, rest)

    def _count(self, query: Query, title_only: bool, below: int, window: Window) -> int:
        """How many articles of the window below `below` GIN finds for the query, before
        phrases and filters are checked."""
        statement = _Statement()
        tsquery = _in_window(self._tsquery(query, title_only=title_only), window[1])
        sql = (
            f"SELECT count(*) FROM search_documents WHERE {statement.held(tsquery, title_only)}"
            f" AND article_id < {statement.param(below)}"
        )
        return int(self.connection.exec_driver_sql(sql, statement.params).scalar_one())

    def newest_each(self, queries: Sequence[Query], *, limit: int) -> list[list[int]]:
        """`newest` of each query (no scope, titles and text), all in one statement."""
        statement = _Statement()
        parts = []
        if self.top is not None and limit > 0:
            below = self.top + 1
            windows = _windows(FIRST_WINDOW_MARGIN * limit, below)
            for number, query in enumerate(queries):
                sql = self._windowed(statement, query, [], False, limit, below, windows)
                parts.append(f"SELECT {number} AS query, article_id FROM ({sql}) AS q{number}")
        found: list[list[int]] = [[] for _ in queries]
        if parts:
            rows = self.connection.exec_driver_sql(" UNION ALL ".join(parts), statement.params)
            for number, article_id in rows.all():
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
            held = _in_window(_tsquery_term(Term((leaf,), ()), title_only=False), blocks)
            counts.append(
                f"(SELECT count(*) FROM search_documents WHERE {statement.held(held, False)})"
            )
        sql = f"SELECT {', '.join(counts)}"
        return list(self.connection.exec_driver_sql(sql, statement.params).one())

    def _windowed(
        self,
        statement: _Statement,
        query: Query,
        scope: list[ColumnElement[bool]],
        title_only: bool,
        limit: int,
        below: int,
        windows: list[Window],
    ) -> str:
        matching = self._tsquery(query, title_only=title_only)
        checks = self._checks(statement, query, title_only=title_only)
        conditions = [*checks, statement.scope(self.connection.dialect, scope)] if scope else checks
        columns = "".join(f", {column}" for column in _CHECKED) if checks else ""
        joined = " JOIN articles ON articles.id = c.article_id" if scope else ""
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        bound = statement.param(below)
        branches = []
        for _, blocks in windows:
            held = statement.held(_in_window(matching, blocks), title_only)
            candidates = (
                f"SELECT article_id{columns} FROM search_documents"
                f" WHERE {held} AND article_id < {bound}"
                " ORDER BY article_id DESC OFFSET 0"
            )
            branches.append(
                f"(SELECT c.article_id FROM ({candidates}) AS c{joined}{where}"
                " ORDER BY c.article_id DESC)"
            )
        return (
            f"SELECT article_id FROM ({' UNION ALL '.join(branches)}) AS found"
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
        groups, excluded = _checked(query, title_only=title_only)
        checks = [
            "(" + " OR ".join(statement.term_check(t, title_only=title_only) for t in group) + ")"
            for group in groups
        ]
        checks.extend(f"NOT {statement.term_check(term, title_only=False)}" for term in excluded)
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
# cheap, and reading the primary key backwards under a LIMIT too, which does not count
# reading every row's token strings back from TOAST to compute its tsvector: that takes
# seconds; GIN it is (bitmap scans stay allowed). A plan for each statement's own values:
# psycopg prepares a statement run five times, and PostgreSQL's generic plan for it, made
# for any tsquery, can take ten times longer over a given one. No JIT: compiling takes tens
# of milliseconds, more than any of these statements. And no parallel plans: a parallel
# UNION ALL would not keep its windows in order.
_PLANNER = {
    "enable_seqscan": "off",
    "enable_indexscan": "off",
    "plan_cache_mode": "force_custom_plan",
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
}


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
